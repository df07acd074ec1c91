// Our engine as the page runs it: engine.js -> createTrainer -> setParams(init) -> trainEpoch(), in a
// Web Worker. Each run starts again from the same parameters; every epoch is timed as the page sees it.
// wasmFile: the build to time, when not the one engine.js picks for this browser (the one without SIMD).
import { loadEngine } from '/engine.js';

async function train({ archive, init, epochs, runs, warmUp, wasmFile }) {
  const engine = await loadEngine(wasmFile ? { wasmBinary: await (await fetch(`/${wasmFile}`)).arrayBuffer() } : {});
  const sample = engine.loadSample(archive);
  const trainer = engine.createTrainer(sample, { lr: 1, batchSize: 256, shuffle: false });
  // V8 first runs the module with its baseline compiler and optimises the hot functions in the background
  // once they have run a while (later when the machine is busy): train untimed until that is surely done.
  trainer.setParams(init);
  const start = performance.now();
  for (let epoch = 0; epoch < warmUp.epochs || performance.now() - start < warmUp.ms; epoch++) trainer.trainEpoch();

  const ms = [];
  let validateEpoch;
  for (let run = 0; run < runs; run++) {
    trainer.setParams(init);
    const runMs = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      const start = performance.now();
      trainer.trainEpoch();
      runMs.push(performance.now() - start);
    }
    ms.push(runMs);
    validateEpoch = trainer.validate().validateEpoch;
  }
  trainer.delete();
  sample.delete();
  return { ms, validateEpoch };
}

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ result: await train(data) });
  } catch (error) {
    self.postMessage({ error: error?.stack ?? String(error) });
  }
};
