// TensorFlow.js 4 trains the book's linear model, written as a web developer would write the book's code:
// preds = sigmoid(x @ w + b), mnist_loss, plain SGD (p -= lr * grad), batches of 256 in order, the same
// initial parameters as our engine. A classic worker: TF.js ships as UMD scripts.
importScripts('/tfjs/tfjs/dist/tf.min.js', '/tfjs/tfjs-backend-wasm/dist/tf-backend-wasm.min.js');

const PIXELS = 784;
const BATCH_SIZE = 256;
const LR = 1;

// A split -> its [xb, yb] batches in order, cut once before any timing (a DataLoader's batches, ready).
function batchesOf({ x, y }) {
  const count = y.length;
  const batches = [];
  for (let first = 0; first < count; first += BATCH_SIZE) {
    const rows = Math.min(BATCH_SIZE, count - first);
    batches.push([
      tf.tensor2d(x.subarray(first * PIXELS, (first + rows) * PIXELS), [rows, PIXELS]),
      tf.tensor2d(y.subarray(first, first + rows), [rows, 1]),
    ]);
  }
  return batches;
}

async function train({ backend, train, valid, init, epochs, runs, warmUp }) {
  if (backend === 'wasm') tf.wasm.setWasmPaths('/tfjs/tfjs-backend-wasm/dist/');
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js could not start its ${backend} backend`);
  const dl = batchesOf(train);
  const validDl = batchesOf(valid);
  const weights = tf.variable(tf.zeros([PIXELS, 1]));
  const bias = tf.variable(tf.zeros([1]));

  const linear1 = (xb) => xb.matMul(weights).add(bias);
  const mnistLoss = (predictions, targets) => {
    const p = predictions.sigmoid();
    return tf.where(targets.equal(1), tf.sub(1, p), p).mean();
  };
  const trainEpoch = () => {
    for (const [xb, yb] of dl) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => mnistLoss(linear1(xb), yb));
        for (const p of [weights, bias]) p.assign(p.sub(grads[p.name].mul(LR)));
      });
    }
    bias.dataSync();  // the epoch is over when its result can be read
  };
  const batchAccuracy = (xb, yb) => xb.sigmoid().greater(0.5).cast('float32').equal(yb).cast('float32').mean();
  const validateEpoch = () => tf.tidy(() => {
    const accs = validDl.map(([xb, yb]) => batchAccuracy(linear1(xb), yb));
    return Math.round(tf.stack(accs).mean().dataSync()[0] * 1e4) / 1e4;
  });

  const setParams = () => tf.tidy(() => {
    weights.assign(tf.tensor2d(init.subarray(0, PIXELS), [PIXELS, 1]));
    bias.assign(tf.tensor1d(init.subarray(PIXELS)));
  });

  // Untimed epochs first, as for our engine: V8 optimises TF.js's JavaScript (and wasm) as it runs.
  setParams();
  const start = performance.now();
  for (let epoch = 0; epoch < warmUp.epochs || performance.now() - start < warmUp.ms; epoch++) trainEpoch();

  const ms = [];
  for (let run = 0; run < runs; run++) {
    setParams();
    const runMs = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      const start = performance.now();
      trainEpoch();
      runMs.push(performance.now() - start);
    }
    ms.push(runMs);
  }
  const flavour = backend === 'wasm'
    ? { simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), threads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') }
    : {};
  return { ms, validateEpoch: validateEpoch(), version: tf.version.tfjs, backend: tf.getBackend(), ...flavour };
}

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ result: await train(data) });
  } catch (error) {
    self.postMessage({ error: error?.stack ?? String(error) });
  }
};
