// A parameters file as the page reads one, under Node, no browser needed: loader.js checks its size and
// the engine parses its text (the worker's importParams does the same with the built module). The page
// reads the reference files back bit for bit, reads what numpy writes, and names the first problem of a
// bad file in the engine's words, as the CLI's --init-params does. (The engine writes the files:
// tests/wasm/models.test.mjs.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers.mjs';
import { readParamsText } from '../../web/loader.js';

const site = path.join(ROOT, 'build/site');
const { loadEngine } = await import(pathToFileURL(path.join(site, 'engine.js')));
const engine = await loadEngine({ wasmBinary: readFileSync(path.join(site, 'mnist_sgd.wasm')) });

const reference = (run, name) => readFileSync(path.join(ROOT, 'tests/reference', run, name), 'utf8');
const ones = (count) => `${Array.from({ length: count }, () => '1').join('\n')}\n`;

describe('a parameters file, as the page reads it', () => {
  it('reads the reference files of both models, every value as the float32 written', () => {
    for (const [run, model] of [['linear-seed42-lr1-bs256-e20', 'linear'], ['simple_net-seed42-lr0.1-bs256-e40', 'simple_net']]) {
      for (const name of ['init_params.txt', 'final_params.txt']) {
        const text = reference(run, name);
        const expected = text.trim().split('\n').map((line) => Math.fround(Number(line)));
        assert.deepEqual(Array.from(engine.parseParams(model, text)), expected, `${run}/${name}`);
      }
    }
  });

  it('reads what numpy.savetxt writes (%.18e), Windows line ends, blank lines and a byte-order mark', () => {
    const values = Float32Array.from({ length: 785 }, (_, i) => Math.fround(Math.sin(i) * 3));
    const numpy = Array.from(values, (v) => v.toExponential(18)).join('\r\n');
    assert.deepEqual(engine.parseParams('linear', `\uFEFF${numpy}\r\n\r\n`), values);
  });

  it('names the first problem of a bad file as parse_params does', () => {
    const refused = (model, text, message) => assert.throws(() => engine.parseParams(model, text), { message }, message);
    refused('linear', ones(784), 'expected 785 numbers, found 784');
    refused('linear', ones(786), 'expected 785 numbers, found more (line 786)');
    refused('simple_net', ones(785), 'expected 23581 numbers, found 785');
    refused('linear', '', 'expected 785 numbers, found 0');
    for (const bad of ['nan', 'inf', '-Infinity', '0x1p3', '1e39', '1,5', '1 2', 'zero point one']) {
      refused('linear', `1\n1\n${bad}\n${ones(782)}`, `line 3: '${bad}' is not a finite number`);
    }
    refused('linear', `${'9'.repeat(60)}x\n`, `line 1: '${'9'.repeat(40)}' is not a finite number`);
  });

  it('refuses an empty or oversized file before reading it', async () => {
    await assert.rejects(readParamsText(new Blob([])), { message: 'the file is empty' });
    await assert.rejects(readParamsText(new Blob([new Uint8Array(2 * 1024 * 1024)])), { message: /larger than 1 MB/ });
    const text = reference('simple_net-seed42-lr0.1-bs256-e40', 'final_params.txt');
    assert.equal(await readParamsText(new Blob([text])), text);
  });
});
