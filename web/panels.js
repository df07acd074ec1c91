// The page's panels: its cards, each by the id of its <section>, in the page's order. The `panels` setting
// (settings.js) picks some of them, in an order of its own, for an iframe beside a course's text; the
// render (render.js) draws only those. A card becomes a panel with one line here (and its renderer in
// render.js): its name, and the run controls it needs when shown without the Train card.
//
// controls: the buttons of the compact run control (cards/run-bar.js) the panel needs when the Train card
// is not shown: a panel that changes as the model trains needs a way to train it; the Data card needs none.

const TRAINS = ['step-epoch', 'play', 'reset'];

export const PANELS = Object.freeze([
  { name: 'data', controls: [] },
  { name: 'train', controls: [] },  // it is the full run control
  { name: 'step', controls: ['step-batch', 'play', 'reset'] },  // Step batch fills it
  { name: 'results', controls: TRAINS },
  { name: 'mistakes', controls: TRAINS },
  { name: 'draw', controls: TRAINS },
  { name: 'weights', controls: ['step-epoch', 'step-batch', 'play', 'reset'] },  // the weights move batch by batch
].map(Object.freeze));

export const PANEL_NAMES = Object.freeze(PANELS.map(({ name }) => name));

/** Whether `panels` (a list of names) is every panel in the page's order: the whole page, laid out as usual. */
export const wholePage = (panels) => panels.join() === PANEL_NAMES.join();

/**
 * What the compact run control (cards/run-bar.js) shows with these panels: `data`, how the data is loading
 * (or why it could not) when the Data card is absent; and when the Train card is absent, `buttons`, the
 * controls the panels need, in the Train card's order, and `run`, where the run stands, when there are any.
 */
export function runBarFor(panels) {
  const needed = new Set(panels.includes('train') ? [] : PANELS.filter(({ name }) => panels.includes(name)).flatMap(({ controls }) => controls));
  const buttons = ['step-epoch', 'step-batch', 'play', 'reset'].filter((id) => needed.has(id));
  return { data: !panels.includes('data'), run: buttons.length > 0, buttons };
}
