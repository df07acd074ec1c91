// One render per frame: every card drawn from the page state (page-state.js), as TensorFlow Playground's
// updateUI() does. The controller changes the state and calls update(); however many changes come in a
// frame (training can finish several epochs in one), the screen is drawn once, from the latest state.
// The cards' renderers are called from here only, each with the plain data it shows.
import { DataCard } from './cards/data.js';
import { DrawCard } from './cards/draw.js';
import { EmbedBuilder } from './cards/embed.js';
import { LayoutView } from './cards/layout.js';
import { MistakesCard } from './cards/mistakes.js';
import { ResultsCard } from './cards/results.js';
import { RunBar } from './cards/run-bar.js';
import { ShareView } from './cards/share.js';
import { StepCard } from './cards/step.js';
import { TrainCard } from './cards/train.js';
import { WeightsCard } from './cards/weights.js';
import { PANEL_NAMES } from './panels.js';

// Each card by its panel's name (panels.js; the id of its <section>), with the part of the state it draws.
const CARDS = {
  data: [DataCard, (state) => ({ ...state.data, problem: state.engineProblem })],
  train: [TrainCard, (state) => state],
  step: [StepCard, (state) => ({
    run: state.run, stepUnit: state.stepUnit, epochs: state.settings.epochs,
    trainCount: state.data.dataset ? state.data.dataset.counts.train3 + state.data.dataset.counts.train7 : 0,
  })],
  results: [ResultsCard, (state) => ({ ...state, dataset: state.data.dataset })],
  mistakes: [MistakesCard, (state) => state.run],
  draw: [DrawCard, (state) => ({ prediction: state.prediction, problem: state.engineProblem })],
  weights: [WeightsCard, (state) => state],
};

// What is drawn around the cards: the compact run control, the link to the full page and the live
// regions, the embed builder. (The layout is drawn first, so that the cards are drawn where they are shown.)
const VIEWS = [RunBar, ShareView, EmbedBuilder];

export class Screen {
  #state;
  #layout = new LayoutView();
  #views = VIEWS.map((View) => new View());
  #cards = PANEL_NAMES.map((name) => {
    if (!CARDS[name]) throw new Error(`panels.js names a panel "${name}" that render.js has no card for`);
    const [Card, dataOf] = CARDS[name];
    return { name, card: new Card(), dataOf };
  });
  #pending = false;

  /** state: the page state, read at each frame. */
  constructor(state) {
    this.#state = state;
  }

  /** Draws the screen at the next frame (once, however often this is called before it). */
  update() {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      const state = this.#state;
      this.#layout.render(state.settings);
      // A card that is not shown is not drawn: it is drawn from the state when it is shown again.
      for (const { name, card, dataOf } of this.#cards) if (state.settings.panels.includes(name)) card.render(dataOf(state));
      for (const view of this.#views) view.render(state);
    });
  }
}
