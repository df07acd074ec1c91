// The benchmark's results as a markdown table, the page docs/benchmarks.md around it, and an SVG bar chart
// of ms per epoch. Plain functions of plain data, no dependencies.

const PIXELS = 784;
const PIXEL_BYTES = 1;  // the engine keeps the images as the archive's bytes
const BLOCK_PIXELS = 8;

// The issue's targets, each on the ratio of two medians (ids of rows): the first's time over the second's.
const TARGETS = [
  { ratio: ['tfjs-wasm', 'wasm'], atLeast: 10, text: 'our WASM in Chromium at least 10× faster per epoch than TF.js\'s wasm backend (same run)' },
  { ratio: ['wasm', 'native'], atMost: 1.3, text: 'our WASM in Chromium within 1.3× of native per epoch' },
  { ratio: ['book', 'native'], atLeast: 10, text: 'native at least 10× faster per epoch than the book\'s PyTorch code (same run)' },
];
// The same, on the rows of the simple_net table.
const SIMPLE_NET_TARGETS = [
  { ratio: ['book', 'native'], atLeast: 10, text: 'simple_net native at least 10× faster per epoch than the same loop in PyTorch (same run)' },
];

function quantile(sorted, q) {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}

// TSV with a header line; lines starting with '#' are comments. -> [{column: text}]
export function parseTsv(text) {
  const lines = text.split('\n').filter((line) => line && !line.startsWith('#'));
  const header = lines.shift().split('\t');
  return lines.map((line) => Object.fromEntries(line.split('\t').map((value, i) => [header[i], value])));
}

// Milliseconds -> {median, p25, p75, count}.
function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75), count: sorted.length };
}

/** What the linear epoch reads: the bytes of the training images' inked blocks, laid out one after another. */
export const bytesPerEpoch = ({ inkedBlocks }) => inkedBlocks * BLOCK_PIXELS * PIXEL_BYTES;

// ms[run][epoch] -> the epochs after each run's warm-up.
const measured = (ms, warmup) => ms.flatMap((run) => run.slice(warmup));

/**
 * Everything measured -> {mode, reference, rows, floor, targets}. A row: {id, engine, timed, stats,
 * validateEpoch, missing} (stats null when the engine could not run; missing says why).
 */
