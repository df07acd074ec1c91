// The WebAssembly module through web/engine.js, under Node's test runner: the reference trajectory,
// parity with the native CLI, bad input, leaks and size. Run by scripts/test after scripts/build-site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { archive, archivePath, cli, engine, nativeCli, root, sample, site, wasmCli } from './module.mjs';

const reference = path.join(root, 'tests/reference/linear-seed42-lr1-bs256-e20');

const readNumbers = (file) => readFileSync(file, 'utf8').trim().split('\n').map(Number);
const readTrajectory = (file) => readFileSync(file, 'utf8').trim().split('\n').slice(1)
  .map((line) => line.split('\t').map(Number));

test('the sample decodes to 6131 / 6265 / 1010 / 1028 images', () => {
  assert.deepEqual({ ...sample.counts }, { train3: 6131, train7: 6265, valid3: 1010, valid7: 1028 });
  assert.equal(sample.label('train', 0), 1);
  assert.equal(sample.label('train', sample.trainCount - 1), 0);
  // All of a split's labels in one call: the 3s (1) first, then the 7s (0).
  const valid = sample.labels('valid');
  assert.equal(valid.length, 2038);
  assert.equal(valid.filter((label) => label === 1).length, 1010);
  assert.ok(valid.every((label, i) => label === sample.label('valid', i)));
  assert.equal(sample.labels('test').length, 0);
});

test('an archive decoded in one call reports its progress along the way', () => {
  const reports = [];
  const loaded = engine.loadSample(archive, { onProgress: (decoded, total) => reports.push([decoded, total]) });
  assert.deepEqual({ ...loaded.counts }, { ...sample.counts });
  for (const index of [0, 6130, 6131, 12395]) assert.deepEqual(loaded.image('train', index), sample.image('train', index));
  assert.deepEqual(loaded.image('valid', 2037), sample.image('valid', 2037));
  assert.ok(reports.length > 10, `${reports.length} progress reports`);
  assert.deepEqual(reports.at(-1), [archive.length, archive.length]);
  assert.ok(reports.every(([decoded], i) => i === 0 || decoded > reports[i - 1][0]));
  loaded.delete();
});

test('an archive written in pieces as a download gives them decodes to the same sample', () => {
  for (const pieceBytes of [1000, 65536]) {
    const loader = engine.sampleLoader();
    for (let start = 0; start < archive.length; start += pieceBytes) loader.write(archive.subarray(start, start + pieceBytes));
    const streamed = loader.finish();
    assert.deepEqual({ ...streamed.counts }, { ...sample.counts });
    for (const index of [0, 6130, 6131, 12395]) assert.deepEqual(streamed.image('train', index), sample.image('train', index));
    assert.deepEqual(streamed.image('valid', 2037), sample.image('valid', 2037));
    streamed.delete();
  }
});

test('a bad piece is refused when it is written, and the load then ends without leaking', () => {
  const heap = engine.heapBytesInUse;
  const damaged = archive.slice(0, 200000);
  damaged[100000] ^= 0xff;  // inside the compressed data
  const loader = engine.sampleLoader();
  assert.throws(() => {
    for (let start = 0; start < damaged.length; start += 10000) loader.write(damaged.subarray(start, start + 10000));
  }, /corrupt|checksum|truncated/);
  assert.throws(() => loader.write(archive.subarray(0, 10)), /this load has ended/);
  const cancelled = engine.sampleLoader();
  cancelled.write(archive.subarray(0, 500000));
  cancelled.cancel();
  assert.ok(engine.heapBytesInUse - heap < 1024, `${engine.heapBytesInUse - heap} bytes still in use`);
});

test('training from the reference init lands on the PyTorch trajectory and final parameters', () => {
  const trainer = engine.createTrainer(sample, { lr: 1, batchSize: 256 });
  trainer.setParams(readNumbers(path.join(reference, 'init_params.txt')));
  for (const [epoch, validateEpoch, accuracy, trainLoss] of readTrajectory(path.join(reference, 'trajectory.tsv'))) {
    const stats = trainer.trainEpoch();
    const validation = trainer.validate();
    assert.equal(stats.epoch, epoch);
    assert.ok(Math.abs(validation.validateEpoch - validateEpoch) <= 0.001, `epoch ${epoch}: ${validation.validateEpoch} vs ${validateEpoch}`);
    assert.ok(Math.abs(validation.accuracy - accuracy) <= 0.001, `epoch ${epoch} accuracy`);
    assert.ok(Math.abs(stats.trainLoss - trainLoss) <= 1e-4, `epoch ${epoch} loss`);
  }
  const finalParams = readNumbers(path.join(reference, 'final_params.txt'));
  const params = trainer.getParams();
  assert.equal(params.length, 785);
  const worst = Math.max(...finalParams.map((value, i) => Math.abs(value - params[i])));
  assert.ok(worst <= 1e-3, `largest parameter difference ${worst}`);
  trainer.delete();
});

