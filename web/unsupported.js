// What the page says when this browser cannot run the engine at all: no WebAssembly (missing, or switched
// off as Safari's Lockdown Mode or Firefox's javascript.options.wasm do), a policy that blocks compiling it,
// or a module that fails to compile. One sentence naming what is missing and the browsers that work, in the
// data card's alert, the first thing on the page that speaks of the engine; the drawing pad says it cannot
// predict. Other failures (a bad archive, a lost connection) are not this module's: reportEngineProblem()
// then returns false and the caller shows them as before.
import { moduleFile } from './engine.js';

// Module workers: Firefox 114, Safari 15; 'wasm-unsafe-eval' in the page's policy: Chrome 97, Firefox 102,
// Safari 16. (A browser without WebAssembly SIMD loads the engine built without it.)
export const WORKING_BROWSERS = 'Chrome and Edge 97, Firefox 114 and Safari 16, or later versions';
const EMPTY_MODULE = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0);  // "\0asm", version 1: nothing in it

let problem = null;  // a promise of the sentence, or of null where the engine can run

/** The sentence saying why the engine cannot run in this browser, or null when it can. Checked once. */
export function engineProblem() {
  problem ??= check();
  return problem;
}

async function check() {
  const cannot = (what) => `${what}, so the model cannot run here: the page works in ${WORKING_BROWSERS}.`;
  if (typeof WebAssembly !== 'object') return cannot('This browser has no WebAssembly (it lacks it, or it is switched off)');
  try {
    new WebAssembly.Module(EMPTY_MODULE);
  } catch {
    return cannot('This browser blocks WebAssembly on this page (a security setting, or a version older than these)');
  }
  try {
    const response = await fetch(new URL(moduleFile(), import.meta.url));
    await WebAssembly.compile(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof WebAssembly.CompileError) return cannot('This browser cannot compile the page\'s WebAssembly engine');
  }
  return null;
}

/**
 * After a failure to load data or to predict: when the engine cannot run in this browser, says so (once,
 * however often it is called) and returns true; otherwise returns false and shows nothing.
 */
export async function reportEngineProblem() {
  const sentence = await engineProblem();
  if (!sentence) return false;
  const element = (id) => document.getElementById(id);
  element('data-error').textContent = sentence;
  element('data-error').hidden = false;
  element('data-status').textContent = '';
  element('data-progress').hidden = true;
  element('data-file').disabled = true;  // no archive can help
  element('prediction-text').textContent = 'No prediction: this browser cannot run the model.';
  return true;
}
