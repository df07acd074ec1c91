// The learner's checks (learner.mjs) in WebKitGTK, the engine of Safari; again with WebAssembly SIMD
// switched off (as in Safari before 16.4), where the page must run the module built without it; and, SIMD
// off, a page whose only module needs SIMD: the plain message, not the engine's parse error; and a page
// whose policy blocks WebAssembly outside its worker, as Safari 15's does.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../e2e/helpers.mjs';
import { blockedOnThePageTests, cannotRunTests, embeddingTests, learnerTests } from './learner.mjs';

const withoutSimd = { env: { JSC_useWasmSIMD: 'false' } };

learnerTests('webkit');
embeddingTests('webkit');
learnerTests('webkit', { title: 'the page in WebKitGTK without WebAssembly SIMD', launchOptions: withoutSimd, module: 'mnist_sgd_scalar.wasm' });
cannotRunTests('webkit', {
  title: 'the page in WebKitGTK without WebAssembly SIMD, given only the SIMD module',
  launchOptions: withoutSimd,
  replace: { '/mnist_sgd_scalar.wasm': readFileSync(path.join(ROOT, 'build/site/mnist_sgd.wasm')) },
  reason: /^This browser cannot compile the page's WebAssembly engine, so the model cannot run here/,
});
blockedOnThePageTests('webkit');
