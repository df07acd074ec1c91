// The learner's checks (learner.mjs) in Chromium, and the page's word when its module fails to compile or
// when a policy blocks WebAssembly on the page.
import { blockedOnThePageTests, cannotRunTests, embeddingTests, learnerTests } from './learner.mjs';

learnerTests('chromium');
embeddingTests('chromium');
cannotRunTests('chromium', {
  title: 'the page in Chromium when its module does not compile',
  replace: { '/mnist_sgd.wasm': Buffer.from('\0asm this is not WebAssembly') },
  reason: /^This browser cannot compile the page's WebAssembly engine, so the model cannot run here/,
});
blockedOnThePageTests('chromium');
