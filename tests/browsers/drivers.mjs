// Three browser engines behind one small interface, so that one test body runs in each: Chromium through
// playwright-core, Firefox ESR through puppeteer-core over WebDriver BiDi, WebKitGTK (the engine of Safari)
// through WebKitWebDriver and selenium-webdriver on a private virtual display. A test speaks in what a
// learner sees and does: controls found by role and name or by their label, text read from the page, real
// clicks, typing and mouse strokes.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import puppeteer from 'puppeteer-core';
import { Builder, Key, Origin } from 'selenium-webdriver';
import { launchChromium as launchE2eChromium } from '../e2e/helpers.mjs';

export const ENGINES = ['chromium', 'firefox', 'webkit'];
const VIEWPORT = { width: 1280, height: 1000 };
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/**
 * Starts a browser: {open() -> Tab, close()}. options.env: the browser's environment (WebKit:
 * JSC_useWasmSIMD=false turns WebAssembly SIMD off); options.prefs: Firefox preferences
 * (javascript.options.wasm: false turns WebAssembly off).
 */
export async function launch(engine, options = {}) {
  switch (engine) {
    case 'chromium': return launchChromium();
    case 'firefox': return launchFirefox(options);
    case 'webkit': return launchWebKit(options);
    default: throw new Error(`unknown engine ${engine}: one of ${ENGINES.join(', ')}`);
  }
}

// Finds an element as a learner would: {role, name} (a button by its text, or an element's aria-label),
// {label} (the control a <label> names, or the element an aria-labelledby or aria-label names), or {css}.
// Runs in the page: it must use nothing from this file.
function locate(query) {
  const text = (element) => element.textContent.replace(/\s+/g, ' ').trim();
  const labelledBy = (element) => (element.getAttribute('aria-labelledby') ?? '').split(' ')
    .map((id) => document.getElementById(id)).filter(Boolean).map(text).join(' ');
  const name = (element) => element.getAttribute('aria-label') ?? (labelledBy(element) || text(element));
  if (query.css) return document.querySelector(query.css);
  if (query.label) {
    const label = [...document.querySelectorAll('label')].find((element) => text(element) === query.label);
    if (label?.control) return label.control;
    return [...document.querySelectorAll('[aria-label], [aria-labelledby]')].find((element) => name(element) === query.label) ?? null;
  }
  const candidates = query.role === 'button'
    ? document.querySelectorAll('button, [role="button"], input[type="button"], input[type="submit"]')
    : document.querySelectorAll(`[role="${query.role}"]`);
  // Only what is shown: a learner sees no hidden control (the compact run bar's twins of the Train card's buttons).
  const shown = (element) => element.getClientRects().length > 0;
  return [...candidates].find((element) => name(element) === query.name && shown(element)) ?? null;
}

// The script that runs fn(element found by query, arg) in the page, as one expression.
const withElement = (query, fn, arg) => `(${fn})((${locate})(${JSON.stringify(query)}), ${JSON.stringify(arg)})`;
const describeQuery = (query) => JSON.stringify(query);

/** What the tests do in a page, whichever engine shows it. Subclasses supply the engine's own calls. */
class Tab {
  /** fn(arg), run in the page's top document; its result, which must be plain data. */
  evaluate(fn, arg) {
    return this.run(`(${fn})(${JSON.stringify(arg)})`);
  }

  /** fn(element, arg) for the element that `query` finds (null when none). */
  inspect(query, fn, arg) {
    return this.run(withElement(query, fn, arg));
  }

  /** The element's text, spaces collapsed; null when there is no such element. */
  text(query) {
    return this.inspect(query, (element) => element?.textContent.replace(/\s+/g, ' ').trim() ?? null);
  }

  /** Waits until the element's text matches `pattern`; returns the text. */
  async waitForText(query, pattern, timeout) {
    let text = null;
    await eventually(async () => {
      text = await this.text(query);
      return text !== null && pattern.test(text);
    }, () => `${describeQuery(query)} to match ${pattern}; it reads ${JSON.stringify(text)}`, timeout);
    return text;
  }

