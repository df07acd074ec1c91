// The Draw card's side of the controller: the pad's ink goes to the classifier, and its prediction into
// the page state, announced once per stroke. One prediction at a time: pen moves made while one is under
// way are folded into one more, so the prediction never lags the pen by more than one.
import { DrawingClassifier } from './drawing-classifier.js';
import { DrawingPad, INK_SIDE } from './drawing-pad.js';
import { record } from './instruments.js';
import { engineProblem } from './unsupported.js';

export class Drawing {
  #state;
  #screen;
  #pad = new DrawingPad(document.getElementById('pad'), {
    onInk: (timeStamp) => this.#predict(timeStamp),
    onStrokeEnd: () => this.#whenIdle(() => this.#announce()),
  });
  #classifier = new DrawingClassifier();
  #pending = { busy: false, again: false, since: null, idle: [] };

  /** state: the page state, whose prediction, announcements and timings this keeps; screen: its render. */
  constructor(state, screen) {
    this.#state = state;
    this.#screen = screen;
  }

  /** The model now ({model, params}): the drawing is classified again with it. */
  use(params) {
    this.#classifier.use(params);
    // The page's own engine (16 MB of memory) is started before the first stroke only when the pad is
    // shown: an iframe showing other panels never needs it.
    if (this.#state.settings.panels.includes('draw')) this.#classifier.warmUp();
    this.#predict();
  }

  clear() {
    this.#pad.clear();
    this.#state.prediction = null;
    this.#announce();
  }

  // since: the time of the pen event answered (the earliest, when moves are folded), for the
  // drawing-to-prediction time; null when the model changed, not the drawing.
  async #predict(since = null) {
    const pending = this.#pending;
    if (pending.busy) {
      pending.again = true;
      pending.since ??= since;
      return;
    }
    pending.busy = true;
    const state = this.#state;
    try {
      let prediction = null;
      if (this.#pad.hasInk) {
        const result = await this.#classifier.classify(this.#pad.ink(), INK_SIDE, INK_SIDE);
        if (this.#pad.hasInk) prediction = { ...result, untrained: !state.run?.trained };  // unless cleared meanwhile
      }
      state.prediction = prediction;
      if (since !== null) record(state, { predictMs: performance.now() - since });
    } catch (error) {
      const what = await engineProblem();
      if (what) state.engineProblem ??= { what, everywhere: false };
      else state.runError = error.message;
    } finally {
      pending.busy = false;
    }
    this.#screen.update();
    if (pending.again) {
      const next = pending.since;
      Object.assign(pending, { again: false, since: null });
      this.#predict(next);
    } else {
      for (const callback of pending.idle.splice(0)) callback();
    }
  }

  // callback() once the prediction under way, if any, is made.
  #whenIdle(callback) {
    if (this.#pending.busy) this.#pending.idle.push(callback);
    else callback();
  }

  // Each finished stroke is announced once, with the prediction for the whole drawing.
  #announce() {
    const { announcements } = this.#state;
    announcements.prediction = { said: this.#state.prediction, serial: announcements.prediction.serial + 1 };
    this.#screen.update();
  }
}
