// One render per frame: every card drawn from the page state (page-state.js), as TensorFlow Playground's
// updateUI() does. The controller changes the state and calls update(); however many changes come in a
// frame (training can finish several epochs in one), the screen is drawn once, from the latest state.
// The cards' renderers are called from here only, each with the plain data it shows.
import { DataCard } from './cards/data.js';
import { DrawCard } from './cards/draw.js';
import { MistakesCard } from './cards/mistakes.js';
import { ResultsCard } from './cards/results.js';
import { ShareView } from './cards/share.js';
import { StepCard } from './cards/step.js';
import { TrainCard } from './cards/train.js';
import { WeightsCard } from './cards/weights.js';

// Each card by name (the id of its <section>; 'share' draws parts of the header, the footer and the live
// regions), with the part of the state it draws.
const CARDS = [
  ['data', DataCard, (state) => ({ ...state.data, problem: state.engineProblem })],
  ['train', TrainCard, (state) => state],
  ['step', StepCard, (state) => ({
    run: state.run, stepUnit: state.stepUnit, epochs: state.settings.epochs,
    trainCount: state.data.dataset ? state.data.dataset.counts.train3 + state.data.dataset.counts.train7 : 0,
  })],
  ['results', ResultsCard, (state) => ({ ...state, dataset: state.data.dataset })],
  ['mistakes', MistakesCard, (state) => state.run],
  ['draw', DrawCard, (state) => ({ prediction: state.prediction, problem: state.engineProblem })],
  ['weights', WeightsCard, (state) => state],
  ['share', ShareView, (state) => state],
];

export class Screen {
  #state;
  #cards = CARDS.map(([name, Card, dataOf]) => ({ name, card: new Card(), dataOf }));
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
      for (const { card, dataOf } of this.#cards) card.render(dataOf(this.#state));
    });
  }
}
