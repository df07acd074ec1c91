// simple_net, the facts and the parameters file through the module, under Node's test runner: PyTorch's 40
// epochs of simple_net, the page's choice of model, what the engine tells the page about its models, and the
// text of a parameters file read and written by the engine byte for byte as the CLI's --save-params writes
// it. Run by scripts/test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { archivePath, cli, engine, nativeCli, root, sample } from './module.mjs';

const references = path.join(root, 'tests/reference');
const referenceText = (run, file) => readFileSync(path.join(references, run, file), 'utf8');
const readTrajectory = (text) => text.trim().split('\n').slice(1).map((line) => line.split('\t').map(Number));
const SIMPLE_NET = 'simple_net-seed42-lr0.1-bs256-e40';
const LINEAR = 'linear-seed42-lr1-bs256-e20';

test('simple_net from the reference init stays within 0.002 of PyTorch for 40 epochs', () => {
  const trainer = engine.createTrainer(sample, { model: 'simple_net', lr: 0.1 });
  trainer.setParams(engine.parseParams('simple_net', referenceText(SIMPLE_NET, 'init_params.txt')));
  let largest = 0;
  for (const [epoch, validateEpoch, accuracy] of readTrajectory(referenceText(SIMPLE_NET, 'trajectory.tsv'))) {
    assert.equal(trainer.trainEpoch().epoch, epoch);
    const validation = trainer.validate();
    largest = Math.max(largest, Math.abs(validation.validateEpoch - validateEpoch), Math.abs(validation.accuracy - accuracy));
  }
  assert.ok(largest <= 0.002, `largest difference ${largest}`);
  trainer.delete();
});

test('each model starts from its own initialisation unless one is chosen', () => {
  const linear = engine.createTrainer(sample, { seed: 1 });
  const net = engine.createTrainer(sample, { model: 'simple_net', seed: 1 });
  assert.equal(linear.getParams().length, 785);
  assert.equal(net.getParams().length, 23581);
  assert.equal(net.weights().length, 30 * 784);
  // nn.Linear's default for simple_net: uniform within 1/sqrt(784) in the first layer.
  assert.ok(net.weights().every((w) => Math.abs(w) <= 1 / 28));
  net.reset({ init: 'randn' });
  assert.ok(net.weights().some((w) => Math.abs(w) > 1), 'randn * 1 reaches beyond 1');
  assert.throws(() => net.reset({ model: 'mlp' }), { message: 'model must be "linear" or "simple_net"' });
  assert.equal(net.getParams().length, 23581, 'a refused reset leaves the run');
  linear.delete();
  net.delete();
});

test('predictMany gives each image the P(3) that predict gives it', () => {
  for (const model of ['linear', 'simple_net']) {
    const trainer = engine.createTrainer(sample, { model, lr: model === 'linear' ? 1 : 0.1 });
    trainer.trainEpoch();
    const indices = [0, 17, 1500, 2037];
    const images = new Float32Array(indices.length * 784);
    indices.forEach((index, k) => images.set(sample.image('valid', index), k * 784));
    assert.deepEqual(Array.from(trainer.predictMany(images)), indices.map((index) => Math.fround(trainer.predict(sample.image('valid', index)))), model);
    trainer.delete();
  }
});

test('the pixel-similarity baseline gives the book\'s 0.9168, 0.9854 and 0.9511', () => {
  const { threes, sevens, mean } = sample.pixelSimilarity();
  assert.deepEqual([threes, sevens, mean].map((x) => x.toFixed(4)), ['0.9168', '0.9854', '0.9511']);
});

