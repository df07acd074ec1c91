// The Chromium half of the benchmark: one headless Chromium runs the training engines in Web Workers
// (browser/page.js) and then opens the real page (build/site) to time what a learner waits for.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.tgz': 'application/gzip',
};

// Where the figures of the page's timings come from: web/instruments.js writes them as data attributes on <html>.
const READY_ATTRIBUTE = 'data-ready-ms';      // navigation start -> the sample decoded in the worker
const DECODE_ATTRIBUTE = 'data-decode-ms';    // of which: inflating and decoding the archive in the worker
const PREDICT_ATTRIBUTE = 'data-predict-ms';  // the pen's input event -> its prediction on the page

/**
 * Serves each URL prefix from its folder (the longest prefix wins) on 127.0.0.1 and a free port. No
 * cross-origin isolation headers, as on an ordinary static host: TF.js's wasm backend then runs the build
 * a web developer gets by default (SIMD, one thread).
 */
export async function serve(routes) {
  const roots = await Promise.all(Object.entries(routes).map(async ([prefix, folder]) => [prefix, await realpath(folder)]));
  roots.sort(([a], [b]) => b.length - a.length);
  const server = createServer(async (request, response) => {
    const { pathname } = new URL(request.url, 'http://localhost');
    const [prefix, root] = roots.find(([prefix]) => pathname.startsWith(prefix));
    let file;
    try {
      file = await realpath(path.join(root, decodeURIComponent(pathname.slice(prefix.length)) || 'index.html'));
      if (!file.startsWith(root + path.sep) || !(await stat(file)).isFile()) throw new Error('not a file to serve');
    } catch {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': MIME_TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

// Runs task(page) in a new tab of `context`. The tab's errors (console, uncaught, failed requests) fail
// the task, and are told with whatever else went wrong: a module's error would otherwise only be a timeout.
async function inNewTab(context, task) {
  const page = await context.newPage();
  const failures = [];
  page.on('console', (message) => message.type() === 'error' && failures.push(message.text()));
  page.on('pageerror', (error) => failures.push(error.message));
  page.on('requestfailed', (request) => failures.push(`${request.url()}: ${request.failure()?.errorText}`));
  try {
    const result = await task(page);
    if (failures.length) throw new Error('the page reported errors');
    return result;
  } catch (error) {
    throw new Error([error.message, ...failures].join('\n'));
  } finally {
    await page.close();
  }
}

/**
 * The engines: our module (engine.js in a worker, as the page runs it) and TF.js with its wasm and cpu
 * backends, one after another in one tab. Resolves to {sample, engines: {id: {ms, validateEpoch, ...}}}.
 */
function trainInWorkers(context, origin, settings) {
  return inNewTab(context, async (page) => {
    await page.goto(`${origin}/bench/`);
    return page.evaluate((settings) => window.runBenchmarks(settings), settings);
  });
}

/**
 * The page itself, opened `loads` times in a fresh context (an empty cache, as a first visit): how long
 * until the data is ready, and, while a 7 is drawn, how long from each pen movement to its prediction.
 */
export async function timeThePage(browser, origin, loads) {
  const ready = [], decode = [], predict = [];
  for (let load = 0; load < loads; load++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      await inNewTab(context, async (page) => {
        await page.goto(`${origin}/`);
        const html = page.locator('html');
        await page.locator(`html[${READY_ATTRIBUTE}]`).waitFor({ state: 'attached', timeout: 30_000 });
        ready.push(Number(await html.getAttribute(READY_ATTRIBUTE)));
        decode.push(Number(await html.getAttribute(DECODE_ATTRIBUTE)));
        predict.push(...await drawSeven(page));
      });
    } finally {
      await context.close();
    }
  }
  return { ready, decode, predict };
}

// Draws a 7 on the pad one pointer movement at a time, and collects each movement's latency.
async function drawSeven(page) {
  const box = await page.locator('#pad').boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  const corners = [[0.22, 0.18], [0.78, 0.18], [0.44, 0.86]];
  const points = [];
  for (let i = 1; i < corners.length; i++) {
    for (let step = 1; step <= 8; step++) {
      const t = step / 8;
      points.push(at(corners[i - 1].map((value, axis) => value + t * (corners[i][axis] - value))));
    }
  }
  await page.mouse.move(...at(corners[0]));
  await page.mouse.down();
  const latencies = [];
  for (const point of points) {
    // The attribute is removed first, so that waiting for it waits for this movement's prediction.
    await page.evaluate((name) => document.documentElement.removeAttribute(name), PREDICT_ATTRIBUTE);
    await page.mouse.move(...point);
    await page.locator(`html[${PREDICT_ATTRIBUTE}]`).waitFor({ state: 'attached', timeout: 10_000 });
    latencies.push(Number(await page.locator('html').getAttribute(PREDICT_ATTRIBUTE)));
  }
  await page.mouse.up();
  return latencies;
}

/** Headless Chromium ($CHROMIUM, else Debian's), with nothing of its own running beside what is measured. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Runs everything that happens in Chromium. `settings`: {init (785 numbers), epochs, runs, warmUp, pageLoads}.
 * `folders`: {site, browser (this benchmark's page), tfjs (node_modules/@tensorflow)}.
 */
export async function benchChromium(settings, folders) {
  const server = await serve({ '/': folders.site, '/bench/': folders.browser, '/tfjs/': folders.tfjs });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const training = await trainInWorkers(context, server.origin, settings);
    await context.close();
    const page = await timeThePage(browser, server.origin, settings.pageLoads);
    return { version: browser.version(), ...training, page };
  } finally {
    await browser.close();
    server.close();
  }
}
