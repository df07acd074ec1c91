// The training worker: owns the engine, the dataset (a Sample) and the Trainer, so that decoding and
// training never block drawing or clicking on the page. Each message {id, method, args} gets exactly one
// reply, {id, result} or {id, error}, which worker-client.js matches by id. (The page sends one request at
// a time, in the order of the clicks: requests are not ordered here.)
// Events, {event: {type, ...}}, tell the page what it did not ask for: the archive served beside the page
// is the worker's own, fetched as soon as it starts and announced as 'dataset' (or 'dataset-error'); and
// 'progress' ({name, received, total} downloading, {name, decoded, total} decoding) of every archive.
// Every reply that follows a change of the parameters carries the insight into the new model (see
// #insight): computed here, next to the data, so that only what the page shows crosses to it.
import { loadEngine } from './engine.js';
import { download } from './loader.js';

const SAMPLE_URL = 'mnist_sample.tgz';  // beside the page
const GALLERY_SIZE = 24;  // misclassified validation images sent to the page, at most
const STRIP_SIZE = 12;  // images of a traced batch sent to the page, evenly spaced through it

class Session {
  #engine;  // a promise: the module compiles while the archive downloads
  #sample = null;
  #dataset = null;  // the sample as the page describes it: {name, counts, decodeMs, baseline}
  #chosen = false;  // a dataset the learner gave has been taken: the archive beside the page is not wanted
  #validDigits = null;  // the validation set's true digits (3 or 7), read once instead of once per epoch
  #galleryImages = new Map();  // validation index -> pixels, for the images the gallery has shown
  #trainer = null;
  #partial = { ms: 0, lossSum: 0 };  // the current epoch's batches when it is being stepped batch by batch

  #post;  // post(event)

  constructor(engine, post) {
    this.#engine = engine;
    this.#post = post;
  }

  /**
   * Downloads (from `url`) or takes (`bytes`) an archive and decodes it into a Sample: {sample, decodeMs},
   * decodeMs being the engine's own time on it. Throws on a bad archive. report() gets {received, total}
   * (bytes) while downloading, {decoded, total} (bytes) while decoding bytes it was given.
   */
  async decode({ bytes, url }, report) {
    let decodeMs = 0;
    const timed = (work) => {
      const start = performance.now();
      try {
        return work();
      } finally {
        decodeMs += performance.now() - start;
      }
    };
    const onProgress = (decoded, total) => report({ decoded, total });
    if (!url) {
      const engine = await this.#ready();
      return { sample: timed(() => engine.loadSample(bytes, { onProgress })), decodeMs };
    }
    // Downloading here keeps the page's own thread free while it starts up. The archive is decoded while
    // it arrives; pieces that come before the engine is ready wait for it.
    let loader = null;
    const waiting = [];
    const engineReady = this.#ready().then((engine) => { loader = engine.sampleLoader(); });
    engineReady.catch(() => {});  // reported below, after the download
    const writeWaiting = () => {
      for (const piece of waiting.splice(0)) timed(() => loader.write(piece));
    };
    try {
      await download(url, (piece, received, total) => {
        report({ received, total });
        waiting.push(piece);
        if (loader) writeWaiting();
      });
      await engineReady;
      writeWaiting();
      return { sample: timed(() => loader.finish()), decodeMs };
    } catch (error) {
      // A loader the engine makes after this (the download failed first) is freed then.
      engineReady.then(() => loader.cancel(), () => {});
      throw error;
    }
  }