test('the confusion matrix adds up to the validation set and agrees with the exact accuracy', () => {
  const trainer = engine.createTrainer(sample);
  for (let epoch = 0; epoch < 3; epoch++) trainer.trainEpoch();
  const c = trainer.confusion();
  const { correct, count } = trainer.validate();
  assert.equal(c.threesAsThree + c.threesAsSeven, sample.counts.valid3);
  assert.equal(c.sevensAsThree + c.sevensAsSeven, sample.counts.valid7);
  assert.equal(c.threesAsThree + c.sevensAsSeven, correct);
  assert.equal(c.misclassified.length, count - correct);
  for (const index of c.misclassified.slice(0, 20)) {
    const predictsThree = trainer.predict(sample.image('valid', index)) > 0.5;
    assert.notEqual(predictsThree, sample.label('valid', index) === 1);
  }
  trainer.delete();
});

test('step batch walks through an epoch and then starts the next one', () => {
  const trainer = engine.createTrainer(sample, { batchSize: 1000 });
  const first = trainer.trainBatch();
  assert.deepEqual([first.epoch, first.batch, first.batchesPerEpoch], [1, 1, 13]);
  const rest = trainer.trainEpoch();  // finishes epoch 1
  assert.equal(rest.epoch, 1);
  assert.equal(trainer.epochsDone, 1);
  assert.equal(trainer.trainBatch().epoch, 2);
  trainer.delete();
});

// Runs a CLI and returns its stdout; the wasm CLI runs with the optimising compiler from the start (see scripts/mnist-sgd).
const withoutTimes = (tsv) => tsv.trim().split('\n').map((line) => line.split('\t').slice(0, 4).join('\t'));

for (const args of [
  ['--epochs', '5', '--seed', '7'],
  ['--epochs', '4', '--seed', '3', '--lr', '0.1', '--batch-size', '64', '--shuffle'],
  ['--epochs', '3', '--init', 'pytorch', '--batch-size', '1000'],
  ['--epochs', '3', '--model', 'simple_net', '--lr', '0.1', '--seed', '5'],
  ['--epochs', '2', '--model', 'simple_net', '--init', 'randn', '--lr', '0.01', '--batch-size', '100', '--shuffle'],
]) {
  test(`native and WebAssembly CLIs print the same run: ${args.join(' ')}`, () => {
    const common = ['train', '--data', archivePath, '--tsv', ...args];
    assert.deepEqual(withoutTimes(cli(wasmCli, common)), withoutTimes(cli(nativeCli, common)));
  });
}

test('the WebAssembly CLI finds the sample through $MNIST_SAMPLE, as the native one does', () => {
  const env = { ...process.env, MNIST_SAMPLE: archivePath };
  const found = execFileSync(wasmCli[0], [...wasmCli.slice(1), 'data'], { encoding: 'utf8', env }).trim();
  assert.equal(found, execFileSync(nativeCli[0], ['data'], { encoding: 'utf8', env }).trim());
  assert.ok(found.endsWith('mnist_sample.tgz'), found);
});

test('same seed, no init file: native and WebAssembly draw bit-identical weights', () => {
  const trainer = engine.createTrainer(sample, { seed: 2024 });
  const drawn = Array.from(trainer.getParams(), (value) => value.toPrecision(9));
  const saved = path.join(root, 'build/seed2024-epoch0.txt');
  cli(nativeCli, ['train', '--data', archivePath, '--seed', '2024', '--epochs', '0', '--save-params', saved]);
  const native = readNumbers(saved).map((value) => value.toPrecision(9));
  assert.deepEqual(drawn, native);
  trainer.delete();
});

test('the module prints the same 20 numbers as the native CLI for the same seed', () => {
  const trainer = engine.createTrainer(sample, { seed: 42 });
  const line = [];
  for (let epoch = 0; epoch < 20; epoch++) {
    trainer.trainEpoch();
    line.push(trainer.validate().validateEpoch.toFixed(4));
  }
  const native = cli(nativeCli, ['train', '--data', archivePath, '--seed', '42']).split('\n')[0];
  assert.equal(line.join(' '), native);
  trainer.delete();
});

test("seed 42 with the book's settings prints PyTorch's 20 numbers, as torch.manual_seed(42) in the notebook", () => {
  const expected = readTrajectory(path.join(reference, 'trajectory.tsv')).map(([, accuracy]) => accuracy.toFixed(4));
  const trainer = engine.createTrainer(sample, { seed: 42 });
  assert.equal(trainer.getParams().length, 785);
  // %.9g gives back every float exactly.
  assert.deepEqual(Array.from(trainer.getParams()), readNumbers(path.join(reference, 'init_params.txt')).map(Math.fround));
  const line = [];
  for (let epoch = 0; epoch < 20; epoch++) {
    trainer.trainEpoch();
    line.push(trainer.validate().validateEpoch.toFixed(4));
  }
  assert.equal(line.join(' '), expected.join(' '));
  trainer.delete();
});

