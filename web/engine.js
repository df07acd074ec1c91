// The engine for JavaScript: a thin wrapper over the Embind module (mnist_sgd.js + mnist_sgd.wasm) that
// turns its error strings into Errors, fills in default options and owns the C++ handles.
//
//   import { loadEngine } from './engine.js';
//   const engine = await loadEngine();
//   const sample = engine.loadSample(new Uint8Array(await (await fetch('mnist_sample.tgz')).arrayBuffer()));
//   const trainer = engine.createTrainer(sample, { lr: 1, batchSize: 256, seed: 42 });
//   for (let epoch = 0; epoch < 20; epoch++) trainer.trainEpoch();
//   console.log(trainer.validate().validateEpoch);  // the book's metric
//   trainer.delete(); sample.delete();
const WRITE_BYTES = 16 * 1024;  // bytes of an archive per call into the engine (see SampleLoader.write)

/**
 * The book's settings: the linear model, lr 1, batch 256, no shuffling, and the model's own initialisation
 * (randn * 1 for the linear model, as the book's init_params; nn.Linear's default for simple_net), and the
 * book's mnist_loss ('accuracy' instead trains on batch_accuracy, whose gradient is zero: nothing moves).
 */
export const DEFAULT_OPTIONS = Object.freeze({
  model: 'linear', lr: 1, batchSize: 256, seed: 42, shuffle: false, init: 'default', loss: 'mnist_loss',
});

// The smallest module whose code uses WebAssembly SIMD (a function that returns i8x16.popcnt of a splat),
// as wasm-feature-detect checks it: valid in Chrome 91, Firefox 89, Safari 16.4 and later.
const SIMD_PROBE = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8,
  0, 65, 0, 253, 15, 253, 98, 11);

/**
 * The engine's code for this browser: built with WebAssembly SIMD where it has it, else the same engine
 * built without (the same numbers, more slowly). One JavaScript glue, mnist_sgd.js, runs either.
 */
export function moduleFile() {
  return WebAssembly.validate(SIMD_PROBE) ? 'mnist_sgd.wasm' : 'mnist_sgd_scalar.wasm';
}

/**
 * Instantiates the WebAssembly module. In Node, pass { wasmBinary } (Emscripten 3.1.6 cannot fetch a file path).
 * @param {object} [moduleOptions] passed to the Emscripten factory
 */
export async function loadEngine(moduleOptions = {}) {
  if (typeof WebAssembly !== 'object') throw new Error('this browser runs no WebAssembly');
  const url = new URL(moduleFile(), import.meta.url).href;
  moduleOptions = { locateFile: (file, folder) => (file.endsWith('.wasm') ? url : folder + file), ...moduleOptions };
  // In a browser the module's code downloads and compiles while its JavaScript glue loads, rather than
  // after: the glue is imported here, not at the top of this file.
  const streaming = !moduleOptions.wasmBinary && !moduleOptions.instantiateWasm && typeof WebAssembly.compileStreaming === 'function';
  const compiled = streaming ? WebAssembly.compileStreaming(fetch(url)) : null;
  compiled?.catch(() => {});  // reported below, through the factory's own failure
  const { default: createMnistSgd } = await import('./mnist_sgd.js');
  if (!compiled) return new Engine(await createMnistSgd(moduleOptions));
  let failed;
  const failure = new Promise((_, reject) => { failed = reject; });
  const instantiateWasm = (imports, receiveInstance) => {
    compiled.then((module) => WebAssembly.instantiate(module, imports)).then(receiveInstance, failed);
    return {};  // Emscripten's sign that the instance comes asynchronously
  };
  return new Engine(await Promise.race([createMnistSgd({ ...moduleOptions, instantiateWasm }), failure]));
}

function check(error) {
  if (error) throw new Error(error);
}

/**
 * A seed as the engine takes it, in decimal: torch.manual_seed's seeds go to 2^64 - 1, past the whole numbers
 * a JavaScript number holds (2^53 - 1), so larger ones come as a string or a BigInt.
 */
function seedText(seed) {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new Error('seed must be a whole number from 0 to 18446744073709551615 (past 2^53 - 1, as a string or a BigInt)');
  }
  return String(seed);
}

export class Engine {
  #module;
  #facts;

  constructor(module) {
    this.#module = module;
    this.#facts = module.facts();
  }

  /**
   * What the engine knows about its models, for a page to show and check against (a fresh copy each call):
   * {imageSide, inputs, models: {linear: {units, paramCount, book: {lr, epochs}, defaultInit}, simple_net},
   * inits, seed: {min, max} (decimal strings), batchSize: {min, max}}.
   */
  facts() {
    return this.#module.facts();
  }

  /**
   * A parameters file's text (one number a line, as `mnist-sgd --save-params` writes it) -> a Float32Array of
   * `model`'s parameters. Throws an Error whose one-line message names the first problem.
   */
  parseParams(model, text) {
    const parsed = this.#module.parseParams(model, String(text));
    check(parsed.error);
    return parsed.values;
  }

