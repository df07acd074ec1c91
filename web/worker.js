// The training worker: owns the engine, the loaded Sample and the Trainer, so that decoding and training
// never block drawing or clicking on the page. Each message {id, method, args} gets exactly one reply,
// {id, result} or {id, error}, in the order the messages came (worker-client.js relies on that).
import { loadEngine } from './engine.js';

class Session {
  #engine;  // a promise: the module compiles while the page downloads the archive
  #sample = null;
  #trainer = null;
  #partial = { ms: 0, lossSum: 0 };  // the current epoch's batches when it is being stepped batch by batch

  constructor(engine) {
    this.#engine = engine;
  }

  /** Decodes an archive; only when it is good are the old sample and run replaced by a new run on it. */
  async loadSample({ bytes, options }, report) {
    const engine = await this.#ready();
    const start = performance.now();
    const tar = await inflate(bytes);
    const onProgress = (decoded, total) => report({ decoded, total });
    // Throws on a bad archive, leaving everything as it was. What the browser could not inflate goes to the
    // engine's own gunzip, whose error says what is wrong with it.
    const sample = tar ? engine.loadSample(tar, { tar: true, onProgress }) : engine.loadSample(bytes, { onProgress });
    const decodeMs = performance.now() - start;
    let trainer;
    try {
      trainer = engine.createTrainer(sample, options);
    } catch (error) {
      sample.delete();
      throw error;
    }
    this.#trainer?.delete();
    this.#sample?.delete();
    this.#sample = sample;
    this.#trainer = trainer;
    this.#partial = { ms: 0, lossSum: 0 };
    return { counts: sample.counts, decodeMs, ...this.#snapshot() };
  }

  /** Starts the run again from the seed, with new options if given. A bad option leaves the run as it was. */
  reset({ options }) {
    this.#requireTrainer().reset(options);
    this.#partial = { ms: 0, lossSum: 0 };
    return this.#snapshot();
  }

  /** The rest of the current epoch, then the book's validation. */
  trainEpoch() {
    const stats = this.#requireTrainer().trainEpoch();
    // trainLoss already covers batches stepped one by one earlier in this epoch; their time does not.
    return { epoch: this.#finishEpoch({ ...stats, ms: stats.ms + this.#partial.ms }), ...this.#params() };
  }

  /** One SGD step; when it ends an epoch, that epoch's record and validation come with it. */
  trainBatch() {
    const start = performance.now();
    const batch = this.#requireTrainer().trainBatch();
    this.#partial.ms += performance.now() - start;
    this.#partial.lossSum += batch.loss;
    const ended = batch.batch === batch.batchesPerEpoch;
    const epoch = ended
      ? this.#finishEpoch({ epoch: batch.epoch, trainLoss: this.#partial.lossSum / batch.batch, ms: this.#partial.ms })
      : null;
    return { batch, epoch, ...this.#params() };
  }

  /** A drawing's ink -> the 28x28 image the model sees, and the probability that it is a 3 (null: no ink or no model). */
  async predict({ ink, width, height }) {
    const engine = await this.#ready();
    const image = engine.preprocessDrawing(ink, width, height);
    const probability = image && this.#trainer ? this.#trainer.predict(image) : null;
    return { image, probability };
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
    const start = performance.now();
    const validation = this.#trainer.validate();
    return { ...stats, ...validation, validateMs: performance.now() - start };
  }

  #snapshot() {
    return { validation: this.#trainer.validate(), ...this.#params() };
  }

  // The weights are a fresh copy each time, so they can be transferred to the page rather than cloned.
  #params() {
    const params = this.#trainer.getParams();
    return { weights: params.subarray(0, 784), bias: params[784] };
  }

  #requireTrainer() {
    if (!this.#trainer) throw new Error('no dataset is loaded yet');
    return this.#trainer;
  }
}

// The engine refuses a larger tar (kMaxInflatedBytes); stopping the browser's inflate there too keeps a gzip
// bomb from filling memory.
const MAX_TAR_BYTES = 64 * 1024 * 1024;

/**
 * The tar inside a .tgz, inflated by the browser's DecompressionStream (native code: the engine's inflate
 * runs as one long WebAssembly call, before V8 has optimised it), or null when the browser cannot do it,
 * the data is not gzip, is damaged, or inflates past the cap.
 */
async function inflate(bytes) {
  if (typeof DecompressionStream !== 'function') return null;
  try {
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    const chunks = [];
    let length = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      length += chunk.value.length;
      if (length > MAX_TAR_BYTES) {
        await reader.cancel();
        return null;
      }
      chunks.push(chunk.value);
    }
    const tar = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      tar.set(chunk, offset);
      offset += chunk.length;
    }
    return tar;
  } catch {
    return null;
  }
}

const METHODS = new Set(['loadSample', 'reset', 'trainEpoch', 'trainBatch', 'predict']);
const engine = loadEngine();
engine.catch(() => {});  // not unhandled: the first request that needs the engine reports the failure
const session = new Session(engine);

// The buffers of top-level typed arrays in a result move to the page instead of being copied.
function transferables(result) {
  return Object.values(result ?? {})
    .filter(ArrayBuffer.isView)
    .map((view) => view.buffer)
    .filter((buffer, index, all) => all.indexOf(buffer) === index);
}

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    if (!METHODS.has(method)) throw new Error(`unknown request "${method}"`);
    const result = await session[method](args ?? {}, (progress) => self.postMessage({ id, progress }));
    self.postMessage({ id, result }, transferables(result));
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
