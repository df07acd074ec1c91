// How long the first write to fresh WebAssembly memory takes in headless Chromium, against a second write
// to the same pages: on a virtual machine the first costs far more (the system maps each page then), and
// loading the MNIST sample writes about 60 MB for the first time.
//
//   node scripts/benchmark/fresh-memory.mjs      (after scripts/setup --browser and npm ci)
import { launchChromium } from './chromium.mjs';

const MEGABYTES = 64;
const browser = await launchChromium();
const page = await browser.newPage();
const rounds = await page.evaluate((megabytes) => {
  const writePages = (bytes, value) => {
    const start = performance.now();
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = value;
    return performance.now() - start;
  };
  return Array.from({ length: 3 }, () => {
    const bytes = new Uint8Array(new WebAssembly.Memory({ initial: (megabytes << 20) / 65536 }).buffer);
    return { first: writePages(bytes, 1), second: writePages(bytes, 2) };
  });
}, MEGABYTES);
await browser.close();
for (const { first, second } of rounds) {
  console.log(`${MEGABYTES} MB, one write per 4 KB page: first ${first.toFixed(0)} ms (${(first * 1000 / (MEGABYTES * 256)).toFixed(1)} µs a page), second ${second.toFixed(1)} ms`);
}
