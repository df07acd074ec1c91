// tests/torch_random_test.cpp compiled to WebAssembly (build/wasm/torch_random_test.cjs, built with the module)
// and run under Node: the WebAssembly build must draw PyTorch's bits exactly as the native build does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('the WebAssembly build passes every case of torch_random_test.cpp', () => {
  const cases = readFileSync(path.join(root, 'tests/torch_random_test.cpp'), 'utf8').match(/^TEST_CASE\(/gm).length;
  const program = path.join(root, 'build/wasm/torch_random_test.cjs');
  // Node's fetch would make Emscripten 3.1.6's loader fetch the .wasm as a URL instead of reading the file.
  const run = spawnSync(process.execPath, ['--no-experimental-fetch', program, '--use-colour', 'no'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`All tests passed \\(\\d+ assertions in ${cases} test cases\\)`));
});
