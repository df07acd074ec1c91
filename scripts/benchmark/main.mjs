// The benchmark behind scripts/bench (which builds first, then runs this). Every engine trains the book's
// linear model on the same sample, from the same initial parameters (the PyTorch reference's), with the
// book's settings; each is timed per training epoch (validation excluded), all in one invocation so that
// the ratios come from the same minutes of the same machine. Then the same for the book's simple_net
// (784-30-1, ReLU, lr 0.1): the native CLI, the CLI as WebAssembly under Node, and the same loop in
// PyTorch. Writes docs/benchmarks.md and .svg.
//
//   node scripts/benchmark/main.mjs [--quick] [--against DIR LABEL]     (MNIST_SAMPLE names mnist_sample.tgz)
// --against: also the A/B comparison (against.mjs) with the tree at DIR (built there as here), named LABEL.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { benchAgainst } from './against.mjs';
import { benchChromium } from './chromium.mjs';
import { againstReport, barChart, bytesPerEpoch, markdownReport, markdownTable, parseTsv, simpleNetTable, summarize, targetLines } from './report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REFERENCE = path.join(ROOT, 'tests/reference/linear-seed42-lr1-bs256-e20');
const SIMPLE_NET_REFERENCE = path.join(ROOT, 'tests/reference/simple_net-seed42-lr0.1-bs256-e40');
const FILES = {
  init: path.join(REFERENCE, 'init_params.txt'),
  trajectory: path.join(REFERENCE, 'trajectory.tsv'),
  simpleNetInit: path.join(SIMPLE_NET_REFERENCE, 'init_params.txt'),
  simpleNetTrajectory: path.join(SIMPLE_NET_REFERENCE, 'trajectory.tsv'),
  native: path.join(ROOT, 'build/native/mnist-sgd'),
  bandwidth: path.join(ROOT, 'build/native/memory-bandwidth'),
  arithmetic: path.join(ROOT, 'build/native/arithmetic-peak'),
  nodeCli: path.join(ROOT, 'build/wasm/mnist-sgd-cli.cjs'),
  book: path.join(ROOT, 'scripts/benchmark/book.py'),
  site: path.join(ROOT, 'build/site'),
  browser: path.join(ROOT, 'scripts/benchmark/browser'),
  tfjs: path.join(ROOT, 'node_modules/@tensorflow'),
  raw: path.join(ROOT, 'build/bench/results.json'),  // every sample, for a closer look
  markdown: path.join(ROOT, 'docs/benchmarks.md'),
  svg: path.join(ROOT, 'docs/benchmarks.svg'),
};
const PYTHON = '/usr/bin/python3';  // Debian's, where python3-torch is installed (not a pyenv one on PATH)

// Epochs per run, runs per engine, warm-up epochs dropped from the start of every run (a fresh process
// finds cold caches), and page loads (11: one load on this shared machine can be 200 ms off the rest, and
// the median of 5 moved by that much between runs). --quick still keeps 5 measured epochs per run. In Chromium, where
// V8 optimises code in the background once it has run a while, each engine also trains untimed for
// warmupMs (and at least `warmup` epochs) before its runs.
// simpleNet: the same for simple_net, whose PyTorch epoch takes about half a second (--quick: 3 measured
// epochs in each of 2 runs). --against: rounds, and first visits of each side's page per round (3: with one,
// the 6 loads a side left the two medians within one load's spread of each other).
const MODES = {
  full: { epochs: 20, runs: 5, warmup: 3, warmupMs: 1000, pageLoads: 11, simpleNet: { epochs: 12, runs: 4, warmup: 2 }, againstRounds: 6, againstPageLoads: 3 },
  quick: { epochs: 8, runs: 3, warmup: 3, warmupMs: 1000, pageLoads: 1, simpleNet: { epochs: 5, runs: 2, warmup: 2 }, againstRounds: 2, againstPageLoads: 1 },
};
// What the CLI and book.py are told for each model (the reference's lr and initial parameters).
const MODELS = {
  linear: { cli: [], book: [], init: FILES.init },
  simple_net: { cli: ['--model', 'simple_net', '--lr', '0.1'], book: ['--model', 'simple_net'], init: FILES.simpleNetInit },
};