test('a seed is a number, a decimal string or a BigInt, up to 2^64 - 1, whose low 32 bits alone reach the generator', () => {
  const params = (seed) => {
    const trainer = engine.createTrainer(sample, { seed });
    const drawn = Array.from(trainer.getParams());
    trainer.delete();
    return drawn;
  };
  const seven = params(7);
  assert.deepEqual(params('7'), seven);
  assert.deepEqual(params(7n), seven);
  assert.deepEqual(params('18446744073709551615'), params(2 ** 32 - 1));
  assert.deepEqual(params(2n ** 32n + 7n), seven);
  assert.notDeepEqual(params(8), seven);
});

test('bad input is an Error with a one-line message, and the module stays usable', () => {
  const cases = [
    [() => engine.loadSample(new Uint8Array(0)), /empty/],
    [() => engine.loadSample(new Uint8Array([1, 2, 3, 4])), /not a gzip file/],
    [() => engine.loadSample(archive.subarray(0, archive.length >> 1)), /truncated/],
    [() => engine.loadSample(new Uint8Array(gzipSync(new Uint8Array(1024)))), /no images in train\/3/],  // an empty tar
    [() => engine.createTrainer(sample, { lr: NaN }), /learning rate/],
    [() => engine.createTrainer(sample, { lr: -1 }), /learning rate/],
    [() => engine.createTrainer(sample, { batchSize: 0 }), /batch size/],
    [() => engine.createTrainer(sample, { seed: 1.5 }), /seed/],
    [() => engine.createTrainer(sample, { init: 'zeros' }), /init/],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (error) => error instanceof Error && message.test(error.message) && !error.message.includes('\n'));
  }
  const trainer = engine.createTrainer(sample);
  assert.throws(() => trainer.setParams(new Float32Array(10)), /785 parameters/);
  assert.throws(() => trainer.setParams(new Float32Array(785).fill(NaN)), /finite/);
  assert.throws(() => trainer.predict(new Float32Array(10)), /784 pixels/);
  assert.throws(() => trainer.reset({ lr: Infinity }), /learning rate/);
  assert.equal(trainer.options.lr, 1, 'a rejected reset keeps the options');
  // After all that, the same module still trains.
  trainer.trainEpoch();
  assert.ok(trainer.validate().accuracy > 0.5);
  trainer.delete();
});

// mnist_loss saturates instead of overflowing (a huge lr leaves sigmoid at 0 or 1 and the gradient at 0), so
// divergence needs parameters whose products overflow: +inf and -inf partial sums make z NaN.
test('parameters that overflow stop training with "diverged at epoch N", and reset recovers', () => {
  const trainer = engine.createTrainer(sample);
  trainer.setParams(Float32Array.from({ length: 785 }, (_, i) => (i % 2 ? 3e38 : -3e38)));
  assert.throws(() => trainer.trainEpoch(), /diverged at epoch 1/);
  assert.throws(() => trainer.trainBatch(), /diverged at epoch 1/, 'it stays stopped');
  trainer.reset({ lr: 1 });
  trainer.trainEpoch();
  assert.ok(trainer.validate().accuracy > 0.5);
  trainer.delete();
});

test('the heap does not grow across 1,000 create/train/delete cycles and 10,000 predictions', () => {
  const cycle = () => {
    const trainer = engine.createTrainer(sample, { batchSize: 64 });
    trainer.trainBatch();
    trainer.getParams();
    trainer.delete();
  };
  cycle();  // first-use allocations (e.g. the stack's high-water mark) happen once
  const before = engine.heapBytesInUse;
  const memoryBefore = engine.memoryBytes;
  for (let i = 0; i < 1000; i++) cycle();
  assert.equal(engine.heapBytesInUse, before);

  const trainer = engine.createTrainer(sample);
  const image = sample.image('valid', 0);
  const withTrainer = engine.heapBytesInUse;
  for (let i = 0; i < 10000; i++) trainer.predict(image);
  assert.equal(engine.heapBytesInUse, withTrainer);
  trainer.delete();
  assert.equal(engine.memoryBytes, memoryBefore);
});

// 150 KB until the traced SGD step (the batch, the book's calc_grad for both models, the update) came in:
// 153,118 -> 167,447 bytes (+14.3 KB), with the book's spec built for size in the module.
test('the module (.wasm plus its JavaScript glue) stays under 170 KB', () => {
  const bytes = statSync(path.join(site, 'mnist_sgd.wasm')).size + statSync(path.join(site, 'mnist_sgd.js')).size;
  assert.ok(bytes < 170 * 1024, `${bytes} bytes`);
});