export function summarize({ mode, reference, bandwidth, arithmetic, native, node, book, chromium, simpleNet, against }) {
  const { engines, sample, page } = chromium;
  // chart: the row's short name on the bar chart.
  const epochRow = (id, engine, chart, result) => ({
    id, engine, chart, timed: 'one training epoch', epochs: true,
    stats: stats(measured(result.ms, mode.warmup)), validateEpoch: result.validateEpoch,
  });
  const tfjs = engines['tfjs-wasm'];
  const wasmFlavour = `${tfjs.simd ? 'SIMD' : 'no SIMD'}, ${tfjs.threads ? 'threads' : 'one thread'}`;

  // The floor: reading an epoch's bytes at the bandwidth from DRAM (and, for comparison, from a buffer of
  // the same size, which a large last-level cache may hold).
  const bytes = bytesPerEpoch(sample);
  const msAt = ({ gbPerSecond }) => (bytes / (gbPerSecond * 1e9)) * 1e3;
  const floor = {
    trainCount: sample.trainCount,
    inkedBlocks: sample.inkedBlocks,
    bytes,
    // forward x @ w and backward x^T @ dz, 2 FLOPs per multiply-add: over every pixel at most, over the inked
    // blocks at least (a backward pass adds the blocks where any of its images has ink)
    flops: 2 * 2 * sample.trainCount * PIXELS,
    inkedFlops: 2 * 2 * sample.inkedBlocks * BLOCK_PIXELS,
    dram: { ...bandwidth.dram, ms: msAt(bandwidth.dram) },
    epochSized: { ...bandwidth.epochSized, ms: msAt(bandwidth.epochSized) },
  };

  const rows = [
    epochRow('native', 'native CLI (C++, `build/native/mnist-sgd`)', 'native (C++)', native),
    { id: 'floor', engine: `floor: ${megabytes(bytes)} MB read from DRAM at ${floor.dram.gbPerSecond} GB/s`, chart: 'floor (DRAM)',
      timed: 'reading the training images once', epochs: true, stats: { median: floor.dram.ms, count: 0 }, validateEpoch: null },
    epochRow('wasm', `our WASM in Chromium ${chromium.version.split('.')[0]}, Web Worker (engine.js)`, 'our WASM, Chromium', engines.wasm),
    epochRow('wasm-scalar', `our WASM built without SIMD (\`mnist_sgd_scalar.wasm\`, for browsers without it), same Worker`,
      'our WASM without SIMD', engines['wasm-scalar']),
    epochRow('node', `our WASM under Node ${process.versions.node.split('.')[0]} (\`mnist-sgd-cli.cjs\`)`, 'our WASM, Node', node),
    epochRow('tfjs-wasm', `TF.js ${tfjs.version} wasm backend (${wasmFlavour}), Chromium Worker`, 'TF.js wasm, Chromium', tfjs),
    epochRow('tfjs-cpu', `TF.js ${engines['tfjs-cpu'].version} cpu backend, Chromium Worker`, 'TF.js cpu, Chromium', engines['tfjs-cpu']),
    book ? epochRow('book', `the book's PyTorch code (${book.version})`, 'PyTorch, the book\'s code', book)
      : { id: 'book', engine: 'the book\'s PyTorch code', timed: 'one training epoch', epochs: true, stats: null, missing: 'not installed' },
    { id: 'ready', engine: 'the page: navigation → data ready', stats: stats(page.ready),
      timed: `first visit, empty cache: download, worker start, inflating + decoding (of which median ${format(stats(page.decode).median)} ms)` },
    { id: 'predict', engine: 'the page: drawing → prediction', stats: stats(page.predict),
      timed: 'one pointer move on the pad → its prediction on the page' },
  ];
  const nativeMs = rows[0].stats.median;
  for (const row of rows) if (row.epochs && row.stats) row.ratio = row.stats.median / nativeMs;

  const simple = simpleNet && summarizeSimpleNet(simpleNet, arithmetic, bandwidth, sample.trainCount);
  const targets = [...evaluate(TARGETS, rows), ...(simple ? evaluate(SIMPLE_NET_TARGETS, simple.rows) : [])];
  return { mode, reference, rows, floor, targets, simpleNet: simple, samples: { runs: mode.runs, page }, against };
}

// Targets on the ratio of two rows' medians -> the targets with {ratio, met} (met null: not measured).
function evaluate(targets, rows) {
  const median = (id) => rows.find((row) => row.id === id)?.stats?.median;
  return targets.map((target) => {
    const ratio = median(target.ratio[0]) / median(target.ratio[1]);
    const met = Number.isNaN(ratio) ? null : target.atLeast ? ratio >= target.atLeast : ratio <= target.atMost;
    return { ...target, ratio, met };
  });
}

// simple_net's measurements ({mode, reference, native, node, book}) -> {mode, reference, rows, blas}.
function summarizeSimpleNet({ mode, reference, native, node, book }, arithmetic, bandwidth, trainCount) {
  const epochRow = (id, engine, result) => ({
    id, engine, timed: 'one training epoch', epochs: true,
    stats: stats(measured(result.ms, mode.warmup)), validateEpoch: result.validateEpoch,
  });
  const rows = [
    epochRow('native', 'native CLI (C++, `mnist-sgd train --model simple_net`)', native),
    epochRow('book', `the same loop in PyTorch (${book?.version ?? ''}, \`book.py --model simple_net\`)`, book ?? { ms: [] }),
    epochRow('node', `our WASM under Node ${process.versions.node.split('.')[0]} (\`mnist-sgd-cli.cjs\`, informative)`, node),
  ];
  if (!book) Object.assign(rows[1], { engine: 'the same loop in PyTorch', stats: null, missing: 'not installed' });
  const nativeMs = rows[0].stats.median;
  for (const row of rows) if (row.stats) row.ratio = row.stats.median / nativeMs;
  return { mode, reference, rows, blas: book?.blas, floor: simpleNetFloor(book?.inked, arithmetic, bandwidth, trainCount) };
}

