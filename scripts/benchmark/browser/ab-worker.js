// One side of the A/B comparison (scripts/benchmark/against.mjs), in a Web Worker of the site it is served
// beside: that site's engine.js and module, as its page runs them. Trains the linear model and simple_net
// from the reference runs' parameters, every epoch timed, and reports the WebAssembly memory of the two
// instances the page keeps: the worker's, after the sample is loaded, and the drawing predictor's.
async function run({ init, simpleNetInit, epochs, simpleNetEpochs, warmUp }) {
  const { loadEngine } = await import('/engine.js');
  const archive = new Uint8Array(await (await fetch('/mnist_sample.tgz')).arrayBuffer());
  const engine = await loadEngine();
  const sample = engine.loadSample(archive);
  const memory = { worker: engine.memoryBytes, workerHeapInUse: engine.heapBytesInUse };

  const predictorEngine = await loadEngine();
  const predictor = predictorEngine.createPredictor();
  predictor.load('linear', init);
  memory.predictor = predictorEngine.memoryBytes;
  memory.predictorHeapInUse = predictorEngine.heapBytesInUse;
  predictor.delete?.();

  const timeEpochs = (options, params, count) => {
    const trainer = engine.createTrainer(sample, options);
    trainer.setParams(params);
    // Untimed first, until V8 has surely optimised the hot code in the background: as engine-worker.js does.
    const start = performance.now();
    for (let epoch = 0; epoch < warmUp.epochs || performance.now() - start < warmUp.ms; epoch++) trainer.trainEpoch();
    trainer.setParams(params);
    const ms = [];
    for (let epoch = 0; epoch < count; epoch++) {
      const start = performance.now();
      trainer.trainEpoch();
      ms.push(performance.now() - start);
    }
    const validateEpoch = trainer.validate().validateEpoch;
    trainer.delete();
    return { ms, validateEpoch };
  };
  const linear = timeEpochs({ lr: 1, batchSize: 256, shuffle: false }, init, epochs);
  const simpleNet = timeEpochs({ model: 'simple_net', lr: 0.1, batchSize: 256, shuffle: false }, simpleNetInit, simpleNetEpochs);
  sample.delete();
  return { linear, simpleNet, memory };
}

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ result: await run(data) });
  } catch (error) {
    self.postMessage({ error: error?.stack ?? String(error) });
  }
};
