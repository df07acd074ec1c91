// The embedding kit in a cross-origin iframe: each panel alone (panels=...), a model that arrives trained
// (trained=N), one that plays by itself (autoplay=1), and an iframe that sizes itself (resize messages).
// A host page on one origin (localhost) frames the page from another (127.0.0.1), records every message the
// page sends, and sizes the iframe with the lines the embed builder gives (embed-code.js).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../../scripts/serve.mjs';
import { ROOT, SEVEN, THREE, draw, launchChromium, openPage, samplePath, serveSite, tableRows, untilEqual } from './helpers.mjs';

const site = (file) => import(pathToFileURL(path.join(ROOT, 'build/site', file)));
const { PANEL_NAMES } = await site('panels.js');
const { RESIZE_SCRIPT } = await site('embed-code.js');

// What shows that each panel is there and drawn (f: the frame), and, for those that change as the model
// trains, that the compact run control trains it.
const CONTENT = {
  data: (f) => f.locator('#data-status', { hasText: /12,396 training images/ }).waitFor(),
  train: async (f) => {
    await f.locator('#run-status', { hasText: '0 of 20 epochs done' }).waitFor();
    assert.equal(await f.getByRole('button', { name: 'Step epoch' }).isEnabled(), true);
  },
  step: async (f) => {
    await f.locator('#bar-step-batch').click();
    await f.locator('#step-batch-text', { hasText: 'batch 1 of 49: 256 images, 256 threes' }).waitFor();
    await f.locator('#loss-chart .marker').waitFor();
  },
  results: async (f) => {
    await f.locator('#chart-caption', { hasText: /before training/ }).waitFor();
    await f.locator('#bar-step-epoch').click();
    await tableRows(f).first().waitFor();
    await f.locator('#accuracy-chart .marker').nth(1).waitFor();  // epoch 0 and epoch 1
  },
  mistakes: async (f) => {
    await untilEqual(() => f.locator('[data-cell="total"]').textContent(), '2,038', 'the confusion matrix counts every validation image');
    await f.locator('#gallery-3 li').first().waitFor();
  },
  draw: async (f) => {
    const pad = await f.getByRole('img', { name: 'Drawing pad' }).boundingBox();
    assert.ok(pad.width >= 250, `the pad is ${pad.width} px wide`);
    await f.locator('#bar-play').waitFor();
  },
  weights: async (f) => {
    await f.getByRole('img', { name: /784 weights/ }).waitFor();
    await f.locator('#bias', { hasText: /^Bias b = / }).waitFor();
    await f.locator('#bar-step-batch').click();
    await f.locator('#bar-status', { hasText: 'Epoch 1, batch 1 of 49' }).waitFor();
  },
};

