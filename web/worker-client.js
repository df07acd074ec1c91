// The page's side of worker.js: call() posts one request and resolves with its reply, so that the
// controller can await the engine as if it were local while it runs on another thread; listen() hears
// what the worker says of its own accord (the dataset it fetched) and that it stopped.
export class WorkerClient {
  #worker;
  #pending = new Map();  // request id -> {resolve, reject}
  #nextId = 1;
  #failure = null;  // set once the worker has died: later calls fail at once instead of waiting forever
  #listener = null;
  #unheard = [];  // events that came before anyone listened

  /**
   * early: {worker, error, messages} from start-worker.js, the worker it started, the error event that
   * stopped it and the data of the messages it posted before this client listened (else null); without it,
   * a new worker.
   */
  constructor(early = null) {
    this.#worker = early?.worker ?? new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const receive = ({ data: { id, result, error, event } }) => {
      if (event !== undefined) {
        this.#emit(event);
        return;
      }
      const request = this.#pending.get(id);
      this.#pending.delete(id);
      if (error === undefined) request?.resolve(result);
      else request?.reject(new Error(error));
    };
    // In place of start-worker.js's listener; what that one kept is heard first, in the order it came.
    this.#worker.onmessage = receive;
    for (const data of early?.messages ?? []) receive({ data });
    if (early?.error) this.#stop(early.error);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#stop(event);
    };
  }

  // Only a worker that could not start or crashed gets here; every pending request fails with it.
  #stop(errorEvent) {
    this.#failure = new Error(`the training worker stopped: ${errorEvent.message || 'it could not be loaded'}`);
    for (const request of this.#pending.values()) request.reject(this.#failure);
    this.#pending.clear();
    this.#emit({ type: 'stopped', message: this.#failure.message });
  }

  /**
   * listener(event) for each event: what the worker says of its own accord (worker.js: 'progress',
   * 'dataset', 'dataset-error'), and {type: 'stopped', message} when the worker has died. Events that
   * came before are heard now.
   */
  listen(listener) {
    this.#listener = listener;
    for (const event of this.#unheard.splice(0)) listener(event);
  }

  #emit(event) {
    if (this.#listener) this.#listener(event);
    else this.#unheard.push(event);
  }

  /** Runs worker method `method` with `args`; buffers in `transfer` move to the worker. */
  call(method, args = {}, transfer = []) {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, method, args }, transfer);
    });
  }
}

/**
 * The page's one training worker: the one start-worker.js started while the page was parsed (the worker,
 * the engine it compiles and the dataset it fetches are then under way before any module runs), taken
 * from the global it was left in; or, without that script, one started now.
 */
function takeEarlyWorker() {
  const early = self.mnistSgdEarlyWorker ?? null;
  delete self.mnistSgdEarlyWorker;
  return early;
}

export const trainingWorker = new WorkerClient(takeEarlyWorker());