  /** Fetches and decodes the archive served beside the page, and announces it, unless the learner has given another by then. */
  async fetchDefault() {
    const name = SAMPLE_URL;
    try {
      const { sample, decodeMs } = await this.decode({ url: SAMPLE_URL }, (progress) => {
        if (this.#chosen) throw new Error('another dataset was chosen');  // stops the download
        this.#post({ type: 'progress', name, ...progress });
      });
      if (this.#chosen) sample.delete();
      else this.#post({ type: 'dataset', dataset: this.#adopt(name, sample, decodeMs) });
    } catch (error) {
      if (!this.#chosen) this.#post({ type: 'dataset-error', name, message: error.message });
    }
  }

  /** Decodes an archive the learner gave; only a good one replaces the dataset (and ends the run on it). */
  async loadSample({ name, bytes }) {
    const { sample, decodeMs } = await this.decode({ bytes }, (progress) => this.#post({ type: 'progress', name, ...progress }));
    this.#chosen = true;
    return this.#adopt(name, sample, decodeMs);
  }

  #adopt(name, sample, decodeMs) {
    this.#trainer?.delete();
    this.#trainer = null;
    this.#sample?.delete();
    this.#sample = sample;
    this.#validDigits = Uint8Array.from(sample.labels('valid'), (label) => (label === 1 ? 3 : 7));
    this.#galleryImages.clear();
    this.#dataset = { name, counts: sample.counts, decodeMs, baseline: sample.pixelSimilarity() };
    return this.#dataset;
  }

  /**
   * A new run on the dataset, from its seed, with these options; a bad option leaves the run as it was.
   * The dataset comes with it: the run the page shows belongs to it.
   */
  async startRun({ options }) {
    if (!this.#sample) throw new Error('no dataset is loaded yet');
    const engine = await this.#ready();
    if (this.#trainer) this.#trainer.reset(options);
    else this.#trainer = engine.createTrainer(this.#sample, options);
    this.#partial = { ms: 0, lossSum: 0 };
    // The engine's heap in use with the dataset and the run in it, and its WebAssembly memory, for the
    // page's instruments.
    return { dataset: this.#dataset, heapBytes: engine.heapBytesInUse, memoryBytes: engine.memoryBytes, ...this.#snapshot() };
  }

  /** The parameters as text, byte for byte what `mnist-sgd --save-params` writes. */
  exportParams() {
    return { text: this.#requireTrainer().paramsText() };
  }

  /**
   * A new run from a parameters file the learner imported (its text, for options.model): epoch 0 and the
   * first batch, as after Reset, but from these parameters. A bad file (the engine's parse_params says
   * why, as the CLI's --init-params would) leaves the run as it was.
   */
  async importParams({ text, options }) {
    this.#requireTrainer();
    const engine = await this.#ready();
    const params = engine.parseParams(options.model, text);
    // A new trainer takes them, so that the old run is untouched until they have been accepted.
    const trainer = engine.createTrainer(this.#sample, options);
    try {
      trainer.setParams(params);
    } catch (error) {
      trainer.delete();
      throw error;
    }
    this.#trainer.delete();
    this.#trainer = trainer;
    this.#partial = { ms: 0, lossSum: 0 };
    return this.#snapshot();
  }

  /**
   * The rest of the current epoch, then the book's validation. With `trace`, its next step is traced first
   * (see traceBatch): what Play shows of the steps, now and then.
   */
  trainEpoch({ trace = false } = {}) {
    if (trace) {
      const { batch, trace: traced } = this.#trace();
      if (batch.batch === batch.batchesPerEpoch) return { ...this.#afterBatch(batch), trace: traced };  // it ended the epoch
      return { ...this.trainEpoch(), trace: traced };
    }
    const stats = this.#requireTrainer().trainEpoch();
    // trainLoss already covers batches stepped one by one earlier in this epoch; their time does not.
    return { epoch: this.#finishEpoch({ ...stats, ms: stats.ms + this.#partial.ms }), ...this.#params(), insight: this.#insight(), losses: this.#trainer.stepLosses() };
  }

  /**
   * One SGD step seen from inside (the engine's traceBatch, the same step bit for bit), as the page shows
   * it: trace = {epoch, batch, batchesPerEpoch, loss, threes, sevens, first, count (its training images
   * first to first + count - 1 in an unshuffled epoch), lr, strip: [{index, digit, probability}], stripPixels,
   * gradient, update (the parameters' layout)}.
   */
  traceBatch() {
    const { batch, trace } = this.#trace();
    return { ...this.#afterBatch(batch), trace };
  }

  // The traced step itself: its stats (as trainBatch's) and the trace.
  #trace() {
    const start = performance.now();
    const { rows, predictions, ...batch } = this.#requireTrainer().traceBatch();
    this.#partial.ms += performance.now() - start;
    const strip = [];
    for (let k = 0; k < Math.min(STRIP_SIZE, rows.length); k++) {
      const at = Math.floor((k * (rows.length - 1)) / Math.max(1, Math.min(STRIP_SIZE, rows.length) - 1));
      strip.push({ index: rows[at], digit: this.#sample.label('train', rows[at]) === 1 ? 3 : 7, probability: predictions[at] });
    }
    const size = this.#sample.image('train', 0).length;
    const stripPixels = new Float32Array(strip.length * size);
    strip.forEach(({ index }, k) => stripPixels.set(this.#sample.image('train', index), k * size));
    const { lr } = this.#trainer.options;
    return { batch, trace: { ...batch, first: rows[0], count: rows.length, lr, strip, stripPixels } };
  }

  #afterBatch({ epoch: batchEpoch, batch: index, batchesPerEpoch, loss }) {
    const batch = { epoch: batchEpoch, batch: index, batchesPerEpoch, loss };
    this.#partial.lossSum += batch.loss;
    const ended = batch.batch === batch.batchesPerEpoch;
    const epoch = ended
      ? this.#finishEpoch({ epoch: batch.epoch, trainLoss: this.#partial.lossSum / batch.batch, ms: this.#partial.ms })
      : null;
    return { batch, epoch, ...this.#params(), insight: this.#insight(), losses: this.#trainer.stepLosses() };
  }

  async #ready() {
    try {
      return await this.#engine;
    } catch (error) {
      throw new Error(`the engine (mnist_sgd.wasm) could not start: ${error?.message ?? error}`);
    }
  }

  #finishEpoch(stats) {
    this.#partial = { ms: 0, lossSum: 0 };
    return { ...stats, ...this.#trainer.validate() };
  }

  #snapshot() {
    return { validation: this.#trainer.validate(), ...this.#params(), insight: this.#insight(), losses: this.#trainer.stepLosses() };
  }

  /**
   * Where the model is wrong on the validation set: the 2x2 confusion matrix, and up to GALLERY_SIZE of the
   * misclassified images with their P(3), about half of them 3s and half 7s, the first ones in the
   * validation set's order (so the same images stay in view from epoch to epoch until the model gets them
   * right). About 1 ms: one pass of the engine over the validation set, then one call for the images' P(3)
   * (a call per image would cost ~0.1 ms each in a browser's worker).
   */
  #insight() {
    const { misclassified, ...matrix } = this.#trainer.confusion();
    const wrong = { 3: [], 7: [] };  // validation indices, by true digit
    for (const index of misclassified) {
      const list = wrong[this.#validDigits[index]];
      if (list.length < GALLERY_SIZE) list.push(index);
      if (wrong[3].length === GALLERY_SIZE && wrong[7].length === GALLERY_SIZE) break;
    }
    const threes = Math.min(wrong[3].length, Math.max(GALLERY_SIZE / 2, GALLERY_SIZE - wrong[7].length));
    const shown = [...wrong[3].slice(0, threes).map((index) => [index, 3]),
      ...wrong[7].slice(0, GALLERY_SIZE - threes).map((index) => [index, 7])];
    const images = shown.map(([index]) => this.#validImage(index));
    const size = images[0]?.length ?? 0;  // pixels per image
    const pixels = new Float32Array(images.length * size);
    images.forEach((image, k) => pixels.set(image, k * size));
    const probabilities = this.#trainer.predictMany(pixels);
    const gallery = shown.map(([index, digit], k) => ({ index, digit, probability: probabilities[k] }));
    return { matrix, gallery, pixels };
  }

  // The same few images come back epoch after epoch: each is read from the engine once.
  #validImage(index) {
    let image = this.#galleryImages.get(index);
    if (!image) {
      if (this.#galleryImages.size >= 1000) this.#galleryImages.clear();  // a bound, never reached in practice
      image = this.#sample.image('valid', index);
      this.#galleryImages.set(index, image);
    }
    return image;
  }

  // A fresh copy each time, so that it can be transferred to the page rather than cloned.
  #params() {
    return { model: this.#trainer.options.model, params: this.#trainer.getParams() };
  }

  #requireTrainer() {
    if (!this.#trainer) throw new Error('no dataset is loaded yet');
    return this.#trainer;
  }
}

const METHODS = new Set(['loadSample', 'startRun', 'exportParams', 'importParams', 'trainEpoch', 'traceBatch']);
const engine = loadEngine();
engine.catch(() => {});  // not unhandled: the first request that needs the engine reports the failure
const session = new Session(engine, (event) => self.postMessage({ event }));
session.fetchDefault();

// The buffers of the typed arrays in a result (at its top level or in the objects it holds) move to the
// page instead of being copied.
function transferables(result, found = new Set()) {
  for (const value of Object.values(result ?? {})) {
    if (ArrayBuffer.isView(value)) found.add(value.buffer);
    else if (value && typeof value === 'object') transferables(value, found);
  }
  return [...found];
}

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    if (!METHODS.has(method)) throw new Error(`unknown request "${method}"`);
    const result = await session[method](args ?? {});
    self.postMessage({ id, result }, transferables(result));
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
