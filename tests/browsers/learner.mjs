// The checks that matter most to a learner, written once and run in each engine by chromium.test.mjs,
// firefox.test.mjs and webkit.test.mjs: load the sample, step an epoch, play to the book's 20 numbers (the
// command-line tool's), draw a 7 and a 3, play and pause, a bad file that keeps the dataset, the page in a
// cross-origin iframe driven with postMessage, and a browser where the engine cannot run. Each fails on any
// error the browser logs. Written against what the page shows (roles, labels, texts, its messages), so that
// they hold whatever the page's code looks like inside.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ROOT, SEVEN, THREE, cliPrintedLine, samplePath, serveSite } from '../e2e/helpers.mjs';
import { eventually, launch } from './drivers.mjs';

export const ENGINE_NAMES = { chromium: 'Chromium', firefox: 'Firefox ESR', webkit: 'WebKitGTK' };
export const WORKING_BROWSERS = 'Chrome and Edge 97, Firefox 114 and Safari 16, or later versions';

const DATA_STATUS = { css: '#data-status' };
const DATA_FILE = { label: 'Use your own mnist_sample.tgz' };
const STEP_EPOCH = { role: 'button', name: 'Step epoch' };
const PLAY = { role: 'button', name: 'Play' };
const PAUSE = { role: 'button', name: 'Pause' };
const PRINTED = { label: "What the book's loop prints" };
const PAD = { role: 'img', name: 'Drawing pad' };
const PREDICTED_DIGIT = { css: '#prediction-digit' };
const PREDICTION_TEXT = { css: '#prediction-text' };

// In the page: the cells of each row of the table of epochs.
const epochRows = () => {
  const table = [...document.querySelectorAll('table')].find((t) => t.caption?.textContent.trim() === 'Every epoch of this run');
  return [...table.tBodies[0].rows].map((row) => [...row.cells].map((cell) => cell.textContent));
};
// In the page: the text of each alert a learner can see.
const visibleAlerts = () => [...document.querySelectorAll('[role="alert"]')]
  .filter((element) => !element.hidden && element.getClientRects().length > 0 && element.textContent.trim())
  .map((element) => element.textContent.trim());
// A browser that hangs fails its block instead of holding scripts/test until CI gives up: each block takes
// 5 to 15 s here.
const LIMIT = { timeout: 180_000 };
const isDisabled = (button) => button?.disabled ?? null;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Serves the built site as the e2e tests do, with record-errors.js as the first script of the page and of
 * the example host page; `replace` maps URL paths to the bytes served instead (a page among them gets the
 * recorder too). `requested` lists the paths asked for, in order.
 */
