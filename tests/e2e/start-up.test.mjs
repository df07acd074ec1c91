// How the page starts: start-worker.js starts the training worker while the page is parsed and the
// modules take that worker over, with what it said before they listened; a page that loads the modules
// without that script starts its own; and a worker that cannot start is reported, even when it fails
// before the modules listen.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchChromium, openPage, samplePath, serveSite, tableRows, waitForData } from './helpers.mjs';

describe('the page starts its training worker', () => {
  let server, chromium;

  before(async () => {
    [server, chromium] = await Promise.all([serveSite(samplePath()), launchChromium()]);
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  // Loads the page, steps one epoch and returns how many workers it started.
  async function loadAndStep(page) {
    await page.goto(server.url);
    await waitForData(page);
    await page.getByRole('button', { name: 'Step epoch' }).click();
    await tableRows(page).first().waitFor();
    return page.workers().length;
  }

  it('while the page is parsed, and the modules use that one', async () => {
    const { page, problems } = await openPage(chromium.context, server.url.slice(0, -1));
    assert.equal(await loadAndStep(page), 1);
    assert.equal(await page.evaluate(() => 'mnistSgdEarlyWorker' in self), false, 'the handover global is left behind');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('and the modules hear what the worker said before they listened', async () => {
    // The modules come only once the worker has announced its dataset: a message that finds no listener
    // is lost, and the page would wait for the data forever.
    const { page, problems } = await openPage(chromium.context, server.url.slice(0, -1));
    await page.addInitScript(() => {
      const PageWorker = Worker;
      self.Worker = class extends PageWorker {
        constructor(...args) {
          super(...args);
          this.addEventListener('message', ({ data }) => { if (data.event?.type === 'dataset') self.datasetAnnounced = true; });
        }
      };
    });
    await page.route('**/main.js', async (route) => {
      await page.waitForFunction(() => self.datasetAnnounced === true, null, { timeout: 30_000 });
      await route.continue();
    });
    assert.equal(await loadAndStep(page), 1);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('from the modules when start-worker.js did not run', async () => {
    const { page, problems } = await openPage(chromium.context, server.url.slice(0, -1));
    await page.route('**/start-worker.js', (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
    assert.equal(await loadAndStep(page), 1);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('or says that it could not, instead of waiting forever', async () => {
    const { page } = await openPage(chromium.context, server.url.slice(0, -1));
    await page.route('**/worker.js', (route) => route.fulfill({ status: 404, body: '' }));
    await page.goto(server.url);
    await page.locator('#data-error', { hasText: 'the training worker stopped: it could not be loaded' }).waitFor();
    await page.close();
  });
});
