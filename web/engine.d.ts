// Types for web/engine.js (Emscripten 3.1.6 cannot emit them).

export interface RunOptions {
  /** The chapter's linear model (the seed) or simple_net (784-30-1 with a ReLU). */
  model: 'linear' | 'simple_net';
  /** Learning rate, > 0. The book: 1. */
  lr: number;
  /** Images per SGD step and per validation batch. The book: 256. */
  batchSize: number;
  /** Seeds the initial parameters (and the shuffling): a whole number from 0 to 2^53. */
  seed: number;
  /** Reshuffle the training images every epoch. The book's DataLoader does not. */
  shuffle: boolean;
  /**
   * 'randn': the book's torch.randn * 1; 'pytorch': nn.Linear's uniform +-1/sqrt(fan_in); 'default': the
   * model's own (randn for the linear model, pytorch for simple_net, as the book builds it from nn.Linear).
   */
  init: 'randn' | 'pytorch' | 'default';
}

export const DEFAULT_OPTIONS: Readonly<RunOptions>;

export interface EpochStats { epoch: number; trainLoss: number; ms: number; }
export interface BatchStats { epoch: number; batch: number; batchesPerEpoch: number; loss: number; }
export interface Validation {
  /** The book's validate_epoch: mean of per-batch accuracies, rounded to 4 places. */
  validateEpoch: number;
  /** correct / count. */
  accuracy: number;
  correct: number;
  count: number;
}
export interface SampleCounts { train3: number; train7: number; valid3: number; valid7: number; }

/** The engine's WebAssembly file for this browser: 'mnist_sgd.wasm' (SIMD) or 'mnist_sgd_scalar.wasm'. */
export function moduleFile(): 'mnist_sgd.wasm' | 'mnist_sgd_scalar.wasm';
export function loadEngine(moduleOptions?: { wasmBinary?: ArrayBuffer | Uint8Array; locateFile?: (path: string) => string }): Promise<Engine>;

export class Engine {
  /**
   * Decodes mnist_sample.tgz. Throws an Error whose message names the problem.
   * tar: the bytes are the tar inside the archive, already inflated by the caller.
   */
  loadSample(bytes: Uint8Array, options?: { tar?: boolean; onProgress?: (decodedBytes: number, totalBytes: number) => void }): Sample;
  /** Decodes an archive while it arrives: write() each piece, then finish(). */
  sampleLoader(options?: { tar?: boolean }): SampleLoader;
  createTrainer(sample: Sample, options?: Partial<RunOptions>): Trainer;
  /** A model without a dataset, to predict with parameters trained elsewhere. */
  createPredictor(): Predictor;
  /** A drawing (height x width ink in [0, 1]) -> the 28x28 image MNIST would make of it, or null without ink. */
  preprocessDrawing(ink: ArrayLike<number>, width: number, height: number): Float32Array | null;
  readonly memoryBytes: number;
  readonly heapBytesInUse: number;
}

export class SampleLoader {
  /** The archive's next bytes; throws an Error naming the problem as soon as they show it (the load then ends). */
  write(bytes: Uint8Array): void;
  /** After the last piece: the Sample, its images in the seed's order. */
  finish(): Sample;
  /** Stops the load and frees what it read. */
  cancel(): void;
}

export class Sample {
  readonly counts: SampleCounts;
  readonly trainCount: number;
  readonly validCount: number;
  /** 784 values in [0, 1], row by row. */
  image(split: 'train' | 'valid', index: number): Float32Array;
  /** The pixel-similarity baseline's accuracy on the validation 3s, 7s, and their mean (the book: 0.9168, 0.9854, 0.9511). */
  pixelSimilarity(): { threes: number; sevens: number; mean: number };
  /** 1 for a 3, 0 for a 7. */
  label(split: 'train' | 'valid', index: number): number;
  /** Every label of a split in one call. */
  labels(split: 'train' | 'valid'): Float32Array;
  delete(): void;
}

export class Trainer {
  readonly options: RunOptions;
  readonly epochsDone: number;
  reset(options?: Partial<RunOptions>): void;
  trainEpoch(): EpochStats;
  trainBatch(): BatchStats;
  validate(): Validation;
  /** The validation set's 2x2 confusion matrix, and the indices of the images the model gets wrong. */
  confusion(): { threesAsThree: number; threesAsSeven: number; sevensAsThree: number; sevensAsSeven: number; misclassified: Int32Array };
  /** The reference files' layout: linear 785 (784 weights, bias); simple_net 23,581 (w1 30x784, b1, w2, b2). */
  getParams(): Float32Array;
  /** The parameters as text, byte for byte what `mnist-sgd --save-params` writes. */
  paramsText(): string;
  setParams(params: ArrayLike<number>): void;
  /** The first layer's weights: 784 per unit (1 unit for linear, 30 for simple_net), pixel order. */
  weights(): Float32Array;
  /** Probability that the image is a 3. */
  predict(image: ArrayLike<number>): number;
  /** P(3) of each of n images given one after another (n * 784 pixels). */
  predictMany(images: ArrayLike<number>): Float32Array;
  delete(): void;
}

export class Predictor {
  /** Parameters in the reference files' layout, as Trainer.getParams gives them. */
  load(model: 'linear' | 'simple_net', params: ArrayLike<number>): void;
  /** Probability that the image is a 3. */
  predict(image: ArrayLike<number>): number;
  delete(): void;
}
