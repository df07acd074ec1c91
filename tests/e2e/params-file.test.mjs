// web/params-file.js under Node, no browser needed (the module is pure but for its download helper): the
// page writes parameters exactly as the command line's "%.9g" does, reads the reference files back bit for
// bit, and names the first problem of a bad file as the engine's parse_params would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers.mjs';
import { PARAM_COUNT, formatG9, formatParams, parseParams, readParamsFile } from '../../web/params-file.js';

const reference = (name) => readFileSync(path.join(ROOT, 'tests/reference/linear-seed42-lr1-bs256-e20', name), 'utf8');
const ones = (count) => `${Array.from({ length: count }, () => '1').join('\n')}\n`;

describe('web/params-file.js', () => {
  it('formats float32 values as printf("%.9g") does, exact ties rounded to even', () => {
    // Expected strings from C's printf (through Python's "%.9g" % value) for these float32 values.
    const cases = [
      [1234567.125, '1234567.12'], [20934.40625, '20934.4062'], [1.001953125, '1.00195312'], [-665291.0625, '-665291.062'],
      [Math.fround(1e-5), '9.99999975e-06'], [Math.fround(1e-4), '9.99999975e-05'], [Math.fround(123456789), '123456792'],
      [1e9, '1e+09'], [Math.fround(3.4028234663852886e38), '3.40282347e+38'], [Math.fround(1.4e-45), '1.40129846e-45'],
      [Math.fround(0.1), '0.100000001'], [-2.5, '-2.5'], [100, '100'], [1e8, '100000000'], [0, '0'], [-0, '-0'],
    ];
    for (const [value, expected] of cases) assert.equal(formatG9(value), expected, `${value}`);
  });

  it('reads the reference files and writes them back byte for byte', () => {
    for (const name of ['init_params.txt', 'final_params.txt']) {
      const text = reference(name);
      const params = parseParams(text);
      assert.equal(params.length, PARAM_COUNT);
      assert.equal(formatParams(params.subarray(0, 784), params[784]), text, name);
    }
  });

  it('reads what numpy.savetxt writes (%.18e), Windows line ends and blank lines', () => {
    const values = Float32Array.from({ length: PARAM_COUNT }, (_, i) => Math.fround(Math.sin(i) * 3));
    const numpy = Array.from(values, (v) => v.toExponential(18)).join('\r\n');
    assert.deepEqual(parseParams(`\uFEFF${numpy}\r\n\r\n`), values);
  });

  it('names the first problem of a bad file', () => {
    assert.throws(() => parseParams(ones(784)), { message: 'expected 785 numbers, found 784' });
    assert.throws(() => parseParams(ones(786)), { message: 'expected 785 numbers, found more (line 786)' });
    assert.throws(() => parseParams(''), { message: 'expected 785 numbers, found 0' });
    for (const bad of ['nan', 'inf', '-Infinity', '0x1p3', '1e39', '1,5', '1 2', 'zero point one']) {
      assert.throws(() => parseParams(`1\n1\n${bad}\n${ones(782)}`), { message: `line 3: '${bad}' is not a finite number` }, bad);
    }
    assert.throws(() => parseParams(`${'9'.repeat(60)}x\n`), { message: `line 1: '${'9'.repeat(40)}' is not a finite number` });
  });

  it('refuses an empty or oversized file before reading it', async () => {
    await assert.rejects(readParamsFile(new Blob([])), { message: 'the file is empty' });
    await assert.rejects(readParamsFile(new Blob([new Uint8Array(2 * 1024 * 1024)])), { message: /larger than 1 MB/ });
    assert.equal((await readParamsFile(new Blob([reference('final_params.txt')]))).length, PARAM_COUNT);
  });
});
