// web/params-file.js under Node, no browser needed (the module is pure but for its download helper): the
// page reads the reference files back bit for bit, reads what numpy writes, and names the first problem of
// a bad file as the engine's parse_params does. (The engine writes the files: tests/wasm/models.test.mjs.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers.mjs';
import { parseParams, readParamsFile } from '../../web/params-file.js';

const reference = (run, name) => readFileSync(path.join(ROOT, 'tests/reference', run, name), 'utf8');
const ones = (count) => `${Array.from({ length: count }, () => '1').join('\n')}\n`;

describe('web/params-file.js', () => {
  it('reads the reference files of both models, every value as the float32 written', () => {
    for (const [run, count] of [['linear-seed42-lr1-bs256-e20', 785], ['simple_net-seed42-lr0.1-bs256-e40', 23581]]) {
      for (const name of ['init_params.txt', 'final_params.txt']) {
        const text = reference(run, name);
        const params = parseParams(text, count);
        assert.equal(params.length, count);
        assert.deepEqual(Array.from(params), text.trim().split('\n').map((line) => Math.fround(Number(line))), `${run}/${name}`);
      }
    }
  });

  it('reads what numpy.savetxt writes (%.18e), Windows line ends, blank lines and a byte-order mark', () => {
    const values = Float32Array.from({ length: 785 }, (_, i) => Math.fround(Math.sin(i) * 3));
    const numpy = Array.from(values, (v) => v.toExponential(18)).join('\r\n');
    assert.deepEqual(parseParams(`\uFEFF${numpy}\r\n\r\n`, 785), values);
  });

  it('names the first problem of a bad file as parse_params does', () => {
    assert.throws(() => parseParams(ones(784), 785), { message: 'expected 785 numbers, found 784' });
    assert.throws(() => parseParams(ones(786), 785), { message: 'expected 785 numbers, found more (line 786)' });
    assert.throws(() => parseParams(ones(785), 23581), { message: 'expected 23581 numbers, found 785' });
    assert.throws(() => parseParams('', 785), { message: 'expected 785 numbers, found 0' });
    for (const bad of ['nan', 'inf', '-Infinity', '0x1p3', '1e39', '1,5', '1 2', 'zero point one']) {
      assert.throws(() => parseParams(`1\n1\n${bad}\n${ones(782)}`, 785), { message: `line 3: '${bad}' is not a finite number` }, bad);
    }
    assert.throws(() => parseParams(`${'9'.repeat(60)}x\n`, 785), { message: `line 1: '${'9'.repeat(40)}' is not a finite number` });
  });

  it('refuses an empty or oversized file before reading it', async () => {
    await assert.rejects(readParamsFile(new Blob([]), 785), { message: 'the file is empty' });
    await assert.rejects(readParamsFile(new Blob([new Uint8Array(2 * 1024 * 1024)]), 785), { message: /larger than 1 MB/ });
    const text = reference('simple_net-seed42-lr0.1-bs256-e40', 'final_params.txt');
    assert.equal((await readParamsFile(new Blob([text]), 23581)).length, 23581);
  });
});
