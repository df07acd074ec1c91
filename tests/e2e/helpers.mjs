// Shared by the page's end-to-end tests: the MNIST sample, the built site, the server, a headless Chromium
// that fails the test on any console error, and pointer strokes shaped like digits.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launchChromium as launchHeadlessChromium } from '../../scripts/benchmark/chromium.mjs';
import { startServer } from '../../scripts/serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where a test saves the screenshot the README shows (name: 'screenshot.png'...): build/screenshots, so
 * that a test run leaves the tree as it was; docs/ itself with SCREENSHOTS=docs, to update the README's.
 */
export function screenshotPath(name) {
  const folder = path.join(ROOT, process.env.SCREENSHOTS === 'docs' ? 'docs' : 'build/screenshots');
  mkdirSync(folder, { recursive: true });
  return path.join(folder, name);
}
const run = promisify(execFile);

/** The archive the tests use: $MNIST_SAMPLE, which must name an existing file. */
export function samplePath() {
  const sample = process.env.MNIST_SAMPLE;
  if (!sample) throw new Error('MNIST_SAMPLE is not set: point it at mnist_sample.tgz (scripts/mnist-sgd data prints where it is)');
  if (!existsSync(sample)) throw new Error(`MNIST_SAMPLE=${sample} does not exist`);
  return sample;
}

/**
 * Serves build/site on a free port, with $MNIST_SAMPLE as its mnist_sample.tgz (and `files`, URL path ->
 * file, served in place of the site's). The site must have been built from the current web/
 * (scripts/build-site; scripts/test does it), or the tests would test old code.
 */
export async function serveSite(sample, files = {}) {
  const site = path.join(ROOT, 'build/site');
  if (!existsSync(path.join(site, 'mnist_sgd.wasm'))) throw new Error('build/site has no mnist_sgd.wasm: run scripts/build-site first');
  for (const name of filesUnder(path.join(ROOT, 'web'))) {
    const built = path.join(site, name);
    if (!existsSync(built) || withoutGenerated(name, readFileSync(built, 'utf8')) !== readFileSync(path.join(ROOT, 'web', name), 'utf8')) {
      throw new Error(`build/site/${name} differs from web/${name}: run scripts/build-site first`);
    }
  }
  return startServer({ root: site, port: 0, files: { '/mnist_sample.tgz': sample, ...files } });
}

// A built file as it was in web/: index.html without the modulepreload links scripts/build-site adds.
const withoutGenerated = (name, text) => (name === 'index.html' ? text.replace(/^ *<link rel="modulepreload" [^\n]*\n/gm, '') : text);

// Every file's path under dir, relative to it (web/ and web/examples/).
function filesUnder(dir, prefix = '') {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const name = path.join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(dir, name) : entry.isFile() ? [name] : [];
  });
}

const BOOK_RUN = ['--seed', '42', '--epochs', '20'];

/**
 * The line of validate_epoch values the command-line tool prints for a run (20 epochs with the book's
 * settings unless `run` says otherwise): the native build if it is there, else the same engine as
 * WebAssembly under Node.
 */
export async function cliPrintedLine(sample, run = BOOK_RUN) {
  const { stdout } = await cli(['train', '--data', sample, ...run]);
  return stdout.split('\n')[0].trim();
}

/** Every step's loss of a run, as `mnist-sgd train --batches` prints it (as for cliPrintedLine): float32 values. */
export async function cliStepLosses(sample, run) {
  const { stdout } = await cli(['train', '--data', sample, ...run, '--batches']);
  return stdout.trim().split('\n').slice(1).map((line) => Math.fround(Number(line.split('\t')[2])));
}

/** The parameters file `mnist-sgd train --save-params` writes after a run (as for cliPrintedLine). */
export async function cliSavedParams(sample, run = BOOK_RUN) {
  const dir = mkdtempSync(path.join(tmpdir(), 'params-'));
  try {
    const file = path.join(dir, 'params.txt');
    await cli(['train', '--data', sample, ...run, '--save-params', file]);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cli(args) {
  const native = path.join(ROOT, 'build/native/mnist-sgd');
  const wasm = path.join(ROOT, 'build/wasm/mnist-sgd-cli.cjs');
  if (!existsSync(native) && !existsSync(wasm)) throw new Error('no mnist-sgd command-line tool is built: run scripts/build-site (or scripts/test)');
  return existsSync(native) ? run(native, args) : run(process.execPath, ['--no-experimental-fetch', wasm, ...args]);
}

/** Headless Chromium, as the benchmark launches it (kept off the network), with a context of its own. */
export async function launchChromium() {
  const browser = await launchHeadlessChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  return { context, close: () => browser.close() };
}

/**
 * A new page that records every console error, uncaught exception and request to another origin than
 * `origin` (or the origins, given a list), in its frames too; the test fails when `problems` is not empty.
 */
export async function openPage(context, origin, { viewport } = {}) {
  const origins = [origin].flat();
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!origins.some((o) => url.startsWith(o)) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`request left the origin: ${url}`);
  });
  return { page, problems };
}

/** Waits until the page (or frame) has decoded the sample; returns its navigation-to-ready time in ms. */
export async function waitForData(page) {
  await page.locator('html[data-ready-ms]').waitFor({ state: 'attached', timeout: 30_000 });
  return Number(await page.locator('html').getAttribute('data-ready-ms'));
}

export const tableRows = (page) => page.locator('#epochs-table tbody tr');

/**
 * Asserts that read() comes to resolve to `expected` within `timeout` ms (5 s: the page draws its state at
 * the next frame).
 */
export async function untilEqual(read, expected, message, timeout = 5000) {
  const deadline = Date.now() + timeout;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  assert.equal(value, expected, message);
}

// Strokes as polylines in pad coordinates (0..1 across, 0..1 down), drawn as people draw these digits.
export const SEVEN = [[[0.22, 0.18], [0.78, 0.18], [0.62, 0.45], [0.44, 0.86]]];
export const THREE = [[...arc(0.5, 0.33, 0.19, 0.15, -160, 90), ...arc(0.5, 0.66, 0.21, 0.17, -90, 160)]];

function arc(cx, cy, rx, ry, fromDegrees, toDegrees, steps = 12) {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = ((fromDegrees + ((toDegrees - fromDegrees) * i) / steps) * Math.PI) / 180;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)];
  });
}

/**
 * Draws strokes on the drawing pad with real mouse events (down, moves, up); frame: the frame (a
 * FrameLocator) that shows the pad, when it is not the page itself.
 */
export async function draw(page, strokes, frame = page) {
  const pad = frame.getByRole('img', { name: 'Drawing pad' });
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const point of stroke.slice(1)) await page.mouse.move(...at(point), { steps: 2 });
    await page.mouse.up();
  }
}