  /** Clicks the element once it is enabled, as a learner waits for a greyed-out button. */
  async click(query) {
    await eventually(() => this.inspect(query, (element) => element !== null && !element.disabled), `${describeQuery(query)} to be enabled`);
    await this.press(await this.element(query));
  }

  async element(query) {
    const element = await this.handle(withElement(query, (found) => found));
    if (!element) throw new Error(`no element ${describeQuery(query)}`);
    return element;
  }

  /** Draws strokes (polylines in 0..1 across and down the element) with the mouse: down, moves, up. */
  async draw(query, strokes) {
    const box = await this.inspect(query, (element) => {
      element.scrollIntoView({ block: 'center' });
      const { x, y, width, height } = element.getBoundingClientRect();
      return { x, y, width, height };
    });
    await this.strokes(strokes.map((stroke) => stroke.map(([x, y]) =>
      [Math.round(box.x + x * box.width), Math.round(box.y + y * box.height)])));
  }

  /** Errors the page's own recorder saw (record-errors.js), in the top document and in each frame. */
  async recordedErrors() {
    return (await this.inEachFrame('return self.recordedErrors ?? []')).flat();
  }

  /** Every error seen so far: the driver's console and page errors, and what the page recorded. */
  async problems() {
    return [...this.reported, ...(await this.recordedErrors())];
  }
}

/**
 * Calls probe() (a check on the page, run from here) until it returns something truthy, and returns that;
 * throws after `timeout` ms, naming `what` (a string, or a function giving one).
 */
export async function eventually(probe, what, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeout / 1000} s for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// --- Chromium, through playwright-core ---------------------------------------------------------------

class PlaywrightTab extends Tab {
  constructor(page) {
    super();
    this.page = page;
    this.reported = [];
    page.on('console', (message) => { if (message.type() === 'error') this.reported.push(`console error: ${message.text()}`); });
    page.on('pageerror', (error) => this.reported.push(`page error: ${error.message}`));
  }

  goto(url) { return this.page.goto(url); }
  run(expression) { return this.page.evaluate(expression); }
  async handle(expression) { return (await this.page.evaluateHandle(expression)).asElement(); }
  press(element) { return element.click(); }
  async enter(query, text) {
    const field = await this.element(query);
    await field.fill(text);
    await field.press('Enter');
  }
  async setFile(query, file) { await (await this.element(query)).setInputFiles(file); }
  async strokes(strokes) {
    for (const stroke of strokes) {
      await this.page.mouse.move(...stroke[0]);
      await this.page.mouse.down();
      for (const point of stroke.slice(1)) await this.page.mouse.move(...point, { steps: 2 });
      await this.page.mouse.up();
    }
  }
  inEachFrame(body) {
    return Promise.all(this.page.frames().map((frame) => frame.evaluate(`(() => { ${body} })()`)));
  }
  close() { return this.page.close(); }
}

// The e2e tests' Chromium: headless, kept off the network, a 1280 x 1000 viewport.
async function launchChromium() {
  const { context, close } = await launchE2eChromium();
  return { open: async () => new PlaywrightTab(await context.newPage()), close };
}

// --- Firefox ESR, through puppeteer-core over WebDriver BiDi -----------------------------------------

// A puppeteer page answers Playwright's calls for pages, handles, the mouse and events; only typing into a
// field and choosing a file differ.
class PuppeteerTab extends PlaywrightTab {
  async enter(query, text) {
    const field = await this.element(query);
    await field.focus();
    const { keyboard } = this.page;
    await keyboard.down('Control');
    await keyboard.press('a');
    await keyboard.up('Control');
    await keyboard.type(text);
    await keyboard.press('Enter');
  }
  async setFile(query, file) { await (await this.element(query)).uploadFile(file); }
}

