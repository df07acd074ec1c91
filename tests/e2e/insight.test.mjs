// What the model gets wrong, why it answers what it does, and its parameters as a file, in real headless
// Chromium: the confusion matrix against the page's own count, the gallery of misclassified images, the
// contribution map of a drawn digit, export (the same bytes as the command line's --save-params) and
// import (the same model back), and bad parameter files. One page, steps in order.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { THREE, cliSavedParams, draw, launchChromium, openPage, samplePath, serveSite, tableRows, waitForData } from './helpers.mjs';

const number = (text) => Number(text.replaceAll(',', '').replaceAll('−', '-'));

// The four cells of the confusion matrix, as numbers.
async function matrix(page) {
  const cell = async (name) => number(await page.locator(`#confusion [data-cell="${name}"]`).textContent());
  const names = ['threesAsThree', 'threesAsSeven', 'sevensAsThree', 'sevensAsSeven'];
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await cell(name)])));
}

// How many pixels of a canvas are not white: a painted map or image has some.
const inkedPixels = (locator) => locator.evaluate((canvas) => {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) inked++;
  return inked;
});

describe('what the model gets wrong, and its parameters as a file', () => {
  let server, chromium, page, problems, cliParams, exported;

  before(async () => {
    const sample = samplePath();
    [server, chromium, cliParams] = await Promise.all([serveSite(sample), launchChromium(), cliSavedParams(sample)]);
    ({ page, problems } = await openPage(chromium.context, server.url.slice(0, -1)));
    await page.goto(server.url);
    await waitForData(page);
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  // Clicks Export parameters and returns the downloaded file's name and text.
  async function exportParams() {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export parameters' }).click()]);
    return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
  }

  // Chooses a file through Import parameters, as a learner does: with a click, or from the keyboard.
  async function importParams(file, { keyboard = false } = {}) {
    const button = page.getByRole('button', { name: 'Import parameters…' });
    const press = keyboard ? button.focus().then(() => page.keyboard.press('Enter')) : button.click();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), press]);
    await chooser.setFiles(file);
  }

  it('shows the untrained model\'s confusion matrix: every validation image in one cell', async () => {
    await page.locator('#confusion caption', { hasText: 'the untrained model' }).waitFor();
    const m = await matrix(page);
    assert.equal(m.threesAsThree + m.threesAsSeven, 1010);
    assert.equal(m.sevensAsThree + m.sevensAsSeven, 1028);
    assert.equal(number(await page.locator('#confusion [data-cell="total"]').textContent()), 2038);
  });

  it('after 20 epochs, sums to 2,038 with the page\'s correct count on its diagonal', async () => {
    await page.getByRole('button', { name: 'Play' }).click();
    await tableRows(page).nth(19).waitFor();
    await page.locator('#play:disabled').waitFor();
    await page.locator('#confusion caption', { hasText: 'the model after epoch 20' }).waitFor();
    const m = await matrix(page);
    assert.equal(m.threesAsThree + m.threesAsSeven + m.sevensAsThree + m.sevensAsSeven, 2038);
    const [correct, count] = (await tableRows(page).nth(19).locator('td').nth(3).textContent()).split('/').map(number);
    assert.equal(count, 2038);
    assert.equal(m.threesAsThree + m.sevensAsSeven, correct);
    assert.match(await page.locator('#confusion-summary').textContent(),
      new RegExp(`^${correct.toLocaleString('en-US')} of 2,038 right .* ${m.threesAsSeven} 3s read as 7 and ${m.sevensAsThree} 7s read as 3\\.$`));
  });

  it('shows misclassified images, each with its true digit and a P(3) on the wrong side of 0.5', async () => {
    const m = await matrix(page);
    for (const [digit, wrong] of [[3, m.threesAsSeven], [7, m.sevensAsThree]]) {
      const items = page.locator(`#gallery-${digit} li:not([hidden])`);
      assert.equal(await items.count(), Math.min(12, wrong), `the ${digit}s read wrong, up to 12`);
      assert.match(await page.locator(`#gallery-${digit}-status`).textContent(), new RegExp(`^${wrong} read as ${digit === 3 ? 7 : 3}`));
      const shown = await items.evaluateAll((nodes) => nodes.map((node) => ({ ...node.dataset, text: node.textContent })));
      for (const item of shown) {
        assert.equal(item.digit, String(digit));
        assert.ok(digit === 3 ? Number(item.probability) < 0.5 : Number(item.probability) > 0.5, `image ${item.index}: P(3) = ${item.probability}`);
        assert.match(item.text, new RegExp(`true ${digit}P\\(3\\) [<>]?[01]\\.\\d\\d$`));
      }
      const indices = shown.map((item) => Number(item.index));
      assert.deepEqual(indices, [...indices].sort((a, b) => a - b), 'in the validation set\'s order');
      // The 3s come first in the validation set (1,010 of them), then the 7s.
      assert.ok(indices.every((index) => (digit === 3 ? index < 1010 : index >= 1010 && index < 2038)));
      assert.ok(await inkedPixels(items.first().locator('canvas')) > 20, 'the image is painted');
    }
  });

  it('shows a drawn digit\'s weight × pixel map, and that its sum plus the bias is z', async () => {
    assert.equal(await page.locator('#contrib').isVisible(), false, 'no map without a drawing');
    await draw(page, THREE);
    await page.locator('#prediction-digit', { hasText: '3' }).waitFor();
    await page.locator('#contrib').waitFor();
    assert.ok(await inkedPixels(page.locator('#contrib-map')) > 20);
    const sentence = await page.locator('#contrib-sum').textContent();
    const [, sum, bias, z, digit] = sentence.match(/adds up to ([−\d.]+); plus the bias ([−\d.]+), that is the model's z = ([−\d.]+)\. z > 0 means “3” and z < 0 means “7”, so this is a (\d)\.$/);
    assert.ok(Math.abs(number(sum) + number(bias) - number(z)) <= 0.011, sentence);
    assert.ok(number(z) > 0);
    assert.equal(digit, '3');
    assert.match(await page.locator('#contrib-max').textContent(), /^\+\d+\.\d\d$/);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('#contrib').waitFor({ state: 'hidden' });  // at the next frame's render
  });

  it('exports params.txt with the same bytes as the command line\'s --save-params', async () => {
    exported = await exportParams();
    assert.equal(exported.name, 'params.txt');
    assert.equal(exported.text.split('\n').length, 786, '785 lines, each ending in a newline');
    assert.equal(exported.text, cliParams);
    await page.locator('#params-status', { hasText: /^Saved params\.txt: the parameters of the model after epoch 20/ }).waitFor();  // drawn at the next frame
  });

  it('imports them into a fresh run: the same validate_epoch, and training goes on from there', async () => {
    const before = await tableRows(page).nth(19).locator('td').nth(1).textContent();
    await page.getByRole('button', { name: 'Reset' }).click();  // back to random weights, so the import must change them
    await page.locator('#epochs-table tbody:empty').waitFor({ state: 'attached' });
    await importParams({ name: 'params.txt', mimeType: 'text/plain', buffer: Buffer.from(exported.text) }, { keyboard: true });
    const status = page.locator('#params-status', { hasText: 'Imported params.txt' });
    await status.waitFor();
    assert.match(await status.textContent(), new RegExp(`validate_epoch ${before.replace('.', '\\.')}, `));
    await page.locator('#run-status', { hasText: 'starting from the parameters in params.txt' }).waitFor();
    await page.locator('#confusion caption', { hasText: 'imported from params.txt' }).waitFor();
    assert.equal((await exportParams()).text, exported.text, 'the parameters came back bit for bit');

    await page.getByRole('button', { name: 'Step epoch' }).click();
    await tableRows(page).first().waitFor();
    assert.equal(await tableRows(page).first().locator('td').first().textContent(), '1');
    assert.ok(Number(await tableRows(page).first().getAttribute('data-accuracy')) > 0.95, 'trained on from the imported model, not from scratch');
  });

  it('refuses a bad parameters file with one line, and keeps the parameters it had', async () => {
    const kept = (await exportParams()).text;
    const lines = kept.trimEnd().split('\n');
    const cases = [
      { name: 'short.txt', text: `${lines.slice(0, 784).join('\n')}\n`, reason: 'expected 785 numbers, found 784' },
      { name: 'long.txt', text: `${kept}0.5\n`, reason: 'expected 785 numbers, found more (line 786)' },
      { name: 'words.txt', text: ['0.1', '0.2', 'zero point one', ...lines.slice(3)].join('\n'), reason: "line 3: 'zero point one' is not a finite number" },
      { name: 'nan.txt', text: ['nan', ...lines.slice(1)].join('\n'), reason: "line 1: 'nan' is not a finite number" },
      { name: 'huge.txt', text: [...lines.slice(0, 784), '1e39'].join('\n'), reason: "line 785: '1e39' is not a finite number" },
      { name: 'empty.txt', text: '', reason: 'the file is empty' },
    ];
    const error = page.locator('#params-error');
    for (const { name, text, reason } of cases) {
      await importParams({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
      await error.filter({ hasText: name }).waitFor();
      assert.equal(await error.textContent(), `Could not import ${name}: ${reason}. The parameters are unchanged.`);
    }
    assert.equal(await tableRows(page).count(), 1, 'the run goes on');
    assert.equal((await exportParams()).text, kept, 'the parameters did not change');
    await error.waitFor({ state: 'hidden' });  // a later success clears the message, at the next frame's render
  });

  it('logged no console error and sent no request off its origin', () => {
    assert.deepEqual(problems, []);
  });
});
