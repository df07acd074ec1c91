// What the page says when this browser cannot run the engine: no WebAssembly (missing, or switched off as
// Safari's Lockdown Mode or Firefox's javascript.options.wasm do), a policy that blocks compiling it, or a
// module that fails to compile. Where nothing can load, one sentence naming what is missing and the browsers
// that work, in the Data card's alert, the first place on the page that speaks of the engine; the drawing pad
// then says it cannot predict. Where only the pad cannot (Safari 15 trains in its worker but, not knowing
// 'wasm-unsafe-eval', blocks WebAssembly on the page), the pad alone says why. Other failures (a bad archive,
// a lost connection) are not this module's: reportEngineProblem() returns false and the caller shows them.
import { moduleFile } from './engine.js';

// Module workers: Firefox 114, Safari 15; 'wasm-unsafe-eval' in the page's policy: Chrome 97, Firefox 102,
// Safari 16. (A browser without WebAssembly SIMD loads the engine built without it.)
export const WORKING_BROWSERS = 'Chrome and Edge 97, Firefox 114 and Safari 16, or later versions';
const EMPTY_MODULE = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0);  // "\0asm", version 1: nothing in it

let problem = null;  // a promise of what is missing, or of null where the engine can run

/** What keeps the engine from running on this page ("This browser has no WebAssembly ..."), or null. Checked once. */
export function engineProblem() {
  problem ??= check();
  return problem;
}

async function check() {
  if (typeof WebAssembly !== 'object') return 'This browser has no WebAssembly (it lacks it, or it is switched off)';
  try {
    new WebAssembly.Instance(new WebAssembly.Module(EMPTY_MODULE));  // WebKit's policy refuses the instance
  } catch {
    return 'This browser blocks WebAssembly on this page (a security setting, or an older version)';
  }
  try {
    const response = await fetch(new URL(moduleFile(), import.meta.url));
    await WebAssembly.compile(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof WebAssembly.CompileError) return 'This browser cannot compile the page\'s WebAssembly engine';
  }
  return null;
}

let inDataCard = false;  // whether the Data card says it already

/**
 * After the data ('data') or a prediction ('drawing') failed: when the engine cannot run here, says so
 * and returns true; otherwise returns false and shows nothing. Called again, it shows nothing new.
 */
export async function reportEngineProblem(part) {
  const what = await engineProblem();
  if (!what) return false;
  const element = (id) => document.getElementById(id);
  if (part === 'data') {
    inDataCard = true;
    element('data-error').textContent = `${what}, so the model cannot run here: the page works in ${WORKING_BROWSERS}.`;
    element('data-error').hidden = false;
    element('data-status').textContent = '';
    element('data-progress').hidden = true;
    element('data-file').disabled = true;  // no archive can help
  }
  element('prediction-text').textContent = inDataCard
    ? 'No prediction: this browser cannot run the model.'
    : `No prediction: ${what[0].toLowerCase()}${what.slice(1)}; drawing works in ${WORKING_BROWSERS}.`;
  return true;
}
