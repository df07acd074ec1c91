// The benchmark's page: decodes the sample once with our engine, then trains each engine in a Web Worker
// of its own, one after another, so that no two compete for the cores. Every engine gets the same images
// in the same order, the same initial parameters and the book's settings (lr 1, batches of 256, in order).
import { loadEngine } from '/engine.js';

// One split as TF.js takes it: x, (count x 784) pixels in [0, 1]; y, (count) labels, 1 for a 3.
function tensorsOf(sample, split, count) {
  const x = new Float32Array(count * 784);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    x.set(sample.image(split, i), i * 784);
    y[i] = sample.label(split, i);
  }
  return { x, y };
}

// The images' blocks of 8 pixels that hold ink: what the engine's linear epoch reads (see the floor).
function inkedBlocks({ x }) {
  let count = 0;
  for (let block = 0; block < x.length; block += 8) count += x.subarray(block, block + 8).some((value) => value !== 0);
  return count;
}

// Starts a worker, posts it its job and resolves with its one reply ({result} or {error}).
function runWorker(url, type, job) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(url, import.meta.url), { type });
    worker.onmessage = ({ data }) => {
      worker.terminate();
      if (data.error) reject(new Error(`${url}: ${data.error}`));
      else resolve(data.result);
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`${url} failed: ${event.message || 'it could not be loaded'}`));
    };
    worker.postMessage(job);
  });
}

/**
 * {init: 785 numbers, epochs, runs, warmUp: {epochs, ms}} -> {sample: {trainCount, validCount, inkedBlocks}, engines:
 * {id: result}}, where a result holds ms[run][epoch] (the training of each epoch, validation excluded) and
 * the last run's validateEpoch. Each engine first trains untimed for warmUp.epochs and warmUp.ms at least.
 */
window.runBenchmarks = async ({ init, epochs, runs, warmUp }) => {
  const archive = new Uint8Array(await (await fetch('/mnist_sample.tgz')).arrayBuffer());
  const engine = await loadEngine();
  const sample = engine.loadSample(archive);
  const { trainCount, validCount } = sample;
  const train = tensorsOf(sample, 'train', trainCount);
  const valid = tensorsOf(sample, 'valid', validCount);
  sample.delete();

  const job = { init: Float32Array.from(init), epochs, runs, warmUp };
  const engines = {};
  engines.wasm = await runWorker('engine-worker.js', 'module', { ...job, archive });
  engines['wasm-scalar'] = await runWorker('engine-worker.js', 'module', { ...job, archive, wasmFile: 'mnist_sgd_scalar.wasm' });
  engines['tfjs-wasm'] = await runWorker('tfjs-worker.js', 'classic', { ...job, backend: 'wasm', train, valid });
  engines['tfjs-cpu'] = await runWorker('tfjs-worker.js', 'classic', { ...job, backend: 'cpu', train, valid });
  return { sample: { trainCount, validCount, inkedBlocks: inkedBlocks(train) }, engines };
};