  /** Parameters -> the text `mnist-sgd --save-params` writes, byte for byte (one %.9g number a line). */
  formatParams(params) {
    return this.#module.formatParams(params instanceof Float32Array ? params : Float32Array.from(params));
  }

  /**
   * Decodes mnist_sample.tgz (its bytes) into a Sample. Throws an Error naming the problem.
   * @param {Uint8Array} bytes
   * @param {{onProgress?: (decodedBytes: number, totalBytes: number) => void}} [options]
   *   onProgress: called as the bytes are decoded, a piece at a time.
   */
  loadSample(bytes, { onProgress } = {}) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('the archive must be given as a Uint8Array');
    const loader = this.sampleLoader();
    try {
      for (let start = 0; start < bytes.length; start += WRITE_BYTES) {
        loader.write(bytes.subarray(start, start + WRITE_BYTES));
        onProgress?.(Math.min(start + WRITE_BYTES, bytes.length), bytes.length);
      }
      return loader.finish();
    } catch (error) {
      loader.cancel();  // (a no-op when the engine refused the bytes: that ended the load already)
      throw error;
    }
  }

  /**
   * Decodes an archive while it arrives, as a download does: write() each piece, then finish() for the
   * Sample. Images are read as their bytes come, so that little is left to do once the last piece is in.
   */
  sampleLoader() {
    return new SampleLoader(new this.#module.Sample());
  }

  /**
   * A training run of options.model ('linear' or 'simple_net') on a sample: torch.manual_seed(options.seed), then
   * the initial parameters and each epoch's shuffling as a notebook draws them.
   */
  createTrainer(sample, options = {}) {
    const handle = new this.#module.Trainer();
    const trainer = new Trainer(handle, sample, this.#facts.inputs);
    try {
      trainer.reset(options);
    } catch (error) {
      handle.delete();
      throw error;
    }
    return trainer;
  }

  /** A model without a dataset, to predict with parameters trained elsewhere (see Predictor). */
  createPredictor() {
    return new Predictor(new this.#module.Predictor(), this.#facts.inputs);
  }

  /**
   * MNIST's preprocessing of a drawing: ink (height x width values in [0, 1], row-major) -> the 28x28
   * image the model sees, or null when there is no ink.
   */
  preprocessDrawing(ink, width, height) {
    const image = this.#module.preprocessDrawing(Float32Array.from(ink), width, height);
    return image.length ? image : null;
  }

  /** Bytes of WebAssembly memory: grows when the heap needs more, never shrinks. */
  get memoryBytes() {
    return this.#module.HEAPU8.length;
  }

  /** Bytes allocated on the C++ heap and not yet freed (for leak checks). */
  get heapBytesInUse() {
    return this.#module.heapBytesInUse();
  }
}

/** An archive being decoded as it arrives (see Engine.sampleLoader). A failed write or finish ends it. */
export class SampleLoader {
  #handle;

  constructor(handle) {
    this.#handle = handle;
    handle.begin();
  }

  /** The archive's next bytes. Throws an Error naming the problem as soon as they show it. */
  write(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('the archive must be given as a Uint8Array');
    const handle = this.#requireHandle();
    // In pieces of at most WRITE_BYTES: V8 replaces a function's baseline code with optimised code only
    // between calls from JavaScript, so one long call would decode a megabyte with the slow code.
    for (let start = 0; start < bytes.length; start += WRITE_BYTES) {
      this.#check(handle.write(bytes.subarray(start, start + WRITE_BYTES)));
    }
  }

  /** After the last piece: the Sample, its images in the book's order. */
  finish() {
    const handle = this.#requireHandle();
    this.#check(handle.end());
    this.#handle = null;
    return new Sample(handle);
  }

  /** Stops loading (a download that failed, or a newer one) and frees what was read. */
  cancel() {
    this.#handle?.delete();
    this.#handle = null;
  }

  #requireHandle() {
    if (!this.#handle) throw new Error('this load has ended');
    return this.#handle;
  }

  #check(error) {
    if (!error) return;
    this.cancel();
    throw new Error(error);
  }
}

export class Sample {
  #handle;

  constructor(handle) {
    this.#handle = handle;
    /** {train3, train7, valid3, valid7} image counts. */
    this.counts = handle.counts();
    this.trainCount = this.counts.train3 + this.counts.train7;
    this.validCount = this.counts.valid3 + this.counts.valid7;
  }

  /** Image `index` of 'train' or 'valid': one value in [0, 1] per pixel, row by row. */
  image(split, index) {
    return this.#handle.image(split, index);
  }

  /**
   * The chapter's first model, which needs no training: the mean 3 and mean 7 of the training set as
   * templates. Its accuracy on the validation 3s, on the 7s, and their mean: {threes, sevens, mean}.
   */
  pixelSimilarity() {
    return this.#handle.pixelSimilarity();
  }

  /** 1 for a 3, 0 for a 7 (the book's labels). */
  label(split, index) {
    return this.#handle.label(split, index);
  }

  /** Every label of 'train' or 'valid', in one call: a Float32Array of 1s (3s) and 0s (7s). */
  labels(split) {
    return this.#handle.labels(split);
  }

  get handle() {
    return this.#handle;
  }

  delete() {
    this.#handle?.delete();
    this.#handle = null;
  }
}

/** Throws unless `values` holds whole images of `inputs` pixels (exactly one when `one`). */
function checkImages(values, inputs, one) {
  const length = values?.length;
  if (one && length !== inputs) throw new Error(`predict takes ${inputs} pixels, got ${length}`);
  if (!one && !(length % inputs === 0)) throw new Error(`predictMany takes whole images of ${inputs} pixels, got ${length} values`);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

export class Trainer {
  #handle;
  #sample;
  #inputs;

  constructor(handle, sample, inputs) {
    this.#handle = handle;
    this.#sample = sample;
    this.#inputs = inputs;
    this.options = { ...DEFAULT_OPTIONS };
  }

  /**
   * Starts the run again from torch.manual_seed(options.seed) (a number, a decimal string or a BigInt); options
   * not given keep their value.
   */
  reset(options = {}) {
    const next = { ...this.options, ...options };
    check(this.#handle.reset(this.#sample.handle, { ...next, seed: seedText(next.seed) }));
    this.options = next;
  }

  /** The rest of the current epoch: {epoch, trainLoss, ms}. Throws on divergence ("diverged at epoch N ..."). */
  trainEpoch() {
    const result = this.#handle.trainEpoch();
    check(result.error);
    return { epoch: result.epoch, trainLoss: result.trainLoss, ms: result.ms };
  }

  /** One SGD step on the next batch: {epoch, batch, batchesPerEpoch, loss}. */
  trainBatch() {
    const result = this.#handle.trainBatch();
    check(result.error);
    return { epoch: result.epoch, batch: result.batch, batchesPerEpoch: result.batchesPerEpoch, loss: result.loss };
  }

  /**
   * trainBatch seen from inside, the same step bit for bit: {epoch, batch, batchesPerEpoch, loss, threes,
   * sevens, rows (Int32Array: the batch's training images), predictions (each image's P(3) before the
   * step), gradient (the book's calc_grad) and update (the parameters after minus before), both Float32Arrays
   * in getParams()'s layout}.
   */
  traceBatch() {
    const { error, ...trace } = this.#handle.traceBatch();
    check(error);
    return trace;
  }

  /** The loss of every SGD step of the run so far, in order: a Float32Array, batchesPerEpoch per epoch. */
  stepLosses() {
    return this.#handle.stepLosses();
  }

  /** The book's validate_epoch (mean of per-batch accuracies, 4 places) and the exact accuracy. */
  validate() {
    return this.#handle.validate();
  }

  /**
   * On the validation set: {threesAsThree, threesAsSeven, sevensAsThree, sevensAsSeven} and `misclassified`,
   * an Int32Array of the indices (for sample.image('valid', i)) of the images the model gets wrong.
   */
  confusion() {
    return this.#handle.confusion();
  }

  get epochsDone() {
    return this.#handle.epochsDone();
  }

  /**
   * The parameters in the layout of the reference files (facts().models[model].paramCount of them): for the
   * linear model the weights in pixel order, then the bias; for simple_net w1 (a row of weights per unit),
   * b1, w2 and b2.
   */
  getParams() {
    return this.#handle.getParams();
  }

  /** The parameters as text, byte for byte what `mnist-sgd --save-params` writes. */
  paramsText() {
    return this.#handle.paramsText();
  }

  setParams(params) {
    check(this.#handle.setParams(Float32Array.from(params)));
  }

  /** The first layer's weights, one per pixel for each unit, in pixel order (row * side + col). */
  weights() {
    return this.#handle.weights();
  }

  /** Probability that an image (facts().inputs pixels) is a 3. */
  predict(image) {
    return this.#handle.predict(checkImages(image, this.#inputs, true));
  }

  /** P(3) of each of n images given one after another, in one call into the engine. */
  predictMany(images) {
    return this.#handle.predictMany(checkImages(images, this.#inputs, false));
  }

  delete() {
    this.#handle?.delete();
    this.#handle = null;
  }
}

export class Predictor {
  #handle;
  #inputs;

  constructor(handle, inputs) {
    this.#handle = handle;
    this.#inputs = inputs;
  }

  /** The parameters of `model` ('linear' or 'simple_net') in the reference files' layout, as getParams gives them. */
  load(model, params) {
    check(this.#handle.load(model, params instanceof Float32Array ? params : Float32Array.from(params)));
  }

  /** Probability that an image (facts().inputs pixels) is a 3. */
  predict(image) {
    return this.#handle.predict(checkImages(image, this.#inputs, true));
  }

  delete() {
    this.#handle?.delete();
    this.#handle = null;
  }
}
