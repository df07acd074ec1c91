// The dataset's side of the controller: a learner's archive handed to the worker, and a load that failed.
// Each changes the page state; the controller asks for the render.
import { readFile } from './loader.js';
import { engineProblem } from './unsupported.js';

/** Sends the file to the worker, which decodes it before it lets go of the dataset in use: false (and the state says why) for a bad file. */
export async function loadArchiveFile(state, worker, file) {
  try {
    const bytes = await readFile(file);
    await worker.call('loadSample', { name: file.name, bytes }, [bytes.buffer]);
    return true;
  } catch (error) {
    await dataFailed(state, file.name, error.message);
    return false;
  }
}

/** A load that failed (name null: the worker stopped before it said what it loaded). Where the engine cannot run in this browser, no archive can help, and the state says that instead. */
export async function dataFailed(state, name, message) {
  const what = await engineProblem();
  if (what) state.engineProblem = { what, everywhere: true };
  state.data = { ...state.data, loading: null, ...(!what && { error: { name, message } }) };
}
