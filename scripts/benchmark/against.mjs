// The A/B half of scripts/bench --against REV: this tree's build and REV's (built by scripts/bench in a
// worktree under build/against/), run side by side in one run, taking turns (before, after, after, before,
// ...) so that load which comes and goes on the shared machine falls on both alike. Each turn: the native
// CLI on both models (its epochs' ms and its peak resident memory), then in one headless Chromium the
// site's own engine in a Web Worker on both models (with the WebAssembly memory of the page's two
// instances), and a first visit of the page (navigation -> data ready).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';

import { launchChromium, serve, timeThePage } from './chromium.mjs';
import { parseTsv } from './report.mjs';

const run = promisify(execFile);

// TSV with a header line -> [{column: text}].

// One CLI run under /usr/bin/time: {ms: [per epoch], peakKiB}.
async function cliRun(cli, args) {
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'peak-kib %M', cli, ...args], { maxBuffer: 1 << 26 });
  return { ms: parseTsv(stdout).map((row) => Number(row.ms)), peakKiB: Number(stderr.match(/peak-kib (\d+)/)[1]) };
}

async function inWorker(browser, origin, job) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/ab/index.html`);
    return await page.evaluate((job) => new Promise((resolve, reject) => {
      const worker = new Worker('/ab/ab-worker.js', { type: 'module' });
      worker.onmessage = ({ data }) => { worker.terminate(); data.error ? reject(new Error(data.error)) : resolve(data.result); };
      worker.onerror = (event) => { worker.terminate(); reject(new Error(event.message)); };
      worker.postMessage(job);
    }), job);
  } finally {
    await context.close();
  }
}

/**
 * settings: {rounds, pageLoads (first visits of each side's page per round), epochs, simpleNetEpochs, warmup
 * (epochs dropped from each CLI run; in the worker, the least trained untimed), warmUpMs (the worker's untimed
 * training, at least), init,
 * simpleNetInit (arrays), files: {init, simpleNetInit} (paths)}; sides: [{id, label, root}] (a root holds
 * build/native/mnist-sgd and build/site). Resolves to {sides: {id: {label, native: {...}, chromium: {...}}}}.
 */
export async function benchAgainst(settings, sample, sides, browserFolder, log) {
  const results = Object.fromEntries(sides.map(({ id, label }) => [id, {
    label,
    native: { linear: [], simpleNet: [], peakKiB: [], validateEpoch: null },
    chromium: { linear: [], simpleNet: [], memory: null, ready: [], decode: [] },
  }]));
  const servers = await Promise.all(sides.map(({ root }) =>
    serve({ '/': path.join(root, 'build/site'), '/ab/': browserFolder })));
  const browser = await launchChromium();
  try {
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const s of order) {
        const { id, root } = sides[s];
        const out = results[id];
        log(`against: round ${round + 1} of ${settings.rounds}, ${id}`);
        const cli = path.join(root, 'build/native/mnist-sgd');
        const common = ['--data', sample, '--tsv'];
        const linear = await cliRun(cli, ['train', ...common, '--init-params', settings.files.init, '--epochs', String(settings.epochs)]);
        out.native.linear.push(...linear.ms.slice(settings.warmup));
        out.native.peakKiB.push(linear.peakKiB);
        const simple = await cliRun(cli, ['train', '--model', 'simple_net', '--lr', '0.1', ...common,
          '--init-params', settings.files.simpleNetInit, '--epochs', String(settings.simpleNetEpochs)]);
        out.native.simpleNet.push(...simple.ms.slice(settings.warmup));
        out.native.peakKiB.push(simple.peakKiB);

        const worker = await inWorker(browser, servers[s].origin, {
          init: settings.init, simpleNetInit: settings.simpleNetInit, epochs: settings.epochs,
          simpleNetEpochs: settings.simpleNetEpochs, warmUp: { epochs: settings.warmup, ms: settings.warmUpMs },
        });
        out.chromium.linear.push(...worker.linear.ms);
        out.chromium.simpleNet.push(...worker.simpleNet.ms);
        out.chromium.memory = worker.memory;
        out.chromium.validateEpoch = [worker.linear.validateEpoch, worker.simpleNet.validateEpoch];
        const page = await timeThePage(browser, servers[s].origin, settings.pageLoads);
        out.chromium.ready.push(...page.ready);
        out.chromium.decode.push(...page.decode);
      }
    }
  } finally {
    await browser.close();
    for (const server of servers) server.close();
  }
  return { settings: { rounds: settings.rounds, pageLoads: settings.pageLoads, epochs: settings.epochs, simpleNetEpochs: settings.simpleNetEpochs, warmup: settings.warmup }, sides: results };
}
