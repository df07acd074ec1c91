// The "One step of SGD" card in real headless Chromium. Framed by the example host page, from PyTorch's
// initial parameters (imported as a parameters file): Step batch shows batch 1's loss and class count, posts
// mnist-sgd:batch, and its gradient, read through the page's state (get-metrics), is PyTorch's. Then on its
// own: the book's settings' first loss, the loss chart's 49 points per epoch and its table, the screenshot of
// the card, loss=accuracy (whose gradient is zero and which changes nothing), batch size 1 (the table's means
// of spans of steps, the chart's thinned line) and simple_net's unit chooser.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, cliStepLosses, launchChromium, openPage, samplePath, screenshotPath, serveSite, tableRows, waitForData } from './helpers.mjs';

const REFERENCE = path.join(ROOT, 'tests/reference/linear-seed42-lr1-bs256-e20');
const referenceLosses = readFileSync(path.join(REFERENCE, 'batches.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => Number(line.split('\t')[2]));
const referenceGradient = readFileSync(path.join(REFERENCE, 'first_grad.txt'), 'utf8').trim().split('\n').map(Number);

describe('one step of SGD, seen from inside', () => {
  let server, chromium;

  before(async () => {
    [server, chromium] = await Promise.all([serveSite(samplePath()), launchChromium()]);
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  // A fresh page at the site with this query, its data loaded.
  async function openAt(query) {
    const opened = await openPage(chromium.context, server.url.slice(0, -1));
    await opened.page.goto(`${server.url}?${query}`);
    await waitForData(opened.page);
    return opened;
  }

  it("shows batch 1 of PyTorch's run: its loss, 256 threes and PyTorch's gradient", async () => {
    const pageOrigin = server.url.slice(0, -1);
    const hostOrigin = `http://localhost:${server.port}`;
    const { page, problems } = await openPage(chromium.context, [hostOrigin, pageOrigin]);
    await page.addInitScript(() => {
      window.received = [];
      window.addEventListener('message', (event) => {
        if (event.source === document.getElementById('page')?.contentWindow) window.received.push(event.data);
      });
    });
    // The first message of this type (with a step, for metrics: the host page asks for some at start-up).
    const message = async (type) => {
      const handle = await page.waitForFunction((type) => window.received.find((m) => m.type === type && (type !== 'mnist-sgd:metrics' || m.step)),
        type, { timeout: 20_000 });
      return handle.jsonValue();
    };
    const post = (request) => page.evaluate(({ request, origin }) => {
      document.getElementById('page').contentWindow.postMessage(request, origin);
    }, { request, origin: pageOrigin });
    await page.goto(`${hostOrigin}/examples/host.html?page=${encodeURIComponent(`${pageOrigin}/`)}`);
    const frame = page.frameLocator('#page');
    await message('mnist-sgd:ready');

    await frame.locator('#params-file').setInputFiles(path.join(REFERENCE, 'init_params.txt'));
    await message('mnist-sgd:run');
    await frame.getByRole('button', { name: 'Step batch' }).click();
    const batch = await message('mnist-sgd:batch');
    assert.deepEqual([batch.epoch, batch.batch, batch.threes, batch.sevens], [1, 1, 256, 0]);
    assert.ok(Math.abs(batch.loss - referenceLosses[0]) <= 1e-5 * referenceLosses[0], `${batch.loss} vs ${referenceLosses[0]}`);

    const lossText = await frame.locator('#step-loss').textContent();
    const shown = lossText.match(/mnist_loss = ([0-9.]+)/)[1];
    assert.equal(shown, referenceLosses[0].toPrecision(shown.replace(/^0\./, '').length), 'the digits shown are PyTorch\'s');
    assert.match(await frame.locator('#step-batch-text').textContent(), /batch 1 of 49: 256 images, 256 threes and 0 sevens/);
    assert.equal(await frame.locator('#step-strip li').count(), 12);

    await post({ type: 'mnist-sgd:get-metrics' });
    const { step } = await message('mnist-sgd:metrics');
    const gradient = Object.values(step.gradient);  // a Float32Array, as JSON
    assert.equal(gradient.length, referenceGradient.length);
    const gap = Math.max(...gradient.map((g, i) => Math.abs(g - referenceGradient[i])));
    assert.ok(gap < 1e-6, `the gradient is off by ${gap}`);
    assert.match(await frame.locator('#step-grad-text').textContent(), /The gradient of the bias: -?[0-9.e-]+/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('charts the loss of every step, 49 per epoch, with a table twin, and keeps the card current during Play', async () => {
    const { page, problems } = await openAt('epochs=3');
    await page.getByRole('button', { name: 'Step batch' }).click();
    await page.locator('#step-stages').waitFor();
    // The book's settings draw PyTorch's initial parameters (seed 42 is torch.manual_seed(42)): its first loss.
    const shown = (await page.locator('#step-loss').textContent()).match(/mnist_loss = ([0-9.]+)/)[1];
    assert.equal(shown, referenceLosses[0].toPrecision(shown.replace(/^0\./, '').length));
    const card = page.locator('#step');
    await card.screenshot({ path: screenshotPath('step-card.png') });
    await page.getByRole('button', { name: 'Play' }).click();
    await tableRows(page).nth(2).waitFor();
    // 3 epochs of 49 steps, one point each.
    await page.waitForFunction(() => document.querySelector('#loss-chart polyline.series')?.getAttribute('points')?.split(' ').length === 147);
    assert.equal(await page.locator('#loss-chart line.epoch-end').count(), 2);
    assert.equal(await page.locator('#loss-table tbody tr').count(), 3 * 49);
    assert.deepEqual(await page.locator('#loss-table tbody tr').nth(49).locator('td').allTextContents().then((cells) => cells.slice(0, 2)), ['2', '1']);
    // Play traced a step of a later epoch than Step batch did.
    assert.doesNotMatch(await page.locator('#step-batch-text').textContent(), /^Epoch 1, batch 1 /);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('with loss=accuracy shows a zero gradient, and an epoch changes nothing', async () => {
    const { page, problems } = await openAt('loss=accuracy');
    assert.equal(await page.locator('#loss').inputValue(), 'accuracy');
    const untrained = (await page.locator('#chart-legend').textContent()).match(/([0-9.]+) untrained/)?.[1];
    assert.ok(untrained);
    await page.getByRole('button', { name: 'Step batch' }).click();
    await page.locator('#step-grad-text', { hasText: 'Every gradient of the 784 weights is 0' }).waitFor();
    assert.match(await page.locator('#step-grad-text').textContent(), /The gradient of the bias: 0\./);
    assert.match(await page.locator('#step-update-text').textContent(), /^Nothing moved/);
    assert.match(await page.locator('#step-loss').textContent(), /batch_accuracy = /);
    await page.getByRole('button', { name: 'Step epoch' }).click();
    await tableRows(page).first().waitFor();
    await page.getByRole('button', { name: 'Step batch' }).click();
    await page.locator('#step-batch-text', { hasText: 'Epoch 2, batch 1 of 49' }).waitFor();
    assert.match(await page.locator('#step-update-text').textContent(), /^Nothing moved/);
    // The accuracy after the epoch is the untrained model's (the chart's legend says both).
    assert.equal((await page.locator('#chart-legend').textContent()).match(/([0-9.]+) after 1 epoch/)?.[1], untrained);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('at batch size 1 tables the mean loss of each 194 steps, and draws two points a pixel column', async () => {
    const losses = await cliStepLosses(samplePath(), ['--batch-size', '1', '--epochs', '1']);
    assert.equal(losses.length, 12396);
    // The page sums a span's float32 losses in order, as doubles, and shows 6 digits (4 below 0.001).
    const mean = (from, to) => {
      const value = losses.slice(from, to).reduce((sum, loss) => sum + loss, 0) / (to - from);
      return value >= 0.001 ? value.toPrecision(6) : value.toExponential(3);
    };
    const cells = (row) => page.locator('#loss-table tbody tr').nth(row).locator('td').allTextContents();
    const { page, problems } = await openAt('batchSize=1&epochs=1');  // the x axis one epoch wide
    for (let k = 0; k < 3; k++) {
      await page.getByRole('button', { name: 'Step batch' }).click();
      await page.locator('#step-batch-text', { hasText: `batch ${k + 1} of 12396` }).waitFor();
    }
    // The first row's span is still filling: its 3 steps.
    assert.deepEqual(await cells(0), ['1', '1–3', mean(0, 3)]);
    assert.equal(await page.locator('#loss-table tbody tr').count(), 1);
    await page.getByRole('button', { name: 'Step epoch' }).click();
    await tableRows(page).first().waitFor();
    assert.equal(await page.locator('#loss-table tbody tr').count(), 64);
    assert.deepEqual(await cells(0), ['1', '1–194', mean(0, 194)]);
    assert.deepEqual(await cells(63), ['1', '12223–12396', mean(12222, 12396)]);
    assert.match(await page.locator('#loss-table-caption').textContent(), /the mean of 194 a row \(a row per step would be 12,396 rows an epoch\)/);
    // The line keeps the lowest and the highest loss of each pixel column, and ends at the last step.
    const points = (await page.locator('#loss-chart polyline.series').getAttribute('points')).split(' ');
    const width = Number((await page.locator('#loss-chart').getAttribute('viewBox')).split(' ')[2]);
    assert.ok(points.length > width / 2 && points.length <= 2 * width + 1, `${points.length} points in ${width} pixels`);
    // Its highest and lowest points are the epoch's highest and lowest losses, placed by the y axis's ticks.
    const ticks = await page.locator('#loss-chart text.tick-y').evaluateAll((texts) => texts.map((t) => [Number(t.textContent), Number(t.getAttribute('y')) - 4]));
    const [[zero, atZero], [tick, atTick]] = [ticks[0], ticks.at(-1)];
    const yOf = (loss) => atZero + ((loss - zero) / (tick - zero)) * (atTick - atZero);
    const ys = points.map((point) => Number(point.split(',')[1]));
    let [lowest, highest] = [Infinity, -Infinity];
    for (const loss of losses) [lowest, highest] = [Math.min(lowest, loss), Math.max(highest, loss)];
    assert.ok(Math.abs(Math.max(...ys) - yOf(lowest)) < 0.11 && Math.abs(Math.min(...ys) - yOf(highest)) < 0.11,
      `the line spans y ${Math.min(...ys)} to ${Math.max(...ys)}, the losses ${yOf(highest)} to ${yOf(lowest)}`);
    assert.equal(points.at(-1), `${await page.locator('#loss-chart circle.marker').getAttribute('cx')},${await page.locator('#loss-chart circle.marker').getAttribute('cy')}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("shows simple_net's gradient for the hidden unit the learner picks", async () => {
    const { page, problems } = await openAt('model=simple_net');
    await page.getByRole('button', { name: 'Step batch' }).click();
    await page.locator('#step-grad-text', { hasText: "hidden unit 1's 784 weights" }).waitFor();
    await page.locator('#step-unit').fill('7');
    await page.locator('#step-unit').press('Enter');
    await page.locator('#step-grad-text', { hasText: "hidden unit 7's 784 weights" }).waitFor();
    assert.match(await page.locator('#step-grad-text').textContent(), /unit 7's bias: -?[0-9]/);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
