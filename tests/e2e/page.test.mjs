// The page in real headless Chromium, as a learner uses it: load the sample, step, play and pause, compare
// the printed line with the command-line tool, draw digits, try a bad file. One page, steps in order.
// Run: scripts/build-site && MNIST_SAMPLE=/path/to/mnist_sample.tgz node --test tests/e2e/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { notebookCode } from '../../web/notebook.js';
import { ROOT, SEVEN, THREE, cliPrintedLine, draw, launchChromium, openPage, samplePath, screenshotPath, serveSite, tableRows, waitForData } from './helpers.mjs';

describe('the page, step by step', () => {
  let server, chromium, page, problems, expectedLine;
  const timings = {};

  before(async () => {
    const sample = samplePath();
    [server, chromium, expectedLine] = await Promise.all([serveSite(sample), launchChromium(), cliPrintedLine(sample)]);
    ({ page, problems } = await openPage(chromium.context, server.url.slice(0, -1)));
  });

  after(async () => {
    console.log(`timings (targets: data ready < 1500 ms, 20 epochs < 200 ms, drawing to prediction < 10 ms): ${JSON.stringify(timings)}`);
    await chromium?.close();
    await server?.close();
  });

  it('loads the sample served beside it and reports the counts, with no console errors', async () => {
    await page.goto(server.url);
    timings.dataReadyMs = await waitForData(page);
    const status = page.locator('#data-status');
    await assert.doesNotReject(status.filter({ hasText: '12,396 training images' }).waitFor());
    assert.match(await status.textContent(), /2,038 validation images/);
    assert.deepEqual(problems, []);
  });

  it('steps single batches, then finishes the epoch where they stopped', async () => {
    await page.locator('#run-status', { hasText: 'untrained' }).waitFor();
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step batch' }).click();
    await page.locator('#run-status', { hasText: 'epoch 1: batch 3 of 49' }).waitFor();
    await page.getByRole('button', { name: 'Step epoch' }).click();
    await tableRows(page).first().waitFor();
    // Three batches and the rest of the epoch are the same SGD steps as one whole epoch.
    assert.equal(await tableRows(page).first().locator('td').nth(1).textContent(), expectedLine.split(' ')[0]);
  });

  it('steps three epochs with shuffling on: three table rows, accuracy above 0.9', async () => {
    await page.getByLabel('Shuffle each epoch').check();  // the book's unshuffled batches are all 3s, then all 7s
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step epoch' }).click();
    await tableRows(page).nth(2).waitFor();
    assert.equal(await tableRows(page).count(), 3);
    assert.ok(Number(await tableRows(page).nth(2).getAttribute('data-accuracy')) > 0.9);
    assert.match(await page.locator('#announce-training').textContent(), /^Epoch 3: validate_epoch 0\.9\d{3}/);
    assert.match(page.url(), /shuffle=1/);
  });

  it('plays until paused, then stops', async () => {
    await page.getByLabel('Epochs').fill('1000');
    await page.getByLabel('Epochs').press('Enter');  // Enter commits a number field ("change")
    await page.getByRole('button', { name: 'Play' }).click();
    await tableRows(page).nth(9).waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Play' }).waitFor();
    // The epoch already under way when Pause was pressed still lands; after that, nothing.
    await page.waitForTimeout(400);
    const paused = await tableRows(page).count();
    await page.waitForTimeout(400);
    assert.equal(await tableRows(page).count(), paused, 'no epoch after Pause');
    assert.ok(paused < 1000);
  });

  it("prints, for seed 42 and the book's settings, the same 20 numbers as the command-line tool", async () => {
    await page.getByLabel('Shuffle each epoch').uncheck();  // a new run with the book's settings
    await page.getByLabel('Epochs').fill('20');
    await page.getByLabel('Epochs').press('Enter');
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.locator('#epochs-table tbody:empty').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Play' }).click();
    await tableRows(page).nth(19).waitFor();
    await page.locator('#play:disabled').waitFor();  // stopped by itself at the target
    // Measured by the page: training time reported by the engine, and Play's wall time (with messaging).
    timings.twentyEpochsTrainMs = Number(await page.locator('html').getAttribute('data-train-ms'));
    timings.twentyEpochsPlayMs = Number(await page.locator('html').getAttribute('data-play-ms'));
    assert.equal(await tableRows(page).count(), 20);
    assert.equal((await page.locator('#printed-line').textContent()).trim(), expectedLine);
    assert.match(page.url(), /model=linear&lr=1&batchSize=256&epochs=20&seed=42&shuffle=0&init=default/);
  });

  it("prints PyTorch's own 20 numbers for torch.manual_seed(42), and shows the notebook code that prints them", async () => {
    const reference = readFileSync(path.join(ROOT, 'tests/reference/linear-seed42-lr1-bs256-e20/trajectory.tsv'), 'utf8');
    const pytorchLine = reference.trim().split('\n').slice(1).map((row) => row.split('\t')[1]).join(' ');
    assert.equal((await page.locator('#printed-line').textContent()).trim(), pytorchLine);
    const code = await page.locator('#notebook-code').textContent();
    assert.equal(code, notebookCode({ model: 'linear', init: 'randn', lr: 1, batchSize: 256, epochs: 20, seed: '42', shuffle: false }));
    // The book's own cells, written out here: the page's code must be the chapter's loop with these settings.
    for (const line of ['torch.manual_seed(42)', 'weights = init_params((28*28,1))', 'bias = init_params(1)',
      'dl = torch.utils.data.DataLoader(dset, batch_size=256)', 'for i in range(20):', '    train_epoch(model, 1, params)'])
      assert.ok(code.split('\n').includes(line), `the notebook code has no line "${line}"`);
    await page.getByRole('button', { name: 'Copy the notebook code' }).click();
    await page.locator('#notebook-status', { hasText: /Copied to the clipboard|Select the code/ }).waitFor();
  });

  it('classifies a drawn 7 and a drawn 3 after 20 epochs, and announces each prediction', async () => {
    await draw(page, SEVEN);
    await page.locator('#prediction-digit', { hasText: '7' }).waitFor();
    await page.locator('#announce-prediction', { hasText: /^Prediction: 7 \(\d+%\)$/ }).waitFor();

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('#prediction-digit', { hasText: /^\?$/ }).waitFor();  // at the next frame's render
    await draw(page, THREE);
    await page.locator('#prediction-digit', { hasText: '3' }).waitFor();
    await page.locator('#announce-prediction', { hasText: /^Prediction: 3 \(\d+%\)$/ }).waitFor();
    timings.drawingToPredictionMs = Number(await page.locator('html').getAttribute('data-predict-ms'));

    // The whole page in one viewport (a fullPage capture would not keep the table scrolled to its end).
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1280, height });
    await page.locator('.table-scroll').evaluate((table) => { table.scrollTop = table.scrollHeight; });
    await page.screenshot({ path: screenshotPath('screenshot.png') });
    await page.setViewportSize({ width: 1280, height: 1000 });
  });

  it('keeps the loaded dataset when a bad or wrong file is chosen, and says why', async () => {
    const input = page.getByLabel('Use your own mnist_sample.tgz');
    const cases = [
      { name: 'garbage.tgz', buffer: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)), reason: /not a gzip file/ },
      { name: 'notes.tgz', buffer: gzipSync('these are not the digits you are looking for\n'), reason: /Could not use notes\.tgz/ },
    ];
    for (const { name, buffer, reason } of cases) {
      await input.setInputFiles({ name, mimeType: 'application/gzip', buffer });
      const alert = page.locator('#data-error');
      await alert.filter({ hasText: name }).waitFor();
      assert.match(await alert.textContent(), reason);
      assert.match(await alert.textContent(), /still in use/);
    }
    assert.match(await page.locator('#data-status').textContent(), /12,396 training images/);
    assert.equal(await tableRows(page).count(), 20, 'the run is untouched');
    await page.getByLabel('Epochs').fill('21');
    await page.getByLabel('Epochs').press('Enter');
    await page.getByRole('button', { name: 'Step epoch' }).click();
    await tableRows(page).nth(20).waitFor();  // and it still trains on the old dataset
  });

  it('replaces the dataset and starts a new run when a good archive is chosen', async () => {
    await page.getByLabel('Use your own mnist_sample.tgz').setInputFiles(samplePath());
    await page.locator('#epochs-table tbody:empty').waitFor({ state: 'attached', timeout: 30_000 });
    await page.locator('#data-status', { hasText: /decoded in \d+ ms/ }).waitFor();
    assert.equal(await page.locator('#data-error').isVisible(), false);
  });

  it('logged no console error and sent no request off its origin', () => {
    assert.deepEqual(problems, []);
  });
});
