// What keeps this browser from running the engine, if anything: no WebAssembly (missing, or switched off as
// Safari's Lockdown Mode or Firefox's javascript.options.wasm do), a policy that blocks compiling it, or a
// module that fails to compile. The controller asks after a load or a prediction fails, keeps the answer in
// the page state, and the Data and Draw cards say it in one sentence (engineSentence). Other failures (a bad
// archive, a lost connection) are not this module's: engineProblem() is then null.
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

/**
 * The sentences for the page state's engineProblem ({what, everywhere}): `data` for the Data card (null when
 * only the page's own thread cannot run it, as in Safari 15, whose worker trains), `drawing` for the pad.
 */
export function engineSentence({ what, everywhere }) {
  return {
    data: everywhere ? `${what}, so the model cannot run here: the page works in ${WORKING_BROWSERS}.` : null,
    drawing: everywhere
      ? 'No prediction: this browser cannot run the model.'
      : `No prediction: ${what[0].toLowerCase()}${what.slice(1)}; drawing works in ${WORKING_BROWSERS}.`,
  };
}
