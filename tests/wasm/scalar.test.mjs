// The module built without WebAssembly SIMD (mnist_sgd_scalar.wasm, for browsers that lack SIMD) against
// the SIMD build the other tests check: the same bits, epoch after epoch, on both reference trajectories and
// on a shuffled run whose last batch is short. Run by scripts/test after scripts/build-site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { archive, engine, root, sample, site } from './module.mjs';

const { loadEngine } = await import(path.join(site, 'engine.js'));
const scalarEngine = await loadEngine({ wasmBinary: readFileSync(path.join(site, 'mnist_sgd_scalar.wasm')) });
const scalarSample = scalarEngine.loadSample(archive);
const reference = (run, file) => readFileSync(path.join(root, 'tests/reference', run, file), 'utf8');

// Floats compared by their bits: -0 and 0, or two NaNs, would not pass as equal.
const bits = (values) => Array.from(new Uint32Array(Float32Array.from(values).buffer));

/** Trains the same run in both builds and asserts that every epoch's numbers and the parameters agree bit for bit. */
function assertSameRun({ options, epochs, initParams = null }) {
  const runs = [[engine, sample], [scalarEngine, scalarSample]].map(([e, s]) => {
    const trainer = e.createTrainer(s, options);
    if (initParams) trainer.setParams(initParams);
    return trainer;
  });
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const [simd, scalar] = runs.map((trainer) => {
        const { trainLoss } = trainer.trainEpoch();
        const { validateEpoch, accuracy, correct } = trainer.validate();
        return { trainLoss: bits([trainLoss]), validateEpoch, accuracy: bits([accuracy]), correct };
      });
      assert.deepEqual(scalar, simd, `epoch ${epoch}`);
    }
    const [simdParams, scalarParams] = runs.map((trainer) => bits(trainer.getParams()));
    assert.equal(scalarParams.length, simdParams.length);
    assert.ok(scalarParams.every((word, i) => word === simdParams[i]), 'the final parameters differ');
    const images = new Float32Array(64 * 784);
    for (let k = 0; k < 64; k++) images.set(sample.image('valid', k * 31), k * 784);
    assert.deepEqual(bits(runs[1].predictMany(images)), bits(runs[0].predictMany(images)), 'P(3) of validation images');
  } finally {
    for (const trainer of runs) trainer.delete();
  }
}

test('the scalar build decodes the same sample', () => {
  assert.deepEqual({ ...scalarSample.counts }, { ...sample.counts });
  for (const index of [0, 6131, 12395]) assert.deepEqual(scalarSample.image('train', index), sample.image('train', index));
});

test('the linear model gives the same bits in both builds on the reference trajectory (20 epochs)', () => {
  const run = 'linear-seed42-lr1-bs256-e20';
  assertSameRun({ options: { lr: 1, batchSize: 256 }, epochs: 20, initParams: engine.parseParams('linear', reference(run, 'init_params.txt')) });
});

test('simple_net gives the same bits in both builds on the reference trajectory (40 epochs)', () => {
  const run = 'simple_net-seed42-lr0.1-bs256-e40';
  assertSameRun({ options: { model: 'simple_net', lr: 0.1, batchSize: 256 }, epochs: 40, initParams: engine.parseParams('simple_net', reference(run, 'init_params.txt')) });
});

test('a shuffled run with a short last batch gives the same bits in both builds', () => {
  assertSameRun({ options: { lr: 0.5, batchSize: 100, seed: 7, shuffle: true }, epochs: 3 });
  assertSameRun({ options: { model: 'simple_net', lr: 0.1, batchSize: 100, seed: 7, shuffle: true, init: 'pytorch' }, epochs: 3 });
});

test('a drawing becomes the same 28x28 image in both builds', () => {
  const side = 64;
  const ink = new Float32Array(side * side);
  for (let i = 10; i < 54; i++) {
    ink[12 * side + i] = 1;  // a 7: the bar, then the stroke down
    ink[i * side + Math.round(50 - (i - 10) * 0.6)] = 0.8;
  }
  assert.deepEqual(bits(scalarEngine.preprocessDrawing(ink, side, side)), bits(engine.preprocessDrawing(ink, side, side)));
});

// 170 KB as the SIMD build's budget (engine.test.mjs), since the traced SGD step: 152,140 -> 168,719 bytes.
test('the build without SIMD, with the glue it shares, stays under 170 KB too', () => {
  const bytes = statSync(path.join(site, 'mnist_sgd_scalar.wasm')).size + statSync(path.join(site, 'mnist_sgd.js')).size;
  assert.ok(bytes < 170 * 1024, `${bytes} bytes`);
});