const run = promisify(execFile);
const runText = async (command, args) => (await run(command, args, { maxBuffer: 1 << 26 })).stdout;
const started = Date.now();
const log = (message) => process.stderr.write(`bench: [${((Date.now() - started) / 1000).toFixed(0)} s] ${message}\n`);


// --- the engines outside the browser ------------------------------------------------------------------

// The project's CLI, native and as WebAssembly under Node: one process per run, the two taking turns so
// that a burst of load elsewhere on the machine does not fall on one of them only. Times: the CLI's --tsv
// ms. Adds `runs` runs to `results` ({native, node}: {ms, validateEpoch}).
async function benchClis({ epochs }, runs, sample, results, model = MODELS.linear) {
  const clis = {
    native: [FILES.native],
    node: [process.execPath, '--no-experimental-fetch', '--no-liftoff', FILES.nodeCli],
  };
  for (let r = 0; r < runs; r++) {
    for (const [id, [command, ...prefix]] of Object.entries(clis)) {
      const args = [...prefix, 'train', ...model.cli, '--data', sample, '--init-params', model.init, '--epochs', String(epochs), '--tsv'];
      const rows = parseTsv(await runText(command, args));
      results[id].ms.push(rows.map((row) => Number(row.ms)));
      results[id].validateEpoch = Number(rows.at(-1).validate_epoch);
    }
  }
}

// The book's PyTorch code, when Debian's Python has torch (and PIL); null when it does not.
async function benchBook({ epochs, runs }, sample, model = MODELS.linear) {
  let text;
  try {
    text = await runText(PYTHON, [FILES.book, sample, model.init, ...model.book, '--epochs', String(epochs), '--runs', String(runs)]);
  } catch (error) {
    if (error.code === 'ENOENT' || /ModuleNotFoundError/.test(error.stderr)) return null;
    throw error;
  }
  return parseBook(text, runs);
}