describe('the embedding kit in a cross-origin iframe', () => {
  let server, host, dir, chromium, pageOrigin, hostOrigin;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'host-'));
    writeFileSync(path.join(dir, 'index.html'), `<!doctype html><title>A course page</title><link rel="icon" href="data:,">
<style>body { margin: 0; } iframe { display: block; border: 0; }</style>
<iframe id="frame" title="MNIST basics"></iframe>
<script>
  window.received = [];
  addEventListener('message', (event) => {
    if (event.source === document.getElementById('frame').contentWindow) received.push({ ...event.data, origin: event.origin });
  });
</script>
${RESIZE_SCRIPT}`);
    [server, host, chromium] = await Promise.all([serveSite(samplePath()), startServer({ root: dir, port: 0 }), launchChromium()]);
    pageOrigin = server.url.slice(0, -1);
    hostOrigin = `http://localhost:${host.port}`;
  });

  after(async () => {
    await chromium?.close();
    await Promise.all([server?.close(), host?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // The host page, framing nothing yet.
  async function openHost() {
    const opened = await openPage(chromium.context, [hostOrigin, pageOrigin], { viewport: { width: 1000, height: 900 } });
    await opened.page.goto(`${hostOrigin}/`);
    return opened;
  }

  // Frames the page with `query` in an iframe `width` px wide, and waits for its ready message; returns it,
  // with the frame (a FrameLocator) and the framed document (a Frame, to evaluate in).
  async function frame(page, query, width) {
    await page.evaluate(({ src, width }) => {
      window.received = [];
      Object.assign(document.getElementById('frame'), { src, width: String(width), height: '600' });
    }, { src: `${pageOrigin}/?${query}`, width });
    const ready = await nextMessage(page, (m) => m.type === 'mnist-sgd:ready');
    const inner = page.frames().find((f) => f.url().startsWith(`${pageOrigin}/?`));
    return { ready, f: page.frameLocator('#frame'), inner };
  }

  it('shows each panel alone, with what it needs, at 320, 360 and 800 px, never wider than the frame', async () => {
    const { page, problems } = await openHost();
    for (const width of [320, 360, 800]) {
      for (const name of PANEL_NAMES) {
        const { f, inner } = await frame(page, `panels=${name}&embed=1`, width);
        const where = `panels=${name} at ${width} px`;
        for (const other of PANEL_NAMES) assert.equal(await f.locator(`#${other}`).isVisible(), other === name, `${where}: #${other}`);
        await CONTENT[name](f);
        // The compact run control: where training is needed (panels.js), and only there.
        const bar = await f.locator('#run-bar').isVisible();
        assert.equal(bar, !['data', 'train'].includes(name), `${where}: the compact run control`);
        // Neither the document nor any box in it (a table's scroller, say) is wider than its room.
        const wide = await inner.evaluate(() => [document.documentElement, ...document.body.querySelectorAll('*')]
          .filter((node) => node instanceof HTMLElement && node.clientWidth > 0 && node.scrollWidth > node.clientWidth + 1
            && !['hidden', 'clip'].includes(getComputedStyle(node).overflowX))
          .map((node) => `${node.tagName.toLowerCase()}#${node.id}.${node.className}: ${node.scrollWidth} > ${node.clientWidth}`));
        assert.deepEqual(wide, [], `${where}: nothing scrolls sideways`);
      }
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('arrives trained with trained=20: the host hears ready after the 20 epochs, and a drawn 7 and 3 are read right', async () => {
    const { page, problems } = await openHost();
    for (const [digit, strokes] of [['7', SEVEN], ['3', THREE]]) {
      const { ready, f } = await frame(page, 'panels=draw&trained=20&embed=1', 360);
      assert.equal(ready.epoch, 20, 'ready comes after the epochs');
      assert.ok(ready.accuracy > 0.96, `accuracy ${ready.accuracy} after 20 epochs`);
      assert.deepEqual((await received(page)).filter((m) => m.type === 'mnist-sgd:epoch'), [], 'no epoch message for the epochs trained at once');
      await f.locator('#bar-status', { hasText: 'After 20 epochs' }).waitFor();
      assert.equal(await f.locator('#bar-play').isDisabled(), true, 'nothing left to play');
      await draw(page, strokes, f);
      await untilEqual(() => f.locator('#prediction-digit').textContent(), digit, `a drawn ${digit}`);
      assert.equal(await f.locator('#prediction-note').textContent(), '', 'by a trained model');
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('plays to the epoch target with autoplay=1, also after trained epochs and with other settings', async () => {
    const { page, problems } = await openHost();
    const { ready, f } = await frame(page, 'panels=results&autoplay=1&embed=1', 800);
    assert.equal(ready.epoch, 0);
    await nextMessage(page, (m) => m.type === 'mnist-sgd:epoch' && m.epoch === 20);
    await untilEqual(() => tableRows(f).count(), 20, 'every epoch in the table');
    await f.locator('#bar-play:disabled').waitFor();

    const again = await frame(page, 'panels=results,train&trained=5&autoplay=1&epochs=8&lr=0.5&embed=1', 800);
    assert.equal(again.ready.epoch, 5);
    assert.equal(again.ready.settings.lr, 0.5);
    await nextMessage(page, (m) => m.type === 'mnist-sgd:epoch' && m.epoch === 8);
    const epochs = (await received(page)).filter((m) => m.type === 'mnist-sgd:epoch').map((m) => m.epoch);
    assert.deepEqual(epochs, [6, 7, 8]);
    await again.f.locator('#run-status', { hasText: '8 of 8 epochs done' }).waitFor();
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("sends its content's height, which the host's lines apply, and sends it again when a panel grows", async () => {
    const { page, problems } = await openHost();
    const { f, inner } = await frame(page, 'panels=draw&trained=20&embed=1', 360);
    const documentHeight = () => inner.evaluate(() => document.documentElement.getBoundingClientRect().height);
    const lastHeight = async () => (await received(page)).filter((m) => m.type === 'mnist-sgd:resize').at(-1)?.height;
    await untilEqual(async () => Math.abs((await lastHeight()) - (await documentHeight())) <= 2, true, 'the height sent is the document\'s');
    const before = await lastHeight();
    assert.equal((await received(page)).find((m) => m.type === 'mnist-sgd:resize').origin, pageOrigin);
    assert.equal(await page.locator('#frame').evaluate((frame) => frame.getBoundingClientRect().height), before, 'the host sized the iframe');

    await draw(page, SEVEN, f);  // the prediction's "weight × pixel" map opens below the pad
    await f.locator('#contrib').waitFor();
    await untilEqual(async () => (await lastHeight()) > before + 100, true, 'a new, taller height');
    await untilEqual(async () => Math.abs((await lastHeight()) - (await documentHeight())) <= 2, true, 'the height sent is the document\'s');
    await untilEqual(() => page.locator('#frame').evaluate((frame) => frame.getBoundingClientRect().height), await lastHeight(), 'the host followed');
    const scroll = await inner.evaluate(() => document.documentElement.scrollHeight - document.documentElement.clientHeight);
    assert.ok(scroll <= 1, `the frame scrolls ${scroll} px inside`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('takes panels from a host page, and refuses trained, which acts only at the start', async () => {
    const { page, problems } = await openHost();
    const { f } = await frame(page, 'embed=1', 800);
    const post = (message) => page.evaluate(({ message, origin }) => document.getElementById('frame').contentWindow.postMessage(message, origin), { message, origin: pageOrigin });
    await post({ type: 'mnist-sgd:set', settings: { panels: ['weights', 'draw'] } });
    const { settings } = await nextMessage(page, (m) => m.type === 'mnist-sgd:settings');
    assert.deepEqual(settings.panels, ['weights', 'draw']);
    await untilEqual(() => f.locator('section.card:visible').evaluateAll((cards) => cards.map((card) => card.id).join()), 'weights,draw', 'in that order');
    await post({ type: 'mnist-sgd:set', settings: { trained: 20 } });
    const error = await nextMessage(page, (m) => m.type === 'mnist-sgd:error');
    assert.match(error.message, /^trained acts once, when the data is in/);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

const received = (page) => page.evaluate(() => window.received);

// The first message received that satisfies `predicate`, waiting for it if need be.
async function nextMessage(page, predicate) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await received(page)).find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such message came; received: ${JSON.stringify(await received(page))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
