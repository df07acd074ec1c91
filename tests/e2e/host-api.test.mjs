// The postMessage API, in real headless Chromium: the example host page (web/examples/host.html) on one
// origin embeds the page from another (localhost is not 127.0.0.1 to the browser) and drives it with its
// buttons; the test also posts requests of its own from the host page and records every message the page
// sends back. Then the rules: malformed requests get an error and change nothing, and only the parent
// window is heard.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchChromium, openPage, samplePath, serveSite, tableRows, untilEqual, waitForData } from './helpers.mjs';

describe('a host page drives the page with postMessage', () => {
  let server, chromium, page, problems, frame, pageOrigin;

  // Every message the host page receives from the page, in order (recorded in the host page).
  const received = () => page.evaluate(() => window.received);
  // The first message received since index `from` that satisfies `predicate`, waiting for it if need be.
  async function nextMessage(predicate, from = 0) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const messages = await received();
      const found = messages.slice(from).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such message came; received: ${JSON.stringify(messages.slice(from))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  // Posts a request from the host page to the page, as a host's own script would.
  const post = (message) => page.evaluate(({ message, origin }) => {
    document.getElementById('page').contentWindow.postMessage(message, origin);
  }, { message, origin: pageOrigin });

  before(async () => {
    [server, chromium] = await Promise.all([serveSite(samplePath()), launchChromium()]);
    pageOrigin = server.url.slice(0, -1);  // http://127.0.0.1:PORT
    const hostOrigin = `http://localhost:${server.port}`;
    ({ page, problems } = await openPage(chromium.context, [hostOrigin, pageOrigin]));
    // Before any script of the host page runs, so that not even the ready message is missed.
    await page.addInitScript(() => {
      window.received = [];
      window.addEventListener('message', (event) => {
        if (event.source === document.getElementById('page')?.contentWindow) window.received.push({ ...event.data, origin: event.origin });
      });
    });
    await page.goto(`${hostOrigin}/examples/host.html?page=${encodeURIComponent(`${pageOrigin}/?embed=1`)}`);
    frame = page.frameLocator('#page');
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('tells the host page when its data is ready, from its own origin', async () => {
    const ready = await nextMessage((m) => m.type === 'mnist-sgd:ready');
    assert.equal(ready.origin, pageOrigin);
    assert.equal(ready.epoch, 0);
    assert.equal(ready.trainLoss, null);
    assert.equal(ready.settings.lr, 1);
    assert.ok(ready.accuracy > 0 && ready.accuracy < 1);
    await page.locator('#connection', { hasText: 'Connected' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Step epoch' }).isEnabled(), true);
  });

  it('takes a learning rate from the host page, steps an epoch and reports the numbers the page shows', async () => {
    const from = (await received()).length;
    await page.getByLabel('Learning rate').fill('0.5');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    const settings = await nextMessage((m) => m.type === 'mnist-sgd:settings', from);
    assert.equal(settings.settings.lr, 0.5);
    await nextMessage((m) => m.type === 'mnist-sgd:run' && m.reason === 'settings', from);
    await untilEqual(() => frame.getByLabel('Learning rate').inputValue(), '0.5', 'the form shows it');

    await page.getByRole('button', { name: 'Step epoch' }).click();
    const epoch = await nextMessage((m) => m.type === 'mnist-sgd:epoch', from);
    await tableRows(frame).first().waitFor();
    const cells = await tableRows(frame).first().locator('td').allTextContents();
    assert.equal(epoch.epoch, 1);
    assert.equal(epoch.validateEpoch, Number(cells[1]), 'the book\'s 4-place number, not a float32 near it');
    assert.deepEqual([String(epoch.epoch), epoch.validateEpoch.toFixed(4), epoch.accuracy.toFixed(4),
      `${epoch.correct.toLocaleString('en-US')} / ${epoch.count.toLocaleString('en-US')}`, epoch.trainLoss.toFixed(4)], cells.slice(0, 5));
    // And the example host page shows them.
    await page.locator('#epoch', { hasText: '1' }).waitFor();
    assert.equal(await page.locator('#validate-epoch').textContent(), cells[1]);
    assert.equal(await page.locator('#current-lr').textContent(), '0.5');
  });

  it('answers get-metrics with the run so far, echoing the request id', async () => {
    const from = (await received()).length;
    await post({ type: 'mnist-sgd:get-metrics', id: 'm1' });
    const metrics = await nextMessage((m) => m.type === 'mnist-sgd:metrics', from);
    assert.equal(metrics.id, 'm1');
    assert.equal(metrics.ready, true);
    assert.equal(metrics.playing, false);
    assert.equal(metrics.epoch, 1);
    assert.equal(metrics.settings.lr, 0.5);
    assert.equal(metrics.history.length, 1);
    const { threesAsThree, threesAsSeven, sevensAsThree, sevensAsSeven } = metrics.confusion;
    assert.equal(threesAsThree + threesAsSeven + sevensAsThree + sevensAsSeven, 2038);
    assert.equal(threesAsThree + sevensAsSeven, metrics.correct);
    assert.equal(metrics.validateEpoch, metrics.history[0].validateEpoch);
  });

  it('answers malformed and unknown requests with an error, and changes nothing', async () => {
    const cases = [
      [{ type: 'mnist-sgd:step', unit: 'fortnight', id: 7 }, /^unit must be 'epoch' or 'batch', got 'fortnight'$/],
      [{ type: 'mnist-sgd:set', settings: { lr: 'fast' } }, /^lr must be a number above 0, at most 1000, got 'fast'$/],
      [{ type: 'mnist-sgd:set', settings: { lr: 0.1, colour: 'red' } }, /^unknown setting 'colour'/],
      [{ type: 'mnist-sgd:set', settings: 'lr=0.1' }, /^settings must be an object/],
      [{ type: 'mnist-sgd:frobnicate' }, /^unknown message type 'mnist-sgd:frobnicate'$/],
      [{ type: 'mnist-sgd:play', id: { nested: true } }, /^id must be a string or a number$/],
    ];
    for (const [request, reason] of cases) {
      const from = (await received()).length;
      await post(request);
      const error = await nextMessage((m) => m.type === 'mnist-sgd:error', from);
      assert.match(error.message, reason);
      assert.equal(error.request, request.type);
      if (typeof request.id === 'number') assert.equal(error.id, request.id);
    }
    await page.locator('#error', { hasText: 'id must be a string or a number' }).waitFor();  // the host page shows it
    assert.equal(await frame.getByLabel('Learning rate').inputValue(), '0.5', 'no setting changed, not even the valid lr beside a bad one');
    assert.equal(await tableRows(frame).count(), 1, 'no epoch was trained');
    assert.equal(await frame.locator('#play').textContent(), 'Play');
  });

  it('plays, pauses and resets at the host page\'s request', async () => {
    let from = (await received()).length;
    await post({ type: 'mnist-sgd:set', settings: { epochs: 1000 } });
    await nextMessage((m) => m.type === 'mnist-sgd:settings', from);
    await page.getByRole('button', { name: 'Play' }).click();
    await nextMessage((m) => m.type === 'mnist-sgd:epoch' && m.epoch === 4, from);
    await page.getByRole('button', { name: 'Pause' }).click();
    await frame.locator('#play', { hasText: 'Play' }).waitFor();
    await page.waitForTimeout(300);
    const epochs = (await received()).filter((m) => m.type === 'mnist-sgd:epoch').length;
    await page.waitForTimeout(300);
    assert.equal((await received()).filter((m) => m.type === 'mnist-sgd:epoch').length, epochs, 'no epoch after Pause');

    from = (await received()).length;
    await page.getByRole('button', { name: 'Reset' }).click();
    const run = await nextMessage((m) => m.type === 'mnist-sgd:run', from);
    assert.equal(run.reason, 'reset');
    assert.equal(run.epoch, 0);
    await frame.locator('#epochs-table tbody:empty').waitFor({ state: 'attached' });
    await page.locator('#epoch', { hasText: '0' }).waitFor();
  });

  it('hears no window but its parent', async () => {
    // The page posting to itself from inside the frame: event.source is the page, not its parent.
    const inner = page.frames().find((f) => f.url().startsWith(pageOrigin));
    const from = (await received()).length;
    await inner.evaluate(() => window.postMessage({ type: 'mnist-sgd:step', unit: 'epoch' }, '*'));
    await page.waitForTimeout(500);
    assert.equal(await tableRows(frame).count(), 0);
    assert.deepEqual((await received()).slice(from), [], 'and no reply');
  });

  it('neither listens nor posts when it is not framed', async () => {
    const { page: top, problems: topProblems } = await openPage(chromium.context, pageOrigin);
    await top.addInitScript(() => {
      window.seen = [];
      window.addEventListener('message', (event) => window.seen.push(event.data));
    });
    await top.goto(`${pageOrigin}/`);
    await waitForData(top);
    await top.evaluate(() => window.postMessage({ type: 'mnist-sgd:step', unit: 'epoch' }, '*'));
    await top.waitForTimeout(500);
    assert.equal(await tableRows(top).count(), 0);
    assert.deepEqual(await top.evaluate(() => window.seen), [{ type: 'mnist-sgd:step', unit: 'epoch' }], 'only the test\'s own message');
    assert.deepEqual(topProblems, []);
    await top.close();
  });

  it('logged no console error in either page', () => {
    assert.deepEqual(problems, []);
  });
});
