// The learner's checks (learner.mjs) in Firefox ESR, and the page's word when WebAssembly is switched off
// or a policy blocks it on the page.
import { blockedOnThePageTests, cannotRunTests, embeddingTests, learnerTests } from './learner.mjs';

learnerTests('firefox');
embeddingTests('firefox');
cannotRunTests('firefox', {
  title: 'the page in Firefox ESR with WebAssembly switched off',
  launchOptions: { prefs: { 'javascript.options.wasm': false } },
  reason: /^This browser has no WebAssembly \(it lacks it, or it is switched off\), so the model cannot run here/,
});
blockedOnThePageTests('firefox');
