// The A/B half of scripts/bench --against REV: this tree's build and REV's (built by scripts/bench in a
// worktree under build/against/), run side by side in one run, taking turns (before, after, after, before,
// ...) so that load which comes and goes on the shared machine falls on both alike. Each turn: the native
// CLI on both models (its epochs' ms and its peak resident memory), then in one headless Chromium the
// site's own engine in a Web Worker on both models (with the WebAssembly memory of the page's two
// instances), and a first visit of the page (navigation -> data ready).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { serve, timeThePage } from './chromium.mjs';

const run = promisify(execFile);

// TSV with a header line -> [{column: text}].
function parseTsv(text) {
  const lines = text.split('\n').filter((line) => line && !line.startsWith('#'));
  const header = lines.shift().split('\t');
  return lines.map((line) => Object.fromEntries(line.split('\t').map((value, i) => [header[i], value])));
}

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
 * settings: {rounds, epochs, simpleNetEpochs, warmup (epochs dropped from each CLI run), warmUpMs, init,
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
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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
          simpleNetEpochs: settings.simpleNetEpochs, warmUpMs: settings.warmUpMs,
        });
        out.chromium.linear.push(...worker.linear.ms);
        out.chromium.simpleNet.push(...worker.simpleNet.ms);
        out.chromium.memory = worker.memory;
        out.chromium.validateEpoch = [worker.linear.validateEpoch, worker.simpleNet.validateEpoch];
        const page = await timeThePage(browser, servers[s].origin, 1);
        out.chromium.ready.push(...page.ready);
        out.chromium.decode.push(...page.decode);
      }
    }
  } finally {
    await browser.close();
    for (const server of servers) server.close();
  }
  return { settings: { rounds: settings.rounds, epochs: settings.epochs, simpleNetEpochs: settings.simpleNetEpochs, warmup: settings.warmup }, sides: results };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)] + sorted[Math.ceil(middle)]) / 2;
};

/** The A/B table (markdown) and its targets, met or missed: {table, targets: [lines]}. */
export function againstReport({ settings, sides: { before, after } }) {
  const rows = [
    ['native, linear: ms per epoch', median(before.native.linear), median(after.native.linear), 'time'],
    ['native, simple_net: ms per epoch', median(before.native.simpleNet), median(after.native.simpleNet), 'time'],
    ['Chromium worker, linear: ms per epoch', median(before.chromium.linear), median(after.chromium.linear), 'time'],
    ['Chromium worker, simple_net: ms per epoch', median(before.chromium.simpleNet), median(after.chromium.simpleNet), 'time'],
    ['the page: navigation → data ready, ms', median(before.chromium.ready), median(after.chromium.ready), 'time'],
    ['native CLI: peak resident memory, MB', Math.max(...before.native.peakKiB) / 1024, Math.max(...after.native.peakKiB) / 1024, 'memory'],
    ['the page\'s worker: WebAssembly memory after loading the sample, MB', before.chromium.memory.worker / 2 ** 20, after.chromium.memory.worker / 2 ** 20, 'memory'],
    ['… of which C++ heap in use, MB', before.chromium.memory.workerHeapInUse / 2 ** 20, after.chromium.memory.workerHeapInUse / 2 ** 20, 'memory'],
    ['the drawing predictor: WebAssembly memory, MB', before.chromium.memory.predictor / 2 ** 20, after.chromium.memory.predictor / 2 ** 20, 'memory'],
  ];
  const figure = (value, kind) => (kind === 'memory' ? value.toFixed(1) : value < 10 ? value.toFixed(2) : value.toFixed(1));
  const table = [
    `| | ${before.label} | ${after.label} | before / after |`,
    '| --- | ---: | ---: | ---: |',
    ...rows.map(([name, a, b, kind]) => `| ${name} | ${figure(a, kind)} | ${figure(b, kind)} | ${(a / b).toFixed(2)}× |`),
  ].join('\n');
  const speedUp = (index) => rows[index][1] / rows[index][2];
  const check = (text, met, measured) => `- ${text}: **${met ? 'met' : 'missed'}** (${measured})`;
  const peak = rows[5][2];
  const targets = [
    check('native linear epoch at least 1.3× faster', speedUp(0) >= 1.3, `${speedUp(0).toFixed(2)}×`),
    check('Chromium linear epoch no slower', speedUp(2) >= 1, `${speedUp(2).toFixed(2)}×`),
    check('native simple_net epoch at least 2× faster', speedUp(1) >= 2, `${speedUp(1).toFixed(2)}×`),
    check('Chromium simple_net epoch at least 2× faster', speedUp(3) >= 2, `${speedUp(3).toFixed(2)}×`),
    check('navigation → data ready faster', speedUp(4) > 1, `${speedUp(4).toFixed(2)}×`),
    check('native peak resident memory under 32 MB', peak < 32, `${peak.toFixed(1)} MB`),
  ];
  const how = `${settings.rounds} rounds, each side's turn in alternating order; native: ${settings.epochs} linear and ` +
    `${settings.simpleNetEpochs} simple_net epochs per run, the first ${settings.warmup} left out, peak memory by /usr/bin/time ` +
    '(the larger of the two runs); Chromium: the same epochs after an untimed warm-up, in a Web Worker of each build\'s own site; ' +
    `one first visit of each site's page per round. Medians over all rounds; memory in MiB.`;
  return { table, targets, how };
}
