// Settings in the URL, the compact embed mode, the embed code, a cross-origin iframe and a 360 px screen.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../../scripts/serve.mjs';
import { launchChromium, openPage, samplePath, serveSite, tableRows, waitForData } from './helpers.mjs';

describe('sharing and embedding', () => {
  let server, chromium, origin;

  before(async () => {
    [server, chromium] = await Promise.all([serveSite(samplePath()), launchChromium()]);
    origin = server.url.slice(0, -1);
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('takes every setting from the URL and writes edits back to it', async () => {
    const { page, problems } = await openPage(chromium.context, origin);
    await page.goto(`${server.url}?lr=0.5&batchSize=64&epochs=7&seed=7&shuffle=1&init=pytorch`);
    await waitForData(page);
    assert.equal(await page.getByLabel('Learning rate').inputValue(), '0.5');
    assert.equal(await page.getByLabel('Batch size').inputValue(), '64');
    assert.equal(await page.getByLabel('Epochs').inputValue(), '7');
    assert.equal(await page.getByLabel('Seed').inputValue(), '7');
    assert.equal(await page.getByLabel('Shuffle each epoch').isChecked(), true);
    assert.equal(await page.getByLabel('Initialisation').inputValue(), 'pytorch');
    await page.locator('#run-status', { hasText: '0 of 7 epochs done' }).waitFor();

    await page.getByLabel('Seed').fill('123');
    await page.getByLabel('Seed').press('Enter');
    await page.waitForURL(/seed=123/);
    await page.getByLabel('Learning rate').fill('-2');
    await page.getByLabel('Learning rate').press('Enter');
    await page.locator('#lr-error', { hasText: /^Learning rate must be a number above 0/ }).waitFor();  // drawn at the next frame
    assert.match(page.url(), /lr=0\.5&/, 'an invalid edit changes nothing');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("falls back to the book's values for invalid URL values, and says so", async () => {
    const { page, problems } = await openPage(chromium.context, origin);
    await page.goto(`${server.url}?model=mlp&lr=abc&batchSize=0&epochs=1e3&seed=-1&shuffle=maybe&init=zeros`);
    await waitForData(page);
    const values = await Promise.all(['Model', 'Learning rate', 'Batch size', 'Epochs', 'Seed', 'Initialisation']
      .map((label) => page.getByLabel(label, { exact: true }).inputValue()));
    assert.deepEqual(values, ['linear', '1', '256', '20', '42', 'default']);
    assert.equal(await page.getByLabel('Shuffle each epoch').isChecked(), false);
    assert.match(await page.locator('#url-notice').textContent(), /model=mlp, lr=abc, batchSize=0, epochs=1e3, seed=-1, shuffle=maybe, init=zeros are not valid/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('hides the long text with ?embed=1 and copies an iframe snippet with the current settings', async () => {
    const { page, problems } = await openPage(chromium.context, origin);
    await page.goto(`${server.url}?embed=1&seed=9`);
    await waitForData(page);
    assert.equal(await page.locator('.lede').isVisible(), false);
    assert.equal(await page.locator('#data .explain').isVisible(), false);
    assert.equal(await page.getByRole('link', { name: /Open the full page/ }).getAttribute('href'), '?model=linear&lr=1&batchSize=256&epochs=20&seed=9&shuffle=0&init=default&loss=mnist_loss');
    await page.getByText('Embed it in course material').click();
    await page.getByRole('button', { name: 'Copy embed code' }).click();
    const field = page.getByLabel('Embed code');
    await page.waitForFunction((element) => element.value !== '', await field.elementHandle());  // filled after the click's handler runs
    const snippet = await field.inputValue();
    assert.match(snippet, /^<iframe src="http:\/\/[^"]+\?model=linear&amp;lr=1&amp;batchSize=256&amp;epochs=20&amp;seed=9&amp;shuffle=0&amp;init=default&amp;loss=mnist_loss&amp;embed=1" title="[^"]+"/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('trains inside a cross-origin iframe on a page with no special headers', async () => {
    // A course page from another origin (localhost is not 127.0.0.1 to the browser) embedding the page.
    const dir = mkdtempSync(path.join(tmpdir(), 'course-'));
    writeFileSync(path.join(dir, 'index.html'),
      `<!doctype html><title>Course</title><link rel="icon" href="data:,"><iframe src="${server.url}?embed=1" title="MNIST" width="900" height="900"></iframe>`);
    const course = await startServer({ root: dir, port: 0 });
    const page = await chromium.context.newPage();
    const problems = [];
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
    page.on('pageerror', (error) => problems.push(error.message));
    try {
      await page.goto(`http://localhost:${course.port}/`);
      const frame = page.frameLocator('iframe');
      await frame.locator('html[data-ready-ms]').waitFor({ state: 'attached', timeout: 30_000 });
      await frame.getByRole('button', { name: 'Step epoch' }).click();
      await tableRows(frame).first().waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await course.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never prints the last epoch's accuracy over the baseline's label at 360 px", async () => {
    const { page, problems } = await openPage(chromium.context, origin, { viewport: { width: 360, height: 740 } });
    await page.goto(server.url);
    await waitForData(page);
    const labels = () => page.locator('#accuracy-chart').evaluate((svg) => ['.value', '.baseline-label'].map((selector) => {
      const { left, top, right, bottom } = svg.querySelector(selector).getBoundingClientRect();
      return { left, top, right, bottom };
    }));
    for (let epoch = 1; epoch <= 20; epoch++) {
      await page.getByRole('button', { name: 'Step epoch' }).click();
      await tableRows(page).nth(epoch - 1).waitFor();
      await page.locator('#chart-caption', { hasText: `after epoch ${epoch} ` }).waitFor();
      const [value, baseline] = await labels();
      const apart = value.right <= baseline.left || baseline.right <= value.left || value.bottom <= baseline.top || baseline.bottom <= value.top;
      assert.ok(apart, `after epoch ${epoch}, the labels overlap: ${JSON.stringify({ value, baseline })}`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('fits a 360 px wide screen without sideways scrolling', async () => {
    const { page, problems } = await openPage(chromium.context, origin, { viewport: { width: 360, height: 740 } });
    await page.goto(server.url);
    await waitForData(page);
    await page.getByRole('button', { name: 'Step epoch' }).click();
    await tableRows(page).first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    const table = await page.locator('.table-scroll').evaluate((node) => node.scrollWidth - node.clientWidth);
    assert.ok(table <= 0, `the table needs ${table} px of sideways scrolling`);
    const pad = await page.getByRole('img', { name: 'Drawing pad' }).boundingBox();
    assert.ok(pad.width >= 250 && pad.x >= 0 && pad.x + pad.width <= 360);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
