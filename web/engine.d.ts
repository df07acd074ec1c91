// Types for web/engine.js (Emscripten 3.1.6 cannot emit them).

export interface RunOptions {
  /** The chapter's linear model or simple_net (784-30-1 with a ReLU). */
  model: 'linear' | 'simple_net';
  /** Learning rate, > 0. The book: 1. */
  lr: number;
  /** Images per SGD step and per validation batch. The book: 256. */
  batchSize: number;
  /**
   * torch.manual_seed(seed): the initial parameters and the shuffling are a notebook's. 0 to 2^64 - 1
   * (facts().seed); only its low 32 bits reach PyTorch's generator. A number must be a safe integer; larger
   * seeds come as a decimal string or a BigInt.
   */
  seed: number | string | bigint;
  /** Reshuffle the training images every epoch. The book's DataLoader does not. */
  shuffle: boolean;
  /**
   * 'randn': the book's torch.randn * 1; 'pytorch': nn.Linear's uniform +-1/sqrt(fan_in); 'default': the
   * model's own (randn for the linear model, pytorch for simple_net, as the book builds it from nn.Linear).
   */
  init: 'randn' | 'pytorch' | 'default';
  /** 'mnist_loss' (the book's) or 'accuracy': the book's batch_accuracy as the loss, whose gradient is zero. */
  loss: 'mnist_loss' | 'accuracy';
}

export const DEFAULT_OPTIONS: Readonly<RunOptions>;

export interface EpochStats { epoch: number; trainLoss: number; ms: number; }
export interface BatchStats { epoch: number; batch: number; batchesPerEpoch: number; loss: number; }
/** One SGD step seen from inside: trainBatch's step, bit for bit. */
export interface StepTrace extends BatchStats {
  /** The batch's labels, counted. */
  threes: number;
  sevens: number;
  /** The batch's images: indices into the training set, in the batch's order. */
  rows: Int32Array;
  /** Each image's P(3) before the step. */
  predictions: Float32Array;
  /** The book's calc_grad, in getParams()'s layout; all zero with loss 'accuracy'. */
  gradient: Float32Array;
  /** The parameters after the step minus before. */
  update: Float32Array;
}
export interface Validation {
  /** The book's validate_epoch: mean of per-batch accuracies, rounded to 4 places. */
  validateEpoch: number;
  /** correct / count. */
  accuracy: number;
  correct: number;
  count: number;
}
export interface SampleCounts { train3: number; train7: number; valid3: number; valid7: number; }

export interface ModelFacts {
  /** First-layer units, each a map of weights over the image: 1 for linear, 30 for simple_net. */
  units: number;
  /** Parameters in the reference files' layout: 785 for linear, 23,581 for simple_net. */
  paramCount: number;
  /** What the book trains the model with: lr 1 for 20 epochs (linear), lr 0.1 for 40 (simple_net). */
  book: { lr: number; epochs: number };
  /** The initialisation 'default' stands for: 'randn' for linear, 'pytorch' for simple_net. */
  defaultInit: 'randn' | 'pytorch';
}

/** What the engine knows about its models, read from it (Engine.facts). */
export interface EngineFacts {
  /** Pixels per image side: 28. */
  imageSide: number;
  /** Pixels per image, the models' inputs: 784. */
  inputs: number;
  models: { linear: ModelFacts; simple_net: ModelFacts };
  /** The named initialisations: ['randn', 'pytorch']. */
  inits: Array<'randn' | 'pytorch'>;
  /** The seeds a run takes, in decimal: '0' to '18446744073709551615' (2^64 - 1). */
  seed: { min: string; max: string };
  /** The batch sizes a run takes: 1 to 2^20. */
  batchSize: { min: number; max: number };
}

/** The engine's WebAssembly file for this browser: 'mnist_sgd.wasm' (SIMD) or 'mnist_sgd_scalar.wasm'. */
export function moduleFile(): 'mnist_sgd.wasm' | 'mnist_sgd_scalar.wasm';
export function loadEngine(moduleOptions?: { wasmBinary?: ArrayBuffer | Uint8Array; locateFile?: (path: string) => string }): Promise<Engine>;

export class Engine {
  /** What the engine knows about its models (a fresh object each call). */
  facts(): EngineFacts;
  /** A parameters file's text -> the model's parameters; throws an Error with the engine's one-line message. */
  parseParams(model: 'linear' | 'simple_net', text: string): Float32Array;
  /** Parameters -> the text `mnist-sgd --save-params` writes, one %.9g number a line. */
  formatParams(params: ArrayLike<number>): string;
  /** Decodes mnist_sample.tgz. Throws an Error whose message names the problem. */
  loadSample(bytes: Uint8Array, options?: { onProgress?: (decodedBytes: number, totalBytes: number) => void }): Sample;
  /** Decodes an archive while it arrives: write() each piece, then finish(). */
  sampleLoader(): SampleLoader;
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
  /** After the last piece: the Sample, its images in the book's order. */
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
  traceBatch(): StepTrace;
  /** The loss of every SGD step of the run so far, in order. */
  stepLosses(): Float32Array;
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