async function launchFirefox({ prefs = {} }) {
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr', headless: true,
    defaultViewport: VIEWPORT, extraPrefsFirefox: prefs,
  });
  return { open: async () => new PuppeteerTab(await browser.newPage()), close: () => browser.close() };
}

// --- WebKitGTK, through WebKitWebDriver and selenium-webdriver ---------------------------------------

class SeleniumTab extends Tab {
  constructor(driver) {
    super();
    this.driver = driver;
    this.reported = [];  // WebKitWebDriver reports no console: recordedErrors() is all there is
  }

  goto(url) { return this.driver.get(url); }
  run(expression) { return this.driver.executeScript(`return ${expression}`); }
  handle(expression) { return this.run(expression); }
  press(element) { return element.click(); }
  async enter(query, text) {
    const field = await this.element(query);
    // Two calls: with the text in the same call as the chord, WebKitWebDriver types nothing.
    await field.sendKeys(Key.chord(Key.CONTROL, 'a'));
    await field.sendKeys(text, Key.ENTER);
  }
  async setFile(query, file) { await (await this.element(query)).sendKeys(file); }
  async strokes(strokes) {
    for (const stroke of strokes) {
      const actions = this.driver.actions({ async: true });
      actions.move({ origin: Origin.VIEWPORT, x: stroke[0][0], y: stroke[0][1] }).press();
      for (const [x, y] of stroke.slice(1)) actions.move({ origin: Origin.VIEWPORT, x, y, duration: 20 });
      await actions.release().perform();
    }
  }
  async inEachFrame(body) {
    const results = [await this.driver.executeScript(body)];
    const frames = await this.driver.executeScript('return document.querySelectorAll("iframe").length');
    for (let i = 0; i < frames; i++) {
      await this.driver.switchTo().frame(i);
      results.push(await this.driver.executeScript(body));
      await this.driver.switchTo().defaultContent();
    }
    return results;
  }
  close() { return this.driver.quit(); }
}

// MiniBrowser has no headless mode: it gets an X display of its own, which Xvfb picks (-displayfd).
async function launchWebKit({ env = {} }) {
  const processes = [];
  const stop = () => { for (const child of processes.splice(0).reverse()) child.kill(); };
  process.once('exit', stop);  // a test process that dies leaves no display or driver behind
  try {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x1200x24', '-nolisten', 'tcp'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    processes.push(xvfb);
    const display = await firstLine(xvfb, xvfb.stdio[3], 'Xvfb');
    const port = await freePort();
    const driverProcess = spawn(process.env.WEBKIT_WEBDRIVER ?? 'WebKitWebDriver', [`--port=${port}`],
      { env: { ...process.env, ...env, DISPLAY: `:${display}` }, stdio: ['ignore', 'ignore', 'pipe'] });
    processes.push(driverProcess);
    const server = `http://127.0.0.1:${port}`;
    await waitForServer(`${server}/status`, driverProcess);
    const driver = await new Builder().usingServer(server).withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: process.env.MINIBROWSER ?? MINIBROWSER, args: ['--automation'] },
    }).build();
    await driver.manage().window().setRect({ x: 0, y: 0, ...VIEWPORT });
    let opened = false;
    return {
      // One session is one window: a second open() would share it.
      open: async () => {
        if (opened) throw new Error('WebKit: one tab per launch');
        opened = true;
        return new SeleniumTab(driver);
      },
      close: async () => {
        await driver.quit().catch(() => {});
        stop();
      },
    };
  } catch (error) {
    stop();
    throw error;
  }
}

function firstLine(child, stream, name) {
  return new Promise((resolve, reject) => {
    stream.once('data', (data) => resolve(String(data).trim()));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
    child.once('error', reject);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForServer(url, child) {
  let stderr = '';
  child.stderr.on('data', (data) => { stderr += data; });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}): ${stderr.trim()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`WebKitWebDriver did not answer at ${url} within 15 s`);
}
