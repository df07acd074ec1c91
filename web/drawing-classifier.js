// The drawing pad's predictions, made on the page's own thread: the engine's preprocessing, and a model
// holding the parameters the training worker sent last. A prediction then takes a fraction of a
// millisecond and never waits for a round trip to the worker, or for an epoch it is training.
import { loadEngine } from './engine.js';
import { PIXELS, linearBias } from './models.js';

export class DrawingClassifier {
  #engine = null;  // a promise of the engine, once asked for
  #predictor = null;
  #run = null;  // {model, params} of the current run
  #loaded = null;  // the run whose parameters the predictor holds

  /** Starts the engine (its code is in the browser's cache: the worker loaded it) before the first stroke. */
  warmUp() {
    this.#ready().catch(() => {});  // a failure is reported by the prediction that needs the engine
  }

  /** The model to classify with: the model's name and its parameters (the layout of Trainer.getParams). */
  use(run) {
    this.#run = run;
  }

  /**
   * Ink (height x width values in [0, 1]) -> the 28x28 image the model sees, the probability that it is a
   * 3, and for the linear model why: each pixel's contribution w_i * x_i to z = sum + bias (probability and
   * contributions null: no ink or no model; contributions null for simple_net, whose hidden layer has no
   * such sum).
   */
  async classify(ink, width, height) {
    const engine = await this.#ready();
    const image = engine.preprocessDrawing(ink, width, height);
    const run = this.#run;
    if (!image || !run) return { image, probability: null, contributions: null };
    if (this.#loaded !== run) {
      this.#predictor.load(run.model, run.params);
      this.#loaded = run;
    }
    const probability = this.#predictor.predict(image);
    if (run.model !== 'linear') return { image, probability, contributions: null };
    const contributions = new Float32Array(PIXELS);
    let sum = 0;
    for (let i = 0; i < PIXELS; i++) {
      contributions[i] = run.params[i] * image[i];
      sum += contributions[i];
    }
    return { image, probability, contributions, sum, bias: linearBias(run.params) };
  }

  async #ready() {
    this.#engine ??= loadEngine().then((engine) => {
      this.#predictor = engine.createPredictor();
      return engine;
    });
    try {
      return await this.#engine;
    } catch (error) {
      throw new Error(`the engine (mnist_sgd.wasm) could not start: ${error?.message ?? error}`);
    }
  }
}