// book.py's output -> {ms: ms[run][epoch], validateEpoch, version, blas, inked (the training images' nonzero pixels)}.
function parseBook(text, runs) {
  const rows = parseTsv(text);
  const ms = Array.from({ length: runs }, (_, r) => rows.filter((row) => Number(row.run) === r + 1).map((row) => Number(row.ms)));
  return {
    ms, validateEpoch: Number(rows.at(-1).validate_epoch), version: text.match(/^# (torch .*)$/m)?.[1] ?? '',
    blas: text.match(/^# BLAS: (.*)$/m)?.[1] ?? '',
    inked: Number(text.match(/^# inked pixels: (\d+)$/m)?.[1] ?? NaN),
  };
}

// The same in one Python process (the data loaded once) whose runs take turns with `other()` (the CLIs'
// runs, one each): PyTorch, CLIs, CLIs, PyTorch, PyTorch, CLIs... so that load which comes and goes on the
// machine falls on both alike. Returns parseBook's result, or null (and `other` never ran) without torch.
async function benchBookInTurns({ epochs, runs }, sample, model, other) {
  const args = [FILES.book, sample, model.init, ...model.book, '--epochs', String(epochs), '--runs', String(runs), '--turns'];
  const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '', stderr = '', spawnError = null;
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  child.on('error', (error) => { spawnError = error; });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextTurn = async () => {  // true at book.py's next '# waiting', false at the end of its output
    for (;;) {
      const { value, done } = await lines.next();
      if (done) return false;
      stdout += `${value}\n`;
      if (value === '# waiting') return true;
    }
  };
  let waiting = await nextTurn();
  for (let r = 0; r < runs && waiting; r++) {
    if (r % 2 === 1) await other();
    child.stdin.write('\n');
    waiting = await nextTurn();
    if (r % 2 === 0) await other();
  }
  child.stdin.end();
  const code = await exited;
  if (spawnError?.code === 'ENOENT' || /ModuleNotFoundError/.test(stderr)) return null;
  if (spawnError || code !== 0) throw new Error(`${FILES.book} failed (${spawnError?.message ?? `exit ${code}`}): ${stderr.trim()}`);
  return parseBook(stdout, runs);
}

// One thread's read bandwidth: over a buffer larger than the caches, or of `mebibytes`.
async function memoryBandwidth(mebibytes) {
  const text = await runText(FILES.bandwidth, mebibytes ? [String(mebibytes)] : []);
  return { gbPerSecond: Number(text.match(/([\d.]+) GB\/s/)[1]), text: text.trim() };
}

// One thread's multiplies and adds per second, in each width of vector the processor has (the printed line).
async function arithmeticPeak() {
  const text = (await runText(FILES.arithmetic, [])).trim();
  return { text };
}

// --- where the numbers came from ----------------------------------------------------------------------

async function firstLine(command, args) {
  try {
    return (await runText(command, args)).split('\n')[0].trim();
  } catch {
    return 'unknown';
  }
}

function cmakeCache(build, name) {
  const file = path.join(ROOT, build, 'CMakeCache.txt');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').match(new RegExp(`^${name}:[A-Z]+=(.*)$`, 'm'))?.[1];
}

async function describeMachine(chromiumVersion) {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? os.cpus()[0]?.model;
  const osName = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)"?$/m)?.[1] ?? os.type();
  const cxx = cmakeCache('build/native', 'CMAKE_CXX_COMPILER') ?? 'c++';
  const commit = await firstLine('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = commit !== 'unknown' && (await firstLine('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'])) !== '';
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${osName}, Linux ${os.release()}`,
    node: process.version,
    chromium: chromiumVersion,
    compiler: `${await firstLine(cxx, ['--version'])} (${cmakeCache('build/native', 'CMAKE_BUILD_TYPE') ?? '?'} build)`,
    emscripten: (await firstLine('emcc', ['--version'])).replace(/^emcc \(.*?\) /, 'Emscripten ').replace(/ \(\)$/, ''),
    commit: `${commit}${dirty ? ' (with uncommitted changes)' : ''}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

// --- main ---------------------------------------------------------------------------------------------

function parseArguments(args) {
  if (args.some((arg) => arg === '--help' || arg === '-h')) return null;
  let against = null;
  const at = args.indexOf('--against');
  if (at >= 0) {
    if (args.length < at + 3) throw new Error('--against needs a folder and a label');
    against = { root: path.resolve(args[at + 1]), label: args[at + 2] };
    args = [...args.slice(0, at), ...args.slice(at + 3)];
  }
  const unknown = args.find((arg) => arg !== '--quick');
  if (unknown) throw new Error(`unknown option '${unknown}' (usage: scripts/bench [--quick] [--against REV])`);
  return { ...(args.includes('--quick') ? { name: 'quick', ...MODES.quick } : { name: 'full', ...MODES.full }), against };
}

async function main() {
  let mode;
  try {
    mode = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  if (!mode) {
    console.log('usage: scripts/bench [--quick] [--against REV]   (times every engine; writes docs/benchmarks.md and .svg;\n' +
      '  --against: also this tree against REV, built in a worktree under build/against/, side by side)');
    return;
  }
  const sample = process.env.MNIST_SAMPLE;
  if (!sample || !existsSync(sample)) {
    console.error('bench: MNIST_SAMPLE must name mnist_sample.tgz (scripts/bench sets it)');
    process.exitCode = 1;
    return;
  }
  const init = readFileSync(FILES.init, 'utf8').trim().split(/\s+/).map(Number);
  const reference = parseTsv(readFileSync(FILES.trajectory, 'utf8'))[mode.epochs - 1].validate_epoch;
  const loadAverage = os.loadavg()[0];

  // The CLIs take a second or two: half their runs open the benchmark and the others close it, so that
  // their samples, like those of the slower engines, come from the whole time the benchmark runs.
  const native = { ms: [] }, node = { ms: [] };
  const firstHalf = Math.ceil(mode.runs / 2);
  log(`the CLI, native and WebAssembly under Node (${firstHalf} of ${mode.runs} runs of ${mode.epochs} epochs)`);
  await benchClis(mode, firstHalf, sample, { native, node });
  log('the book\'s PyTorch code');
  const book = await benchBook(mode, sample);
  log('Chromium: our module and TF.js in workers, then the page');
  const warmUp = { epochs: mode.warmup, ms: mode.warmupMs };
  const chromium = await benchChromium({ init, epochs: mode.epochs, runs: mode.runs, warmUp, pageLoads: mode.pageLoads }, FILES);
  log(`the CLI again (its last ${mode.runs - firstHalf} of ${mode.runs} runs)`);
  await benchClis(mode, mode.runs - firstHalf, sample, { native, node });

  // simple_net: the CLIs' runs taking turns with PyTorch's, all in the same minute or two.
  const simple = mode.simpleNet;
  const simpleNet = {
    mode: simple,
    reference: parseTsv(readFileSync(FILES.simpleNetTrajectory, 'utf8'))[simple.epochs - 1].validate_epoch,
    native: { ms: [] },
    node: { ms: [] },
  };
  log(`simple_net: the CLI (native, under Node) and the same loop in PyTorch taking turns, ${simple.runs} runs of ${simple.epochs} epochs each`);
  const cliRun = () => benchClis(simple, 1, sample, simpleNet, MODELS.simple_net);
  simpleNet.book = await benchBookInTurns(simple, sample, MODELS.simple_net, cliRun);
  if (!simpleNet.book) await benchClis(simple, simple.runs, sample, simpleNet, MODELS.simple_net);  // no torch here
  log('memory bandwidth, from DRAM and over a buffer the size of an epoch\'s data');
  const bandwidth = {
    dram: await memoryBandwidth(),
    epochSized: await memoryBandwidth(Math.ceil(bytesPerEpoch(chromium.sample) / 2 ** 20)),
  };
  log('arithmetic: one thread\'s multiplies and adds per second');
  const arithmetic = await arithmeticPeak();
  let against = null;
  if (mode.against) {
    log(`against ${mode.against.label}: both builds side by side, taking turns`);
    const simpleNetInit = readFileSync(FILES.simpleNetInit, 'utf8').trim().split(/\s+/).map(Number);
    const settings = {
      rounds: mode.againstRounds, pageLoads: mode.againstPageLoads, epochs: mode.epochs, simpleNetEpochs: mode.simpleNet.epochs, warmup: mode.warmup,
      warmUpMs: mode.warmupMs, init, simpleNetInit, files: { init: FILES.init, simpleNetInit: FILES.simpleNetInit },
    };
    const sides = [{ id: 'before', label: mode.against.label, root: mode.against.root }, { id: 'after', label: 'this tree', root: ROOT }];
    against = await benchAgainst(settings, sample, sides, FILES.browser, log);
  }
  const machine = { ...(await describeMachine(chromium.version)), loadAverage: [loadAverage, os.loadavg()[0]] };

  const measurements = { mode, reference, bandwidth, arithmetic, native, node, book, chromium, simpleNet, against };
  const results = summarize(measurements);
  for (const file of [FILES.raw, FILES.markdown]) mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(FILES.raw, JSON.stringify({ machine, ...measurements }, null, 1));
  writeFileSync(FILES.markdown, markdownReport(results, machine));
  writeFileSync(FILES.svg, barChart(results, machine));
  console.log(`${markdownTable(results)}\n\nsimple_net:\n\n${simpleNetTable(results)}\n\n${targetLines(results).join('\n')}`);
  if (against) {
    const { table, targets } = againstReport(against);
    console.log(`\nagainst ${mode.against.label}:\n\n${table}\n\n${targets.join('\n')}`);
  }
  log(`wrote ${[FILES.markdown, FILES.svg, FILES.raw].map((file) => path.relative(ROOT, file)).join(', ')}`);
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error}`);
  process.exit(1);
});
