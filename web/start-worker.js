// Starts the training worker (worker.js) while the page is still being parsed, so that its download and
// decoding of the dataset begin about 200 ms sooner. This is the page's one classic script, because a
// module script, even an async one, runs only after the page's first style and layout, which take that
// long here. index.html loads it first, parser-blocking.
//
// A classic script and the modules share nothing but the global object, so the worker is handed over
// through one global, `self.mnistSgdEarlyWorker`: worker-client.js takes it (and deletes the name), or
// starts its own worker when it is absent (a page that loads the modules without this script).
'use strict';
{
  const early = {
    worker: new Worker(new URL('worker.js', document.currentScript.src), { type: 'module' }),
    error: null,  // the error event of a worker that stopped (could not load) before worker-client.js listened
    messages: [],  // the data of what the worker posted before worker-client.js listened, in order
  };
  // A worker's message that finds no listener is lost, and the worker's news can come before the modules
  // run: with a module that fails to compile, its 'dataset-error' did in 3 of 34 loads here.
  early.worker.onmessage = ({ data }) => early.messages.push(data);
  early.worker.addEventListener('error', (event) => {
    event.preventDefault();  // worker-client.js shows it on the page: not an uncaught error
    early.error ??= event;
  });
  self.mnistSgdEarlyWorker = early;
}
