// The page under the clicks a learner (or a restless course page) really makes: Play before the data is in,
// clicks in bursts, Reset during Play, a new archive during training, and parameters that make training
// diverge. None of them may crash the page, leave it stuck, or log an error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchChromium, openPage, samplePath, serveSite, tableRows, waitForData } from './helpers.mjs';

describe('the page keeps working whatever is clicked, and when', () => {
  let server, chromium, page, problems, sample;

  before(async () => {
    sample = samplePath();
    [server, chromium] = await Promise.all([serveSite(sample), launchChromium()]);
    ({ page, problems } = await openPage(chromium.context, server.url.slice(0, -1)));
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  const button = (name) => page.getByRole('button', { name, exact: true });

  it('takes Play, Step epoch and Reset pressed while the data is still loading, then works', async () => {
    // The archive is held back until the buttons have been pressed: on a quiet machine the data could
    // otherwise be in first, and Play would really start.
    let release;
    const pressed = new Promise((resolve) => { release = resolve; });
    let held = 0;
    await page.route('**/mnist_sample.tgz', async (route) => {
      held++;
      await pressed;
      await route.continue();
    });
    await page.goto(`${server.url}?epochs=1000`);
    // The buttons are disabled until the data is in; press them anyway, as an impatient script would.
    for (const id of ['play', 'step-epoch', 'reset', 'play', 'step-batch']) {
      await page.evaluate((buttonId) => document.getElementById(buttonId).click(), id);
    }
    release();
    await waitForData(page);
    await page.unroute('**/mnist_sample.tgz');
    assert.equal(held, 1, 'the archive was held back');
    await button('Step epoch').click();
    await tableRows(page).first().waitFor();
    assert.equal(await tableRows(page).count(), 1);
  });

  it('runs a burst of Step epoch clicks one after another, none lost', async () => {
    const before = await tableRows(page).count();
    for (let i = 0; i < 5; i++) await button('Step epoch').click({ delay: 0 });
    await tableRows(page).nth(before + 4).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await tableRows(page).count(), before + 5);
  });

  it('starts the run again when Reset is pressed during Play, and stops playing', async () => {
    await button('Play').click();
    await tableRows(page).nth(10).waitFor();
    await button('Reset').click();
    await button('Play').waitFor();
    await page.waitForTimeout(400);  // an epoch under way when Reset came must not land in the new run
    assert.equal(await tableRows(page).count(), 0, 'the new run has no epochs yet');
    await button('Step epoch').click();
    await tableRows(page).first().waitFor();
    assert.equal(await tableRows(page).first().locator('td').first().textContent(), '1');
  });

  it('takes a new archive chosen during training: a new run on it, and training goes on', async () => {
    await button('Play').click();
    await tableRows(page).nth(3).waitFor();
    await page.locator('#data-file').setInputFiles({
      name: 'mnist_sample.tgz', mimeType: 'application/gzip', buffer: readFileSync(sample),
    });
    await page.locator('#data-status', { hasText: '12,396 training images' }).waitFor();
    await button('Play').waitFor();
    await page.waitForTimeout(300);
    await button('Step epoch').click();
    await page.waitForFunction(() => document.querySelectorAll('#epochs-table tbody tr').length === 1);
  });

  it('stops with "diverged at epoch N" on parameters that overflow, and Reset recovers', async () => {
    // mnist_loss saturates rather than diverge for any learning rate, so overflow comes from the parameters:
    // +-3e38 weights make z's partial sums +inf and -inf, and their sum NaN.
    const overflowing = Array.from({ length: 785 }, (_, i) => (i === 784 ? '0' : i % 2 ? '-3e38' : '3e38')).join('\n');
    await page.locator('#params-file').setInputFiles({ name: 'params.txt', mimeType: 'text/plain', buffer: Buffer.from(`${overflowing}\n`) });
    await page.locator('#params-status').filter({ hasText: /params\.txt/ }).waitFor();
    await button('Step epoch').click();
    await page.locator('#run-error', { hasText: /diverged at epoch 1/ }).waitFor();
    await button('Reset').click();
    await page.locator('#run-error').waitFor({ state: 'hidden' });
    await button('Step epoch').click();
    await tableRows(page).first().waitFor();
    assert.ok(Number(await tableRows(page).first().getAttribute('data-accuracy')) > 0.5);
  });

  it('logged no console error and sent no request off its origin', () => {
    assert.deepEqual(problems, []);
  });
});