// An epoch's arithmetic: for each inked pixel of each training image, 30 multiply-adds forward (x @ w1) and
// 30 backward (dL/dw1), 2 FLOPs each; the steps compute 32 lanes (30 units and 2 of padding). Over the
// machine's multiplies and adds per second (arithmetic-peak), the fastest an epoch can be.
function simpleNetFloor(inked, arithmetic, bandwidth, trainCount) {
  if (!Number.isFinite(inked) || !arithmetic) return null;
  const peak = (lanes) => Number(arithmetic.text.match(new RegExp(`([\\d.]+) (?:GFLOP/s )?in vectors of ${lanes}`))?.[1] ?? NaN);
  const four = peak(4), widest = Math.max(four, ...[8, 16].map(peak).filter(Number.isFinite));
  const flops = 2 * 2 * 30 * inked, computed = 2 * 2 * 32 * inked;
  const bytes = 3 * inked;  // the lists of inked pixels: 2 bytes for where each is, 1 for its byte
  const msAt = (gflops) => (computed / (gflops * 1e9)) * 1e3;
  return {
    inked, trainCount, flops, computed, bytes, readMs: (bytes / (bandwidth.dram.gbPerSecond * 1e9)) * 1e3,
    text: arithmetic.text, ms8: msAt(widest), ms4: msAt(four),
  };
}

function format(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return '—';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

const megabytes = (bytes) => (bytes / 1e6).toFixed(1);
const ratioText = (ratio) => (ratio === undefined ? '—' : `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}×`);

/** A table of engines: median ms, spread, ratio to native, final validate_epoch. */
export function markdownTable({ mode, reference, rows }) {
  const lines = [
    `| engine | timed | median ms | p25–p75 ms | × native | validate_epoch after ${mode.epochs} (reference ${reference}) | samples |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const { stats: s } = row;
    const spread = s?.p25 === undefined ? '—' : `${format(s.p25)}–${format(s.p75)}`;
    const validate = row.validateEpoch === null || row.validateEpoch === undefined ? '—' : row.validateEpoch.toFixed(4);
    lines.push(`| ${row.engine} | ${row.timed} | ${s ? format(s.median) : row.missing} | ${spread} | ${ratioText(row.ratio)} | ${validate} | ${s?.count || '—'} |`);
  }
  return lines.join('\n');
}

/** simple_net's table, like the linear model's (empty when simple_net was not measured). */
export const simpleNetTable = ({ simpleNet }) => (simpleNet ? markdownTable(simpleNet) : '');

/** The targets, met or missed, one markdown list item each. */
export function targetLines({ targets }) {
  return targets.map(({ text, ratio, met, atLeast }) => {
    if (met === null) return `- ${text}: **not measured** (an engine did not run)`;
    const measuredText = atLeast ? `${ratio.toFixed(1)}× faster` : `${ratio.toFixed(2)}× native's time`;
    return `- ${text}: **${met ? 'met' : 'missed'}** (${measuredText})`;
  });
}

