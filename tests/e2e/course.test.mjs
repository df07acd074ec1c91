// Course pages that embed the page: the example lesson (web/examples/course.html) with three panels in
// three cross-origin iframes, their memory, and the code the embed builder writes, pasted into a page of
// its own and loaded. The lesson's first two panels are the screenshot in docs/embed-screenshot.png.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../../scripts/serve.mjs';
import { ROOT, SEVEN, THREE, draw, launchChromium, openPage, samplePath, screenshotPath, serveSite, untilEqual } from './helpers.mjs';

const { RESIZE_SCRIPT } = await import(pathToFileURL(path.join(ROOT, 'build/site/embed-code.js')));
const EXAMPLES = path.join(ROOT, 'web/examples');
// The engine's heap holds at least the sample's images as float32: 12,396 training and 2,038 validation images.
const DATASET_BYTES = (12_396 + 2_038) * 784;  // the sample's pixels, kept as bytes
const MB = 1e6;

describe('course pages with the page embedded', () => {
  let server, host, dir, chromium, pageOrigin, hostOrigin;

  before(async () => {
    [server, chromium] = await Promise.all([serveSite(samplePath()), launchChromium()]);
    pageOrigin = server.url.slice(0, -1);
    // The example lesson as a course platform would serve it: on its own origin, the page's address written in full.
    dir = mkdtempSync(path.join(tmpdir(), 'course-'));
    writeFileSync(path.join(dir, 'course.html'), readFileSync(path.join(EXAMPLES, 'course.html'), 'utf8').replaceAll('src="../?', `src="${pageOrigin}/?`));
    copyFileSync(path.join(EXAMPLES, 'course.css'), path.join(dir, 'course.css'));
    host = await startServer({ root: dir, port: 0 });
    hostOrigin = `http://localhost:${host.port}`;
  });

  after(async () => {
    await chromium?.close();
    await Promise.all([server?.close(), host?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // A host page that records what each of its iframes says: {...message, frame: the iframe's index}.
  async function openRecording(viewport) {
    const opened = await openPage(chromium.context, [hostOrigin, pageOrigin], { viewport });
    await opened.page.addInitScript(() => {
      window.received = [];
      addEventListener('message', (event) => {
        const frame = [...document.querySelectorAll('iframe')].findIndex((each) => each.contentWindow === event.source);
        if (frame >= 0) window.received.push({ ...event.data, frame });
      });
    });
    return opened;
  }
  const received = (page) => page.evaluate(() => window.received);
  const heard = async (page, predicate) => untilEqual(async () => (await received(page)).some(predicate), true, 'a message came', 30_000);

  it('uses the lines the embed builder gives to size its iframes', () => {
    const squeeze = (text) => text.replace(/\s+/g, ' ');
    assert.ok(squeeze(readFileSync(path.join(EXAMPLES, 'course.html'), 'utf8')).includes(squeeze(RESIZE_SCRIPT)));
  });

  it('shows three panels in three iframes: each loads once, trains and sizes itself; the pad predicts', async (t) => {
    const { page, problems } = await openRecording({ width: 1100, height: 2600 });  // every lazy iframe in view
    const documents = [];
    page.on('request', (request) => { if (request.url().startsWith(`${pageOrigin}/?`)) documents.push(request.url()); });
    await page.goto(`${hostOrigin}/course.html`);
    const frames = [0, 1, 2].map((k) => page.frameLocator(`iframe >> nth=${k}`));
    // weights and draw arrive trained (ready after 20 epochs); results plays its 20 epochs after ready.
    for (const frame of [0, 1]) await heard(page, (m) => m.type === 'mnist-sgd:ready' && m.frame === frame && m.epoch === 20);
    await heard(page, (m) => m.type === 'mnist-sgd:epoch' && m.frame === 2 && m.epoch === 20);
    assert.equal(documents.length, 3, `each iframe loaded once: ${documents.join(' ')}`);
    assert.equal((await received(page)).filter((m) => m.type === 'mnist-sgd:ready').length, 3);

    await draw(page, THREE, frames[1]);
    await untilEqual(() => frames[1].locator('#prediction-digit').textContent(), '3', 'the trained pad reads a 3');
    for (const [k, frame] of frames.entries()) {
      await untilEqual(async () => {
        const inner = await frame.locator('html').evaluate((html) => Math.ceil(html.getBoundingClientRect().height));
        const outer = await page.locator('iframe').nth(k).evaluate((iframe) => iframe.getBoundingClientRect().height);
        return Math.abs(inner - outer) <= 2;
      }, true, `iframe ${k} is as tall as its content`);
    }

    // Memory: each iframe's worker holds the engine with its own copy of the sample (the engine's
    // heapBytesInUse, which the page records); the iframes' own threads share one renderer process, whose
    // JavaScript heap and array buffers Chromium reports over CDP (Runtime.getHeapUsage).
    const [heaps, memories] = [[], []];
    for (const frame of frames) {
      heaps.push(Number(await frame.locator('html').getAttribute('data-worker-heap-bytes')));
      memories.push(Number(await frame.locator('html').getAttribute('data-worker-memory-bytes')));
    }
    for (const heap of heaps) assert.ok(heap >= DATASET_BYTES && heap < 32 * MB, `a worker's engine heap of ${heap} bytes`);
    const inner = page.frames().find((frame) => frame.url().startsWith(pageOrigin));
    const cdp = await chromium.context.newCDPSession(inner);
    const { usedSize, embedderHeapUsedSize, backingStorageSize } = await cdp.send('Runtime.getHeapUsage');
    await cdp.detach();
    const shared = usedSize + embedderHeapUsedSize + backingStorageSize;
    const sum = (values) => values.reduce((total, value) => total + value, 0);
    const total = sum(heaps) + shared;
    const mb = (bytes) => (bytes / MB).toFixed(1);
    t.diagnostic(`memory of the three embeds: workers' engine heaps ${heaps.map(mb).join(' + ')} MB in use ` +
      `(WebAssembly memory ${memories.map(mb).join(' + ')} MB); their page threads (one process): JS heap ${mb(usedSize)} MB, ` +
      `DOM ${mb(embedderHeapUsedSize)} MB, array buffers ${mb(backingStorageSize)} MB; together ${mb(total)} MB in use, ` +
      `${mb(sum(memories) + shared)} MB with the workers' whole WebAssembly memory`);
    assert.ok(total < 250 * MB, `${total} bytes`);
    assert.deepEqual(problems, []);

    // The screenshot of a course page with two panels, for docs/embedding.md and the README.
    const pair = await page.locator('.pair').boundingBox();
    await page.screenshot({ path: screenshotPath('embed-screenshot.png'), clip: { x: 0, y: 0, width: 1100, height: Math.ceil(pair.y + pair.height) } });
    await page.close();
  });

  it('writes code that, pasted into a page and loaded, shows what was chosen', async () => {
    const { page, problems } = await openPage(chromium.context, pageOrigin);
    await page.goto(server.url);
    await page.getByLabel('Seed').fill('7');
    await page.getByLabel('Seed').press('Enter');
    // By keyboard: the builder opens with Enter, and Space unticks the first panel, Data.
    await page.locator('#embed-builder summary').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.value), 'data');
    await page.keyboard.press('Space');
    await untilEqual(() => page.getByRole('checkbox', { name: '(data)' }).isChecked(), false, 'Data unticked');
    for (const name of ['train', 'step', 'results', 'mistakes']) await page.getByRole('checkbox', { name: `(${name})` }).uncheck();
    await page.getByRole('radio', { name: 'trained already' }).check();
    await page.getByLabel('Trained for').fill('5');
    await page.getByLabel('Trained for').press('Enter');
    const code = page.getByLabel('Embed code');
    // The code is written at the next frame after each choice.
    const shows = (pattern, what) => untilEqual(async () => pattern.test(await code.inputValue()), true, what);
    await shows(/trained=5/, 'the code follows the form');
    await page.getByRole('radio', { name: 'Jupyter' }).check();
    await shows(/^from IPython\.display import IFrame\nIFrame\("http:\/\/[^"]+\?[^"]*seed=7[^"]*&embed=1&panels=draw,weights&trained=5", width="100%", height=720\)$/, 'for Jupyter');
    await page.getByRole('radio', { name: 'Markdown or Quarto' }).check();
    await shows(/^```\{=html\}\n<iframe src="[^"]+"[^\n]*><\/iframe>\n<script>[\s\S]*<\/script>\n```$/, 'for Quarto');
    await page.getByRole('radio', { name: 'an HTML page' }).check();
    await shows(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?model=linear&amp;lr=1&amp;batchSize=256&amp;epochs=20&amp;seed=7&amp;shuffle=0&amp;init=default&amp;loss=mnist_loss&amp;embed=1&amp;panels=draw,weights&amp;trained=5" /, 'for HTML');
    await page.getByRole('button', { name: 'Copy embed code' }).click();
    await page.locator('#embed-status', { hasText: /Copied|Select the code/ }).waitFor();
    const html = await code.inputValue();
    assert.deepEqual(problems, []);
    await page.close();

    writeFileSync(path.join(dir, 'pasted.html'), `<!doctype html><title>Pasted</title><link rel="icon" href="data:,">\n${html}\n`);
    const pasted = await openRecording({ width: 900, height: 1000 });
    await pasted.page.goto(`${hostOrigin}/pasted.html`);
    await heard(pasted.page, (m) => m.type === 'mnist-sgd:ready');
    const ready = (await received(pasted.page)).find((m) => m.type === 'mnist-sgd:ready');
    assert.equal(ready.epoch, 5);
    assert.equal(ready.settings.seed, '7');  // seeds travel as decimal text: they go up to 2^64 - 1
    const frame = pasted.page.frameLocator('iframe');
    assert.equal(await frame.locator('section.card:visible').evaluateAll((cards) => cards.map((card) => card.id).join()), 'draw,weights');
    await frame.locator('#bar-status', { hasText: 'After 5 epochs' }).waitFor();
    await draw(pasted.page, SEVEN, frame);
    await untilEqual(() => frame.locator('#prediction-digit').textContent(), '7', 'a drawn 7');
    await untilEqual(async () => {
      const inner = await frame.locator('html').evaluate((node) => Math.ceil(node.getBoundingClientRect().height));
      return Math.abs(inner - (await pasted.page.locator('iframe').evaluate((node) => node.getBoundingClientRect().height))) <= 2;
    }, true, 'the iframe sizes itself');
    assert.deepEqual(pasted.problems, []);
    await pasted.page.close();
  });
});