test('the engine writes parameters byte for byte as the CLI does', () => {
  for (const [run, model] of [[LINEAR, 'linear'], [SIMPLE_NET, 'simple_net']]) {
    const trainer = engine.createTrainer(sample, { model });
    for (const file of ['init_params.txt', 'final_params.txt']) {
      const text = referenceText(run, file);
      trainer.setParams(engine.parseParams(model, text));
      assert.equal(trainer.paramsText(), text, `${run}/${file}`);
    }
    trainer.delete();
  }
  // What the native CLI saves after two epochs, the module writes after the same two.
  const folder = mkdtempSync(path.join(tmpdir(), 'params-'));
  try {
    const saved = path.join(folder, 'params.txt');
    cli(nativeCli, ['train', '--data', archivePath, '--model', 'simple_net', '--lr', '0.1', '--seed', '9', '--epochs', '2', '--save-params', saved]);
    const trainer = engine.createTrainer(sample, { model: 'simple_net', lr: 0.1, seed: 9 });
    trainer.trainEpoch();
    trainer.trainEpoch();
    assert.equal(trainer.paramsText(), readFileSync(saved, 'utf8'));
    trainer.delete();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the engine tells the page the book\'s facts about each model, and they hold for the models it builds', () => {
  const facts = engine.facts();
  assert.deepEqual(facts, {
    imageSide: 28,
    inputs: 784,
    models: {
      linear: { units: 1, paramCount: 785, book: { lr: 1, epochs: 20 }, defaultInit: 'randn' },
      simple_net: { units: 30, paramCount: 23581, book: { lr: 0.1, epochs: 40 }, defaultInit: 'pytorch' },
    },
    inits: ['randn', 'pytorch'],
    seed: { min: '0', max: '18446744073709551615' },
    batchSize: { min: 1, max: 2 ** 20 },
  });
  assert.equal(Object.getPrototypeOf(facts), Object.prototype, 'a plain object');
  assert.equal(facts.imageSide ** 2, facts.inputs);
  assert.equal(sample.image('train', 0).length, facts.inputs);
  for (const [model, { units, paramCount, defaultInit }] of Object.entries(facts.models)) {
    const trainer = engine.createTrainer(sample, { model, seed: 3 });
    assert.equal(trainer.getParams().length, paramCount, model);
    assert.equal(trainer.weights().length, units * facts.inputs, model);
    const own = Array.from(trainer.getParams());
    trainer.reset({ init: defaultInit });
    assert.deepEqual(Array.from(trainer.getParams()), own, `${model}: 'default' is ${defaultInit}`);
    trainer.delete();
  }
  // The ranges are the ones a run is held to.
  const { seed, batchSize } = facts;
  for (const options of [{ seed: seed.max }, { seed: BigInt(seed.max) }, { seed: seed.min, batchSize: batchSize.min }, { batchSize: batchSize.max }]) {
    engine.createTrainer(sample, options).delete();
  }
  const past = (BigInt(seed.max) + 1n).toString();
  for (const options of [{ seed: past }, { seed: BigInt(past) }, { seed: -1 }, { seed: 2 ** 53 }, { batchSize: batchSize.min - 1 }, { batchSize: batchSize.max + 1 }]) {
    assert.throws(() => engine.createTrainer(sample, options), /seed|batch size/, String(options.seed ?? options.batchSize));
  }
  facts.models.linear.paramCount = 0;
  assert.equal(engine.facts().models.linear.paramCount, 785, 'each call gives a fresh copy');
});

test('the engine parses a parameters file to its model\'s parameters, and writes them back byte for byte', () => {
  for (const [run, model] of [[LINEAR, 'linear'], [SIMPLE_NET, 'simple_net']]) {
    const text = referenceText(run, 'final_params.txt');
    const params = engine.parseParams(model, text);
    assert.ok(params instanceof Float32Array);
    const lines = text.trim().split('\n');
    assert.equal(params.length, lines.length);
    assert.ok(lines.every((line, i) => Object.is(params[i], Math.fround(Number(line)))), model);
    assert.equal(engine.formatParams(params), text, model);
    assert.equal(engine.formatParams(Array.from(params)), text, `${model}, from an array`);
  }
  // Spaces, Windows line ends, blank lines and a byte-order mark are not part of the numbers.
  const linear = referenceText(LINEAR, 'init_params.txt');
  const messy = `\uFEFF${linear.split('\n').map((line) => ` ${line}\t`).join('\r\n')}\n\n`;
  assert.deepEqual(engine.parseParams('linear', messy), engine.parseParams('linear', linear));
});

test('a bad parameters file is an Error with the engine\'s one-line message', () => {
  const lines = referenceText(LINEAR, 'init_params.txt').trim().split('\n');
  const cases = [
    ['linear', lines.slice(1).join('\n'), 'expected 785 numbers, found 784'],
    ['linear', [...lines, '0.5'].join('\n'), 'expected 785 numbers, found more (line 786)'],
    ['simple_net', lines.join('\n'), 'expected 23581 numbers, found 785'],
    ['linear', '', 'expected 785 numbers, found 0'],
    ['linear', lines.map((line, i) => (i === 2 ? 'nan' : line)).join('\n'), "line 3: 'nan' is not a finite number"],
    ['linear', lines.map((line, i) => (i === 0 ? '1e39' : line)).join('\n'), "line 1: '1e39' is not a finite number"],
    ['linear', lines.map((line, i) => (i === 9 ? '0x1p3' : line)).join('\n'), "line 10: '0x1p3' is not a finite number"],
    ['mlp', lines.join('\n'), 'model must be "linear" or "simple_net"'],
  ];
  for (const [model, text, message] of cases) {
    assert.throws(() => engine.parseParams(model, text), (error) => error instanceof Error && error.message === message, message);
  }
});

test('a Predictor loaded with a trainer\'s parameters gives its P(3), and keeps its model when refused', () => {
  const predictor = engine.createPredictor();
  const images = [0, 700, 2037].map((index) => sample.image('valid', index));
  for (const model of ['linear', 'simple_net']) {
    const trainer = engine.createTrainer(sample, { model });
    trainer.trainEpoch();
    predictor.load(model, trainer.getParams());
    for (const image of images) assert.equal(predictor.predict(image), trainer.predict(image), model);
    trainer.delete();
  }
  const before = predictor.predict(images[0]);
  assert.throws(() => predictor.load('linear', new Float32Array(784)), { message: /expected 785 parameters/ });
  assert.throws(() => predictor.load('mlp', new Float32Array(785)), { message: 'model must be "linear" or "simple_net"' });
  assert.equal(predictor.predict(images[0]), before, 'the simple_net loaded before is still there');
  const heap = engine.heapBytesInUse;
  const params = new Float32Array(23581);
  for (let i = 0; i < 200; i++) {
    predictor.load('simple_net', params);
    predictor.predict(images[1]);
  }
  // Within a few bytes: the allocator may reuse a free chunk a little larger than asked for. A leak of even
  // its smallest chunk (16 bytes) per load would be 3200 bytes.
  assert.ok(Math.abs(engine.heapBytesInUse - heap) < 1024, `reloading does not grow the heap (${engine.heapBytesInUse - heap} bytes)`);
  predictor.delete();
});