function floorText({ floor, rows }) {
  const native = rows.find((row) => row.id === 'native').stats.median;
  const { dram, epochSized } = floor;
  return [
    `An epoch reads the bytes of the training images' inked blocks of ${BLOCK_PIXELS} pixels, laid out one after another: ` +
      `${floor.inkedBlocks.toLocaleString('en-US')} of the ` +
      `${floor.trainCount.toLocaleString('en-US')} × ${PIXELS / BLOCK_PIXELS} blocks (` +
      `${(floor.inkedBlocks / floor.trainCount).toFixed(1)} a digit), **${megabytes(floor.bytes)} MB** (the whole images ` +
      `are ${megabytes(floor.trainCount * PIXELS)} MB as bytes, four times that as float32). ` +
      'It converts each byte to the book\'s float (x / 255) in cache, and does 2 FLOPs per multiply-add in the forward pass ' +
      '(x @ w) and in the backward pass (xᵀ @ dL/dz): ' +
      `**${(floor.inkedFlops / 1e6).toFixed(1)} MFLOP** over the inked blocks, ` +
      `at most ${(floor.flops / 1e6).toFixed(1)} over every pixel (a backward pass of eight images adds the blocks where ` +
      'any of them has ink). Several FLOPs per byte read: natively the epoch is bound by arithmetic (the conversion ' +
      'included), not by memory bandwidth. The blocks are read in order so that the processor streams them: ' +
      'WebAssembly cannot prefetch, and read in place, each image\'s blocks made its epoch wait on memory.',
    '',
    `One thread of this machine reads memory at **${dram.gbPerSecond} GB/s** from DRAM (\`memory-bandwidth\` printed ` +
      `\`${dram.text}\`), so reading ${megabytes(floor.bytes)} MB takes at least **${format(dram.ms)} ms**: the native ` +
      `epoch (${format(native)} ms) takes **${(native / dram.ms).toFixed(2)}×** that. It moves ` +
      `${(floor.bytes / native / 1e6).toFixed(1)} GB/s and computes at most ${(floor.flops / native / 1e6).toFixed(1)} GFLOP/s ` +
      '(in vectors of 8 floats natively where the processor has AVX2, of 4 otherwise and in WebAssembly; no FMA, so ' +
      'that its bits are WebAssembly\'s).',
    '',
    `The epoch's ${megabytes(floor.bytes)} MB may stay in a large last-level cache from one epoch to the next. Over a buffer ` +
      `of that size one thread reads ${epochSized.gbPerSecond} GB/s (\`${epochSized.text}\`), so an epoch whose data ` +
      `stays in the cache could take ${format(epochSized.ms)} ms; the native epoch takes ${(native / epochSized.ms).toFixed(2)}× that.`,
  ].join('\n');
}

function simpleNetFloorText({ floor, rows }) {
  if (!floor) return ['How far simple_net is from its floor was not measured (it counts the inked pixels with torch).', ''];
  const native = rows.find((row) => row.id === 'native').stats.median;
  const node = rows.find((row) => row.id === 'node')?.stats?.median;
  const perImage = floor.inked / floor.trainCount;
  return [
    `**How far from the floor.** An epoch uses each training image's inked pixels only: ${floor.inked.toLocaleString('en-US')} ` +
      `of ${floor.trainCount.toLocaleString('en-US')} × ${PIXELS} (${perImage.toFixed(1)} a digit, ` +
      `${((100 * perImage) / PIXELS).toFixed(0)}%). It reads the lists of those pixels, where each is and its byte ` +
      `(3 bytes each), ${megabytes(floor.bytes)} MB, which DRAM delivers in ${format(floor.readMs)} ms; \`w1\` and its ` +
      'gradient (100 KB each) stay in cache. For each inked pixel it does 30 multiply-adds forward and 30 backward: ' +
      `**${(floor.flops / 1e6).toFixed(0)} MFLOP** (${(floor.computed / 1e6).toFixed(0)} as computed, in 32 lanes), so the ` +
      'epoch is bound by arithmetic, not by memory. One thread of this machine multiplies and adds at its peak ' +
      `(\`arithmetic-peak\` printed \`${floor.text}\`), so the epoch takes at least **${format(floor.ms8)} ms** natively ` +
      `and ${format(floor.ms4)} ms in vectors of 4 (WebAssembly SIMD's width): the native epoch (${format(native)} ms) takes ` +
      `**${(native / floor.ms8).toFixed(2)}×** its floor` +
      (node ? `, our WebAssembly under Node (${format(node)} ms) ${(node / floor.ms4).toFixed(2)}× its own. ` : '. ') +
      'The floor counts arithmetic only: each multiply-add also loads a weight (forward), or loads and stores a gradient ' +
      '(backward).',
    '',
  ];
}

