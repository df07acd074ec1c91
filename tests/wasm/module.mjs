// What the Node tests of the module share: the built site's engine, the real sample (from $MNIST_SAMPLE,
// loaded once per test file), and the two command-line tools to compare it with.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const site = path.join(root, 'build/site');
export const archivePath = process.env.MNIST_SAMPLE;
assert.ok(archivePath && existsSync(archivePath) && statSync(archivePath).isFile(),
  `MNIST_SAMPLE must name mnist_sample.tgz (got ${archivePath ?? 'nothing'})`);

const { loadEngine } = await import(path.join(site, 'engine.js'));
export const engine = await loadEngine({ wasmBinary: readFileSync(path.join(site, 'mnist_sgd.wasm')) });
export const archive = new Uint8Array(readFileSync(archivePath));
export const sample = engine.loadSample(archive);

export const nativeCli = [path.join(root, 'build/native/mnist-sgd')];
export const wasmCli = ['node', '--no-experimental-fetch', '--no-liftoff', path.join(root, 'build/wasm/mnist-sgd-cli.cjs')];
/** Runs one of the tools above with `args`; its stdout. */
export const cli = (command, args) => execFileSync(command[0], [...command.slice(1), ...args], { encoding: 'utf8' });
