// The Data card: the archive's download and decoding, the dataset in use, and a load that failed.
import { count } from '../format.js';
import { engineSentence } from '../unsupported.js';
import { elements, setText } from './dom.js';

// The bar and the count beside it change at most ten times a second, not with every piece of the archive
// the worker reports: each change costs the page a frame (style, layout, paint), time that the worker
// decoding the data needs the processor for. The status line changes with each phase at once.
const PROGRESS_INTERVAL_MS = 100;
const megabytes = (bytes) => (bytes / 1e6).toFixed(1);

export class DataCard {
  #el = elements(['data-status', 'data-progress', 'data-progress-bar', 'data-bytes', 'data-error', 'data-file']);
  #progressShownAt = -Infinity;  // when the progress was last written (performance.now())

  /** data: the page state's `data` ({dataset, loading, error}), and its engineProblem as `problem`. */
  render({ dataset, loading, error, problem }) {
    const el = this.#el;
    const sentence = problem && engineSentence(problem).data;
    if (sentence) {  // no archive can help: one sentence, and no file to choose
      el['data-progress'].hidden = true;
      el['data-error'].hidden = false;
      setText(el['data-error'], sentence);
      setText(el['data-status'], '');
      el['data-file'].disabled = true;
      return;
    }
    el['data-progress'].hidden = !loading;
    if (loading) {
      this.#progress(loading);
      return;
    }
    const loaded = dataset && describe(dataset);
    el['data-error'].hidden = !error;
    if (error) {
      // No name: the worker stopped before it could say what it was loading.
      setText(el['data-error'], `${error.name ? `Could not use ${error.name}` : 'Could not load the data'}: ${error.message}. ` + (loaded
        ? 'The dataset loaded before is still in use.'
        : 'Choose the MNIST sample archive (mnist_sample.tgz) below, or drop it on the page.'));
    }
    setText(el['data-status'], error
      ? (loaded ? `${loaded}.` : 'No dataset loaded.')
      : `${loaded}, decoded in ${Math.round(dataset.decodeMs)} ms.`);
  }

  // {received, total} while downloading, {decoded, total} while decoding a file's bytes (total 0: unknown,
  // and the bar is indeterminate); name null: the engine is starting, as the page's own text says.
  #progress({ name, received, decoded, total }) {
    const el = this.#el;
    if (name === null) return;
    const status = decoded === undefined ? `Downloading and decoding ${name}…` : `Decoding ${name} in WebAssembly…`;
    const now = performance.now();
    if (el['data-status'].textContent === status && now - this.#progressShownAt < PROGRESS_INTERVAL_MS) return;
    this.#progressShownAt = now;
    const value = decoded ?? received;
    if (total) {
      el['data-progress-bar'].max = total;
      el['data-progress-bar'].value = value;
    }
    el['data-bytes'].textContent = total ? `${megabytes(value)} of ${megabytes(total)} MB` : `${megabytes(value)} MB`;
    setText(el['data-status'], status);
  }
}

function describe({ name, counts }) {
  return `${name}: ${count(counts.train3 + counts.train7)} training images (${count(counts.train3)} 3s, ` +
    `${count(counts.train7)} 7s) and ${count(counts.valid3 + counts.valid7)} validation images ` +
    `(${count(counts.valid3)} 3s, ${count(counts.valid7)} 7s)`;
}
