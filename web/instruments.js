// The page's measurements, for benchmark scripts (scripts/benchmark) and the timings line below the
// results. Each is written at once as a data attribute on <html>, in milliseconds to 0.1 (or bytes), where a
// script can wait for it:
//   data-ready-ms      navigation start -> the first run on the sample decoded in the worker
//   data-decode-ms     of which: inflating and decoding the archive in the worker
//   data-train-ms, data-train-epochs   the engine's training time over the run's epochs
//   data-play-ms, data-play-epochs     the last Play's wall time, messaging included
//   data-predict-ms    the pen's input event -> its prediction, ready to draw
//   data-worker-heap-bytes, data-worker-memory-bytes   the worker's engine with the dataset and a run in it:
//                      its heap in use (Engine.heapBytesInUse) and its WebAssembly memory (Engine.memoryBytes)

/** What a new run's snapshot from the worker adds: the first run's readiness, the worker's memory. */
export function recordRun(state, snapshot, first) {
  record(state, {
    trainMs: 0, trainEpochs: 0,
    ...(first && { readyMs: performance.now(), decodeMs: snapshot.dataset.decodeMs }),
    ...(snapshot.heapBytes && { workerHeapBytes: snapshot.heapBytes, workerMemoryBytes: snapshot.memoryBytes }),
  });
}

/** The engine's training time over the run's epochs so far. */
export function recordTraining(state) {
  record(state, { trainMs: state.run.history.reduce((sum, r) => sum + r.ms, 0), trainEpochs: state.run.history.length });
}

/** Records `values` ({readyMs: 812.3, ...}): on <html> at once, and in the page state's timings. */
export function record(state, values) {
  for (const [name, value] of Object.entries(values)) document.documentElement.dataset[name] = String(Math.round(value * 10) / 10);
  state.timings = { ...state.timings, ...values };
}
