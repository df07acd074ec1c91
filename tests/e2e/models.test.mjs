// The chapter's models side by side, in real headless Chromium: choosing simple_net brings the book's
// settings for it, trains to the command line's numbers, shows its 30 hidden units and exports its
// parameters as the CLI saves them; earlier runs and the pixel-similarity baseline stay on the chart to
// compare. One page, steps in order.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { SEVEN, cliPrintedLine, cliSavedParams, draw, launchChromium, openPage, samplePath, serveSite, tableRows, waitForData } from './helpers.mjs';

const SIMPLE_NET_RUN = ['--model', 'simple_net', '--lr', '0.1', '--seed', '42', '--epochs', '3'];

describe('the models side by side', () => {
  let server, chromium, page, problems, cliLine, cliParams;

  before(async () => {
    const sample = samplePath();
    [server, chromium, cliLine, cliParams] = await Promise.all([serveSite(sample), launchChromium(),
      cliPrintedLine(sample, SIMPLE_NET_RUN), cliSavedParams(sample, SIMPLE_NET_RUN)]);
    ({ page, problems } = await openPage(chromium.context, server.url.slice(0, -1)));
    await page.goto(server.url);
    await waitForData(page);
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('shows the pixel-similarity baseline on the chart, with the book\'s numbers', async () => {
    const legend = page.locator('#chart-legend');
    await legend.getByText(/Pixel similarity/).waitFor();
    assert.match(await legend.textContent(), /0\.9511 \(3s 0\.9168, 7s 0\.9854\)/);
    assert.equal(await page.locator('#accuracy-chart .baseline').count(), 1);
  });

  it('choosing simple_net brings the book\'s learning rate and epochs for it, into the link too', async () => {
    await page.getByRole('button', { name: 'Step epoch' }).click();  // a linear run to compare with later
    await tableRows(page).nth(0).waitFor();
    await page.getByLabel('Model', { exact: true }).selectOption('simple_net');
    await page.waitForFunction(() => document.getElementById('lr').value === '0.1');
    assert.equal(await page.getByLabel('Epochs').inputValue(), '40');
    assert.match(page.url(), /model=simple_net&lr=0\.1&batchSize=256&epochs=40&seed=42/);
    await page.waitForFunction(() => document.querySelectorAll('#epochs-table tbody tr').length === 0);
  });

  it('trains simple_net to the same numbers as the command line', async () => {
    for (let epoch = 1; epoch <= 3; epoch++) {
      await page.getByRole('button', { name: 'Step epoch' }).click();
      await tableRows(page).nth(epoch - 1).waitFor();
    }
    assert.equal(await page.locator('#printed-line').textContent(), cliLine);
    assert.ok(Number(await tableRows(page).nth(2).getAttribute('data-accuracy')) > 0.9);
  });

  it('shows its 30 hidden units as maps, and no weight x pixel map for a drawing', async () => {
    assert.equal(await page.locator('#units-grid canvas:not([hidden])').count(), 30);
    assert.equal(await page.locator('#weights-map').isVisible(), false);
    assert.match(await page.locator('#bias').textContent(), /30 hidden units/);
    await draw(page, SEVEN);
    await page.waitForFunction(() => document.getElementById('prediction-digit').textContent === '7');
    assert.equal(await page.locator('#contrib').isVisible(), false);
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  it('exports its parameters as the command line saves them: 23,581 lines', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export parameters' }).click()]);
    const text = await readFile(await download.path(), 'utf8');
    assert.equal(text.split('\n').length - 1, 23581);
    assert.equal(text, cliParams);
    await page.locator('#params-status', { hasText: /23,581 lines/ }).waitFor();  // drawn at the next frame
  });

  it('refuses a linear model\'s file for simple_net, and keeps the run', async () => {
    await page.locator('#params-file').setInputFiles({ name: 'linear.txt', mimeType: 'text/plain', buffer: Buffer.from('1\n'.repeat(785)) });
    await page.locator('#params-error').getByText(/expected 23581 numbers, found 785/).waitFor();
    assert.equal(await tableRows(page).count(), 3);
  });

  it('a model chosen while the data loads is the model that trains', async () => {
    const { page: early, problems: earlyProblems } = await openPage(chromium.context, server.url.slice(0, -1));
    await early.goto(server.url, { waitUntil: 'domcontentloaded' });
    await early.getByLabel('Model', { exact: true }).selectOption('simple_net');
    await waitForData(early);
    await early.locator('#units-grid canvas:not([hidden])').nth(29).waitFor();
    assert.match(await early.locator('#chart-legend').textContent(), /This run: simple_net, lr 0\.1/);
    assert.deepEqual(earlyProblems, []);
    await early.close();
  });

  it('keeps earlier runs on the chart to compare when a setting starts a new one', async () => {
    await page.getByLabel('Learning rate').fill('0.5');
    await page.getByLabel('Learning rate').press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#epochs-table tbody tr').length === 0);
    const legend = page.locator('#chart-legend');
    await legend.getByText(/Earlier run \(dashed\): simple_net, lr 0\.1, batch 256, seed 42/).waitFor();
    assert.match(await legend.textContent(), /Earlier run \(dashed\): linear, lr 1, batch 256, seed 42: 0\.\d{4} after 1 epoch/);
    assert.match(await legend.textContent(), /This run: simple_net, lr 0\.5/);
    assert.equal(await page.locator('#accuracy-chart .past').count(), 2);
    assert.deepEqual(problems, []);
  });
});