function simpleNetSection({ simpleNet }) {
  if (!simpleNet) return [];
  const { mode, blas } = simpleNet;
  return [
    '## simple_net',
    '',
    'The book\'s `simple_net` (`nn.Sequential(nn.Linear(28*28,30), nn.ReLU(), nn.Linear(30,1))`, `mnist_loss`, plain SGD, ' +
      'lr 0.1, batches of 256 in order) from the same initial parameters ' +
      '(`tests/reference/simple_net-seed42-lr0.1-bs256-e40/init_params.txt`): the native CLI, the same loop in PyTorch ' +
      '(the book\'s `train_epoch` over `simple_net.parameters()`), and, for information, our WebAssembly under Node. ' +
      `${mode.runs} run${mode.runs > 1 ? 's' : ''} of ${mode.epochs} epochs each, the first ${mode.warmup} of every run left out. ` +
      'PyTorch\'s runs (one process, the data loaded once) and the CLIs\' (a process each) take turns: PyTorch, CLIs, CLIs, PyTorch, ...',
    '',
    markdownTable(simpleNet),
    '',
    ...simpleNetFloorText(simpleNet),
    ...(blas ? [`PyTorch's matrix products run on the BLAS its process loaded: \`${blas}\`` +
      (/\/blas\/libblas\.so/.test(blas) ? ' (Debian\'s netlib reference BLAS, not an optimised one such as OpenBLAS; ' +
        'PyTorch on an optimised BLAS was not measured here).' : '.'), ''] : []),
  ];
}

function againstSection({ against, mode }) {
  if (!against) return [];
  const { table, targets, how } = againstReport(against);
  return [
    `## Against ${mode.against.label}`,
    '',
    `The same benchmark's run also built ${mode.against.label} and ran it beside this tree (\`scripts/bench --against\`): ${how}`,
    '',
    table,
    '',
    ...targets,
    '',
  ];
}

function machineLines(machine) {
  const busiest = Math.max(...machine.loadAverage);
  const busy = busiest <= machine.cores ? [] : [
    '',
    `The machine was busy (load ${busiest.toFixed(1)} on ${machine.cores} cores): every engine shared its cores with other work. ` +
      'A 2 ms epoch often runs whole between two interruptions, a 50 ms one never does, so the medians of the slower ' +
      'engines (and their ratios to native) are inflated more than those of the fast ones. Figures from a quiet machine ' +
      'are the ones to compare with.',
  ];
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} logical cores; memory ${machine.memoryGiB.toFixed(1)} GiB`,
    `- OS: ${machine.os}`,
    `- Node ${machine.node}; Chromium ${machine.chromium}; ${machine.compiler}; ${machine.emscripten}`,
    `- Load average (1 min) at the start and the end of the benchmark: ${machine.loadAverage.map((load) => load.toFixed(2)).join(' and ')}`,
    `- Commit ${machine.commit}; run ${machine.date}`,
    ...busy,
  ];
}

/** docs/benchmarks.md: the table, the targets, the floor, the machine and how it was measured. */
export function markdownReport(results, machine) {
  const { mode } = results;
  const page = results.samples.page;
  return [
    '# Benchmarks',
    '',
    `Generated by \`scripts/bench${mode.name === 'quick' ? ' --quick' : ''}\`; do not edit by hand. Every engine trains the ` +
      'book\'s linear model (784 → 1, sigmoid, `mnist_loss`, plain SGD, lr 1, batches of 256 in order) on the same ' +
      'MNIST sample from the same initial parameters (`tests/reference/linear-seed42-lr1-bs256-e20/init_params.txt`).',
    '',
    markdownTable(results),
    '',
    '![Milliseconds per training epoch by engine](benchmarks.svg)',
    '',
    ...simpleNetSection(results),
    ...againstSection(results),
    '## The targets',
    '',
    ...targetLines(results),
    '',
    '## How far native is from the floor',
    '',
    floorText(results),
    '',
    '## The machine',
    '',
    ...machineLines(machine),
    '',
    '## How it was measured',
    '',
    `- Each engine trains ${mode.runs} run${mode.runs > 1 ? 's' : ''} of ${mode.epochs} epochs from the initial parameters; ` +
      `the first ${mode.warmup} epochs of every run are a warm-up and are left out, the others are the samples. In Chromium, ` +
      `each engine first trains untimed for ${mode.warmupMs / 1000} s (and ${mode.warmup} epochs at least): V8 optimises the ` +
      'hot code in the background once it has run a while, after a few epochs, more on a busy machine. ' +
      'The median and the quartiles are over those samples: the machine is shared and noisy, so the median is the figure to read.',
    '- Only training is timed; validation after each epoch is not. Native and Node: the CLI\'s `--tsv` ms (the engine\'s ' +
      'own clock around `train_epoch`), one process per run, the two CLIs taking turns, half of the runs first and the others ' +
      'last. Chromium: `performance.now()` around `trainer.trainEpoch()` in a Web Worker, as the ' +
      'page calls it, or around TF.js\'s epoch of `variableGrads` + `assign` steps, ending with a read of the bias (without ' +
      'cross-origin isolation Chromium rounds `performance.now()` to 0.1 ms). PyTorch: `time.perf_counter()` around the ' +
      'book\'s `train_epoch`, with its `DataLoader` over `list(zip(x, y))`.',
    `- TF.js gets the images our engine decoded in the page, as (${results.floor.trainCount.toLocaleString('en-US')} × ${PIXELS}) ` +
      'float32, cut into its batches once before timing. ' +
      'Its wasm backend is served without cross-origin isolation, so it runs its default build for a web page: SIMD, one thread.',
    `- The page: ${page.ready.length} loads of \`build/site\` in a fresh browser context each (an empty cache), timed by the ` +
      'page itself (`data-ready-ms`, `data-decode-ms` and `data-predict-ms` on `<html>`, written by `web/instruments.js`); drawing ' +
      `a 7 gives ${page.predict.length / page.ready.length} pointer moves per load, each timed from its input event to its prediction.`,
    `- \`validate_epoch\` is the book's metric after the last epoch; the PyTorch reference reaches ${results.reference} ` +
      `after ${mode.epochs} epochs. Matching it shows that every engine did the same computation.`,
    '',
  ].join('\n');
}

