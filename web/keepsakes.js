// What the page hands the learner to keep, and takes back: the parameters as a file (written and parsed by
// the engine in the worker, so the file is what `mnist-sgd --save-params` writes), the embed code and the
// notebook code of the run. Each changes the page state; the controller asks for the render.
import { runNotebookCode } from './cards/results.js';
import { embedCode } from './embed-code.js';
import { copyText, readParamsText, saveFile } from './loader.js';
import { embedChoice, modelPosition } from './page-state.js';
import { runOptions } from './settings.js';

const PARAMS_FILE = 'params.txt';

export async function exportParams(state, worker) {
  const { text } = await worker.call('exportParams');
  saveFile(PARAMS_FILE, text);
  state.paramsFile = { saved: PARAMS_FILE, position: modelPosition(state.run) };
}

/**
 * A run from the file's parameters, for the model chosen now: start(snapshot, settings) takes the worker's
 * snapshot of it; a bad file changes nothing but the state's word on it.
 */
export async function importParams(state, worker, file, start) {
  const { settings } = state;
  let snapshot;
  try {
    const text = await readParamsText(file);
    snapshot = await worker.call('importParams', { text, options: runOptions(settings) });
  } catch (error) {
    state.paramsFile = { failed: file.name, message: error.message };
    return;
  }
  state.paramsFile = { imported: file.name, validation: snapshot.validation };
  start(snapshot, settings);
}

export async function copyEmbedCode(state) {
  const code = embedCode(state.settings, embedChoice(state), location.href);
  state.embedForm = { ...state.embedForm, copied: { code, ok: await copyText(code) } };
}

export async function copyNotebookCode(state) {
  const code = runNotebookCode(state.settings);
  state.notebookCopy = { code, copied: await copyText(code) };
}
