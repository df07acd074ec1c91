// One SGD step seen from inside, through the module: Trainer.traceBatch and stepLosses against PyTorch's runs
// (batches.tsv: every step's loss; first_grad.txt: the first batch's gradient), a traced run against an
// untraced one, the accuracy as the loss, and the native and WebAssembly CLIs' --batches and --save-grad.
// Run by scripts/test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { archivePath, cli, engine, nativeCli, root, sample, wasmCli } from './module.mjs';

const references = path.join(root, 'tests/reference');
const referenceText = (run, file) => readFileSync(path.join(references, run, file), 'utf8');
const numbers = (text) => text.trim().split('\n').map(Number);
const stepLosses = (run) => referenceText(run, 'batches.tsv').trim().split('\n').slice(1).map((line) => Number(line.split('\t')[2]));

// The book's two models as PyTorch ran them (tests/reference/*/config.txt); simple_net for 5 of its 40 epochs.
const RUNS = [
  { run: 'linear-seed42-lr1-bs256-e20', options: { model: 'linear', lr: 1 }, epochs: 20 },
  { run: 'simple_net-seed42-lr0.1-bs256-e40', options: { model: 'simple_net', lr: 0.1 }, epochs: 5 },
];

function referenceTrainer({ run, options }, extra = {}) {
  const trainer = engine.createTrainer(sample, { ...options, ...extra });
  trainer.setParams(engine.parseParams(options.model, referenceText(run, 'init_params.txt')));
  return trainer;
}

const largestGap = (a, b) => a.reduce((largest, value, i) => Math.max(largest, Math.abs(value - b[i])), 0);

for (const reference of RUNS) {
  test(`every step's loss and the first gradient are PyTorch's: ${reference.run}`, () => {
    const trainer = referenceTrainer(reference);
    const first = trainer.traceBatch();
    const torchGrad = numbers(referenceText(reference.run, 'first_grad.txt'));
    assert.equal(first.gradient.length, torchGrad.length);
    assert.ok(largestGap(first.gradient, torchGrad) < 1e-6, `gradient off by ${largestGap(first.gradient, torchGrad)}`);
    assert.ok(largestGap(torchGrad, torchGrad.map(() => 0)) > 1e-3, 'a zero gradient would not pass');
    assert.deepEqual([first.epoch, first.batch, first.batchesPerEpoch, first.threes, first.sevens], [1, 1, 49, 256, 0]);
    for (let epoch = 0; epoch < reference.epochs; epoch++) trainer.trainEpoch();
    const losses = trainer.stepLosses();
    const torch = stepLosses(reference.run).slice(0, 49 * reference.epochs);
    assert.equal(losses.length, torch.length);
    losses.forEach((loss, i) => assert.ok(Math.abs(loss - torch[i]) <= 1e-5 * torch[i], `step ${i + 1}: ${loss} vs ${torch[i]}`));
    trainer.delete();
  });

  test(`a run traced at every step ends with the same bits as an untraced one: ${reference.run}`, () => {
    const plain = referenceTrainer(reference);
    const traced = referenceTrainer(reference);
    plain.trainEpoch();
    let trace;
    for (let step = 0; step < 49; step++) trace = traced.traceBatch();
    assert.equal(traced.epochsDone, 1);
    assert.deepEqual(traced.getParams(), plain.getParams());
    assert.deepEqual(traced.stepLosses(), plain.stepLosses());
    // The last batch of an unshuffled epoch holds only 7s, and its update is what the step did.
    assert.deepEqual([trace.threes, trace.sevens, trace.rows.length, trace.predictions.length], [0, 108, 108, 108]);
    assert.ok(trace.update.some((u) => u !== 0));
    plain.delete();
    traced.delete();
  });
}

test('with the accuracy as the loss the gradient is zero and nothing moves', () => {
  const trainer = referenceTrainer(RUNS[0], { loss: 'accuracy' });
  const initial = trainer.getParams();
  const epoch0 = trainer.validate();
  const first = trainer.traceBatch();
  assert.ok(first.gradient.every((g) => g === 0) && first.update.every((u) => u === 0));
  for (let epoch = 0; epoch < 3; epoch++) trainer.trainEpoch();
  assert.deepEqual(trainer.getParams(), initial);
  assert.deepEqual(trainer.validate(), epoch0);
  assert.throws(() => trainer.reset({ loss: 'cross_entropy' }), /loss must be "mnist_loss" or "accuracy"/);
  trainer.delete();
});

// The steps are the fast kernels', the same bits everywhere. The gradient shown is the book's calc_grad, whose
// Eigen sums run in SIMD lanes natively and one by one in WebAssembly (Eigen 3.4 has no SIMD path there):
// the two agree to float rounding, about 1e-7 of each value, not to the bit.
test('native and WebAssembly CLIs print the same steps, and the same first gradient to float rounding', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'mnist-sgd-step-'));
  try {
    const run = (command, name) => {
      const grad = path.join(folder, name);
      const out = cli(command, ['train', '--data', archivePath, '--epochs', '2', '--model', 'simple_net', '--batches', '--save-grad', grad]);
      return [out, readFileSync(grad, 'utf8')];
    };
    const [nativeOut, nativeGrad] = run(nativeCli, 'native.txt');
    const [wasmOut, wasmGrad] = run(wasmCli, 'wasm.txt');
    assert.equal(nativeOut.split('\n').length, 2 * 49 + 2);  // the header, the rows and the final newline
    assert.equal(wasmOut, nativeOut);
    const [a, b] = [numbers(wasmGrad), numbers(nativeGrad)];
    assert.equal(a.length, 23581);
    a.forEach((g, i) => assert.ok(Math.abs(g - b[i]) <= 1e-6 * Math.abs(b[i]) + 1e-12, `line ${i + 1}: ${g} vs ${b[i]}`));
  } finally {
    rmSync(folder, { recursive: true });
  }
});
