// The page's side of worker.js: call() posts one request and resolves with its reply, so that the
// controller can await the engine as if it were local while it runs on another thread.
export class WorkerClient {
  #worker;
  #pending = new Map();  // request id -> {resolve, reject}
  #nextId = 1;
  #failure = null;  // set once the worker has died: later calls fail at once instead of waiting forever

  constructor() {
    this.#worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.#worker.onmessage = ({ data: { id, result, error, progress } }) => {
      const request = this.#pending.get(id);
      if (progress !== undefined) {  // a report on the way to the reply, not the reply
        request?.onProgress?.(progress);
        return;
      }
      this.#pending.delete(id);
      if (error === undefined) request?.resolve(result);
      else request?.reject(new Error(error));
    };
    // Only a worker that could not start or crashed gets here; every pending request fails with it.
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#failure = new Error(`the training worker stopped: ${event.message || 'it could not be loaded'}`);
      for (const request of this.#pending.values()) request.reject(this.#failure);
      this.#pending.clear();
    };
  }

  /**
   * Runs worker method `method` with `args`; buffers in `transfer` move to the worker. `onProgress` gets the
   * progress reports the method sends before its reply.
   */
  call(method, args = {}, transfer = [], onProgress = undefined) {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject, onProgress });
      this.#worker.postMessage({ id, method, args }, transfer);
    });
  }
}

/**
 * The page's one training worker. index.html loads this module on its own, before the controller's larger
 * module graph, so that the worker (and the engine it compiles, and the dataset it fetches) start while the
 * page is still starting up; the controller's import then gets this same instance.
 */
export const trainingWorker = new WorkerClient();