const escapeXml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, '');

/** docs/benchmarks.svg: one horizontal bar per engine, ms per epoch (median), with its value and ratio. */
export function barChart({ rows, mode }, machine) {
  const bars = rows.filter((row) => row.epochs && row.stats);
  const [labelWidth, barWidth, valueWidth, rowHeight, top] = [190, 420, 140, 28, 54];
  const width = labelWidth + barWidth + valueWidth;
  const height = top + bars.length * rowHeight + 30;
  const longest = Math.max(...bars.map((row) => row.stats.median));
  const ours = new Set(['native', 'wasm', 'wasm-scalar', 'node']);
  const items = bars.map((row, i) => {
    const y = top + i * rowHeight;
    const length = Math.max(1, (row.stats.median / longest) * barWidth);
    const fill = row.id === 'floor' ? 'none' : ours.has(row.id) ? '#2563eb' : '#9ca3af';
    const stroke = row.id === 'floor' ? ' stroke="#111827" stroke-dasharray="4 3"' : '';
    return [
      `  <text x="${labelWidth - 10}" y="${y + 18}" text-anchor="end">${escapeXml(row.chart)}</text>`,
      `  <rect x="${labelWidth}" y="${y + 5}" width="${length.toFixed(1)}" height="${rowHeight - 10}" fill="${fill}"${stroke}/>`,
      `  <text x="${labelWidth + length + 6}" y="${y + 18}">${format(row.stats.median)} ms (${ratioText(row.ratio)})</text>`,
    ].join('\n');
  });
  const title = 'Milliseconds per training epoch of the linear model, median (shorter is faster)';
  const run = mode.name === 'quick' ? 'scripts/bench --quick' : 'scripts/bench';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="system-ui, sans-serif" font-size="13">`,
    `  <title>${escapeXml(title)}</title>`,
    `  <desc>${escapeXml(bars.map((row) => `${row.engine}: ${format(row.stats.median)} ms`).join('; '))}</desc>`,
    `  <rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `  <text x="10" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `  <text x="10" y="40" fill="#4b5563">${escapeXml(`${run}, ${machine.date.slice(0, 10)}, ${machine.cpu} (${machine.cores} cores). In brackets: × native. Blue: this project's engine.`)}</text>`,
    ...items,
    `  <line x1="${labelWidth}" y1="${top}" x2="${labelWidth}" y2="${top + bars.length * rowHeight}" stroke="#111827"/>`,
    '</svg>',
    '',
  ].join('\n');
}

const medianOf = (values) => stats(values).median;

/** The A/B table (markdown) and its targets, met or missed: {table, targets: [lines]}. */
export function againstReport({ settings, sides: { before, after } }) {
  const rows = [
    ['native, linear: ms per epoch', medianOf(before.native.linear), medianOf(after.native.linear), 'time'],
    ['native, simple_net: ms per epoch', medianOf(before.native.simpleNet), medianOf(after.native.simpleNet), 'time'],
    ['Chromium worker, linear: ms per epoch', medianOf(before.chromium.linear), medianOf(after.chromium.linear), 'time'],
    ['Chromium worker, simple_net: ms per epoch', medianOf(before.chromium.simpleNet), medianOf(after.chromium.simpleNet), 'time'],
    ['the page: navigation → data ready, ms', medianOf(before.chromium.ready), medianOf(after.chromium.ready), 'time'],
    ['native CLI: peak resident memory, MB', Math.max(...before.native.peakKiB) / 1024, Math.max(...after.native.peakKiB) / 1024, 'memory'],
    ['the page\'s worker: WebAssembly memory after loading the sample, MB', before.chromium.memory.worker / 2 ** 20, after.chromium.memory.worker / 2 ** 20, 'memory'],
    ['… of which C++ heap in use, MB', before.chromium.memory.workerHeapInUse / 2 ** 20, after.chromium.memory.workerHeapInUse / 2 ** 20, 'memory'],
    ['the drawing predictor: WebAssembly memory, MB', before.chromium.memory.predictor / 2 ** 20, after.chromium.memory.predictor / 2 ** 20, 'memory'],
  ];
  const figure = (value, kind) => (kind === 'memory' ? value.toFixed(1) : value < 10 ? value.toFixed(2) : value.toFixed(1));
  const table = [
    `| | ${before.label} | ${after.label} | before / after |`,
    '| --- | ---: | ---: | ---: |',
    ...rows.map(([name, a, b, kind]) => `| ${name} | ${figure(a, kind)} | ${figure(b, kind)} | ${(a / b).toFixed(2)}× |`),
  ].join('\n');
  const speedUp = (index) => rows[index][1] / rows[index][2];
  const readyBefore = stats(before.chromium.ready), readyAfter = stats(after.chromium.ready);
  const check = (text, met, measured) => `- ${text}: **${met ? 'met' : 'missed'}** (${measured})`;
  const peak = rows[5][2];
  const targets = [
    check('native linear epoch at least 1.3× faster', speedUp(0) >= 1.3, `${speedUp(0).toFixed(2)}×`),
    check('Chromium linear epoch no slower', speedUp(2) >= 1, `${speedUp(2).toFixed(2)}×`),
    check('native simple_net epoch at least 2× faster', speedUp(1) >= 2, `${speedUp(1).toFixed(2)}×`),
    check('Chromium simple_net epoch at least 2× faster', speedUp(3) >= 2, `${speedUp(3).toFixed(2)}×`),
    // One load can be 150 ms off the others: faster only where this tree's median beats most of the other's
    // loads, not by a few ms between two medians.
    check('navigation → data ready faster, beyond the loads\' spread', readyAfter.median < readyBefore.p25,
      `${speedUp(4).toFixed(2)}×; median ${readyAfter.median.toFixed(0)} ms against ${before.label}'s quartiles ` +
        `${readyBefore.p25.toFixed(0)}–${readyBefore.p75.toFixed(0)} ms`),
    check('native peak resident memory under 32 MB', peak < 32, `${peak.toFixed(1)} MB`),
  ];
  const how = `${settings.rounds} rounds, each side's turn in alternating order; native: ${settings.epochs} linear and ` +
    `${settings.simpleNetEpochs} simple_net epochs per run, the first ${settings.warmup} left out, peak memory by /usr/bin/time ` +
    '(the larger of the two runs); Chromium: the same epochs after an untimed warm-up, in a Web Worker of each build\'s own site; ' +
    `${settings.pageLoads} first visit${settings.pageLoads > 1 ? 's' : ''} of each site's page per round. Medians over all rounds; memory in MiB.`;
  return { table, targets, how };
}