async function serve(replace = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'browsers-'));
  const files = { '/record-errors.js': fileURLToPath(new URL('record-errors.js', import.meta.url)) };
  for (const page of ['index.html', 'examples/host.html']) {
    const html = String(replace[`/${page}`] ?? readFileSync(path.join(ROOT, 'build/site', page)));
    const charset = '<meta charset="utf-8">';
    assert.ok(html.includes(charset), `build/site/${page} has no ${charset} to put the recorder after`);
    files[`/${page}`] = path.join(dir, page.replace('/', '-'));
    writeFileSync(files[`/${page}`], html.replace(charset, `${charset}\n  <script src="/record-errors.js"></script>`));
  }
  for (const [urlPath, bytes] of Object.entries(replace)) {
    if (files[urlPath]) continue;  // a page: written above, with the recorder
    files[urlPath] = path.join(dir, path.basename(urlPath));
    writeFileSync(files[urlPath], bytes);
  }
  const site = await serveSite(samplePath(), files);
  const requested = [];
  site.server.on('request', (request) => requested.push(new URL(request.url, site.url).pathname));
  return {
    ...site, requested, origin: site.url.slice(0, -1),
    close: async () => {
      await site.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A browser of `engine` with one tab, and the site served, for a describe() block; closed after it. */
function setUp(engine, { launchOptions = {}, replace = {} } = {}) {
  const context = {};
  before(async () => {
    [context.site, context.browser] = await Promise.all([serve(replace), launch(engine, launchOptions)]);
    context.tab = await context.browser.open();
  });
  after(async () => {
    await context.browser?.close();
    await context.site?.close();
  });
  return context;
}

/**
 * A learner's session in `engine`. module: the WebAssembly file the browser must run (the scalar build
 * where SIMD is off). launchOptions: see drivers.mjs launch().
 */
export function learnerTests(engine, { title = `the page in ${ENGINE_NAMES[engine]}`, launchOptions = {}, module = 'mnist_sgd.wasm' } = {}) {
  describe(title, LIMIT, () => {
    const context = setUp(engine, { launchOptions });
    let bookLine;
    const rows = () => context.tab.evaluate(epochRows);
    before(async () => {
      bookLine = await cliPrintedLine(samplePath());
    });

    it('loads the sample served beside it and reports its counts', async () => {
      const { tab, site } = context;
      await tab.goto(`${site.origin}/index.html`);
      const status = await tab.waitForText(DATA_STATUS, /12,396 training images/);
      assert.match(status, /2,038 validation images/);
    });

    it("steps one epoch: the first of the book's numbers", async () => {
      await context.tab.click(STEP_EPOCH);
      const [first] = await eventually(async () => { const r = await rows(); return r.length && r; }, 'the first epoch');
      assert.equal(first[1], bookLine.split(' ')[0]);
    });

    it("plays on to the book's 20 epochs and prints the command-line tool's 20 numbers", async () => {
      const { tab } = context;
      await tab.click(PLAY);
      await eventually(async () => (await rows()).length === 20 && (await tab.inspect(PLAY, isDisabled)), 'Play to stop after epoch 20', 60_000);
      assert.equal(await tab.text(PRINTED), bookLine);
    });

    it('classifies a drawn 7 and a drawn 3', async () => {
      const { tab } = context;
      await tab.draw(PAD, SEVEN);
      await tab.waitForText(PREDICTED_DIGIT, /^7$/);
      await tab.click({ role: 'button', name: 'Clear' });
      await tab.waitForText(PREDICTED_DIGIT, /^\?$/);
      await tab.draw(PAD, THREE);
      await tab.waitForText(PREDICTED_DIGIT, /^3$/);
    });

    it('plays until paused, then stops', async () => {
      const { tab } = context;
      await tab.enter({ label: 'Epochs' }, '1000');
      await tab.click(PLAY);
      await eventually(async () => (await rows()).length >= 25, 'five more epochs', 60_000);
      await tab.click(PAUSE);
      await eventually(async () => (await tab.inspect(PLAY, isDisabled)) === false, 'the Play button back');
      // The epoch already under way when Pause was pressed still lands; after that, nothing.
      await sleep(400);
      const paused = (await rows()).length;
      await sleep(400);
      assert.equal((await rows()).length, paused, 'no epoch after Pause');
      assert.ok(paused < 1000);
    });

    it('keeps the loaded dataset when a bad file is chosen, and says why', async () => {
      const { tab } = context;
      const before = (await rows()).length;
      const dir = mkdtempSync(path.join(tmpdir(), 'bad-file-'));
      try {
        const file = path.join(dir, 'garbage.tgz');
        writeFileSync(file, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
        await tab.setFile(DATA_FILE, file);
        const alerts = await eventually(async () => {
          const shown = await tab.evaluate(visibleAlerts);
          return shown.some((text) => text.includes('garbage.tgz')) && shown;
        }, 'an alert about garbage.tgz');
        assert.equal(alerts.length, 1, alerts.join(' | '));
        assert.match(alerts[0], /not a gzip file/);
        assert.match(alerts[0], /still in use/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      assert.match(await tab.text(DATA_STATUS), /12,396 training images/);
      assert.equal((await rows()).length, before, 'the run is untouched');
    });

    it(`ran the engine from ${module} alone`, () => {
      const fetched = new Set(context.site.requested.filter((file) => file.endsWith('.wasm')));
      assert.deepEqual([...fetched], [`/${module}`]);
    });

    it('logged no error', async () => {
      assert.deepEqual(await context.tab.problems(), []);
    });
  });
}

/** The page from another origin in an iframe of the example host page, driven by its postMessage API. */
export function embeddingTests(engine) {
  describe(`the page in a cross-origin iframe in ${ENGINE_NAMES[engine]}, driven with postMessage`, LIMIT, () => {
    const context = setUp(engine);
    let firstNumber;
    const received = () => context.tab.evaluate(() => window.received);
    before(async () => {
      firstNumber = (await cliPrintedLine(samplePath())).split(' ')[0];
    });

    it('tells the host page it is ready, and steps an epoch when the host asks', async () => {
      const { tab, site } = context;
      // localhost is not 127.0.0.1 to the browser: the host page and the page have different origins.
      const page = `${site.origin}/index.html?embed=1`;
      await tab.goto(`http://localhost:${site.port}/examples/host.html?page=${encodeURIComponent(page)}`);
      await tab.waitForText({ css: '#connection' }, /^Connected/);
      await tab.evaluate(() => {
        window.received = [];
        window.addEventListener('message', (event) => {
          if (event.source === document.querySelector('iframe').contentWindow) window.received.push({ ...event.data, origin: event.origin });
        });
      });
      await tab.click(STEP_EPOCH);  // the host page's button, which posts {type: 'mnist-sgd:step'}
      await tab.waitForText({ css: '#epoch' }, /^1$/);
      assert.equal(await tab.text({ css: '#validate-epoch' }), firstNumber);
      const epoch = (await received()).find((message) => message.type === 'mnist-sgd:epoch');
      assert.equal(epoch.origin, site.origin);
      assert.equal(epoch.validateEpoch.toFixed(4), firstNumber);
    });

    it('answers get-metrics with the run so far, echoing the request id', async () => {
      const { tab, site } = context;
      await tab.evaluate((origin) => {
        document.querySelector('iframe').contentWindow.postMessage({ type: 'mnist-sgd:get-metrics', id: 'm1' }, origin);
      }, site.origin);
      const metrics = await eventually(async () => (await received()).find((message) => message.type === 'mnist-sgd:metrics'), 'the metrics reply');
      assert.equal(metrics.id, 'm1');
      assert.equal(metrics.ready, true);
      assert.equal(metrics.history.length, 1);
      assert.equal(metrics.history[0].validateEpoch.toFixed(4), firstNumber);
    });

    it('logged no error in either page', async () => {
      assert.deepEqual(await context.tab.problems(), []);
    });
  });
}

/**
 * A browser where the engine cannot run: one alert, in the Data card, matching `reason` and naming the
 * browsers that work; nothing else alarming, and a drawing pad that says it cannot predict. launchOptions:
 * see drivers.mjs launch(); replace: URL paths served with other bytes (a broken module, say).
 */
export function cannotRunTests(engine, { title, launchOptions = {}, replace = {}, reason }) {
  describe(title, LIMIT, () => {
    const context = setUp(engine, { launchOptions, replace });

    it('says once, in the Data card, what is missing and which browsers work, and raises no other alert', async () => {
      const { tab, site } = context;
      await tab.goto(`${site.origin}/index.html`);
      await eventually(async () => (await tab.evaluate(visibleAlerts)).length, 'an alert');
      await sleep(500);  // time for any second alert to show
      const alerts = await tab.evaluate(visibleAlerts);
      assert.equal(alerts.length, 1, alerts.join(' | '));
      assert.match(alerts[0], reason);
      assert.ok(alerts[0].endsWith(`the page works in ${WORKING_BROWSERS}.`), alerts[0]);
      const page = await tab.evaluate(() => document.body.innerText);
      assert.equal(page.split(alerts[0]).length, 2, 'the sentence is on the page once');
      const card = await tab.inspect({ css: '[role="alert"]:not([hidden])' },
        (alert) => alert.closest('section').querySelector('h2').textContent);
      assert.equal(card, 'Data');
      assert.equal(await tab.inspect(STEP_EPOCH, isDisabled), true);
    });

    it('has the drawing pad say it cannot predict, with no other alert', async () => {
      const { tab } = context;
      await tab.draw(PAD, SEVEN);
      await tab.waitForText(PREDICTION_TEXT, /cannot run the model/);
      await sleep(300);
      assert.equal((await tab.evaluate(visibleAlerts)).length, 1);
      assert.doesNotMatch(await tab.evaluate(() => document.body.innerText), /Training stopped/);
    });

    it('logged no error', async () => {
      assert.deepEqual(await context.tab.problems(), []);
    });
  });
}

/**
 * A page whose own policy blocks WebAssembly while its worker's does not, as Safari 15 treats the page's
 * 'wasm-unsafe-eval' (which it does not know): the page loads and trains, and the drawing pad alone says
 * why it cannot predict.
 */
export function blockedOnThePageTests(engine) {
  describe(`the page in ${ENGINE_NAMES[engine]} when a policy blocks WebAssembly on the page but not in its worker`, LIMIT, () => {
    const page = readFileSync(path.join(ROOT, 'build/site/index.html'), 'utf8');
    const blocking = page.replace("script-src 'self' 'wasm-unsafe-eval'", "script-src 'self'");
    const context = setUp(engine, { replace: { '/index.html': blocking } });

    it('loads and trains, and the drawing pad says why it cannot predict, with no alert', async () => {
      const { tab, site } = context;
      assert.notEqual(blocking, page, "the page's policy allows 'wasm-unsafe-eval'");
      await tab.goto(`${site.origin}/index.html`);
      await tab.waitForText(DATA_STATUS, /12,396 training images/);
      await tab.click(STEP_EPOCH);
      await eventually(async () => (await tab.evaluate(epochRows)).length === 1, 'the first epoch');
      await tab.draw(PAD, SEVEN);
      const text = await tab.waitForText(PREDICTION_TEXT, /^No prediction/);
      assert.equal(text, `No prediction: this browser blocks WebAssembly on this page (a security setting, or an older version); drawing works in ${WORKING_BROWSERS}.`);
      assert.deepEqual(await tab.evaluate(visibleAlerts), []);
    });

    it("logged nothing but the policy's refusals to compile WebAssembly", async () => {
      const others = (await context.tab.problems()).filter((problem) => !/WebAssembly|wasm/.test(problem));
      assert.deepEqual(others, []);
    });
  });
}
