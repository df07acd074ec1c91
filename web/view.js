// Everything the page shows, drawn from plain data: the controller decides, this module only renders.
// Meaning is always carried by text; colour and position repeat it.
import { AccuracyChart } from './chart.js';
import { paintDiverging, paintDigit, paintLegend } from './heatmap.js';
import { InsightView } from './insight-view.js';
import { count } from './format.js';
import { MODELS, inputWeights, linearBias } from './models.js';

const PROGRESS_INTERVAL_MS = 100;  // the data's progress is shown at most ten times a second (see dataProgress)
const megabytes = (bytes) => (bytes / 1e6).toFixed(1);
const percent = (p) => `${Math.round(100 * p)}%`;
const signed = (x, places) => `${x < 0 ? '−' : ''}${Math.abs(x).toFixed(places)}`;  // a real minus sign

/** The line the book's training loop prints: validate_epoch of every epoch, 4 places, space-separated. */
export function printedLine(history) {
  return history.map((record) => record.validateEpoch.toFixed(4)).join(' ');
}

export class View {
  #el;
  #chart;
  #insight;
  #timings = {};
  #loaded = null;  // the loaded dataset, described
  #progressShownAt = -Infinity;  // when the data's progress was last written (performance.now())
  #contribLegendPainted = false;  // painted when the contributions are first shown, not while the page starts

  constructor() {
    const ids = ['data-status', 'data-progress', 'data-progress-bar', 'data-bytes', 'data-error', 'step-epoch', 'step-batch', 'play', 'reset',
      'run-status', 'run-error', 'url-notice', 'printed-line', 'epochs-table', 'timings', 'preview',
      'prediction', 'prediction-digit', 'prediction-text', 'prediction-bar', 'prediction-note', 'weights-map',
      'legend-bar', 'legend-min', 'legend-max', 'bias', 'embed-code', 'embed-status', 'open-full',
      'announce-training', 'announce-prediction', 'accuracy-chart', 'chart-caption', 'chart-legend', 'units-grid',
      'weights-linear', 'weights-simple-net',
      'contrib', 'contrib-map', 'contrib-legend-bar', 'contrib-min', 'contrib-max', 'contrib-sum',
      'export-params', 'import-params', 'params-status', 'params-error'];
    this.#el = Object.fromEntries(ids.map((id) => [id, document.getElementById(id)]));
    this.#chart = new AccuracyChart(this.#el['accuracy-chart']);
    this.#insight = new InsightView(document.getElementById('mistakes'));
    paintLegend(this.#el['legend-bar']);
    paintDigit(this.#el.preview, null);
  }

  setEmbed(embed, fullPageHref) {
    document.documentElement.classList.toggle('embed', embed);
    this.#el['open-full'].href = fullPageHref;
  }

  // --- data ---------------------------------------------------------------------------------------------

  // The live status line changes with each phase only. The bar and the count beside it change at most every
  // PROGRESS_INTERVAL_MS, not with every piece of the archive the worker reports: each change costs the
  // page a frame (style, layout, paint), time that the worker decoding the data needs the processor for.
  dataProgress(name, received, total) {
    this.#progress(`Downloading and decoding ${name}…`, total ? received : null, total,
      total ? `${megabytes(received)} of ${megabytes(total)} MB` : `${megabytes(received)} MB`);
  }

  dataDecodeProgress(name, decoded, total) {
    this.#progress(`Decoding ${name} in WebAssembly…`, decoded, total, `${megabytes(decoded)} of ${megabytes(total)} MB`);
  }

  // value: null leaves the bar as it is (indeterminate until a total is known); amount: the text beside it.
  #progress(status, value, max, amount) {
    const now = performance.now();
    if (this.#el['data-status'].textContent === status && now - this.#progressShownAt < PROGRESS_INTERVAL_MS) return;
    this.#progressShownAt = now;
    this.#el['data-progress'].hidden = false;
    if (value !== null) {
      const bar = this.#el['data-progress-bar'];
      bar.max = max;
      bar.value = value;
    }
    this.#el['data-bytes'].textContent = amount;
    this.#setText('data-status', status);
  }

  dataLoaded(name, counts, decodeMs) {
    this.#el['data-progress'].hidden = true;
    this.#el['data-error'].hidden = true;
    this.#loaded = `${name}: ${count(counts.train3 + counts.train7)} training images (${count(counts.train3)} 3s, ` +
      `${count(counts.train7)} 7s) and ${count(counts.valid3 + counts.valid7)} validation images ` +
      `(${count(counts.valid3)} 3s, ${count(counts.valid7)} 7s)`;
    this.#el['data-status'].textContent = `${this.#loaded}, decoded in ${Math.round(decodeMs)} ms.`;
  }

  /** A load that failed: the dataset loaded before, if any, is still the one in use. */
  dataError(name, message) {
    this.#el['data-progress'].hidden = true;
    const error = this.#el['data-error'];
    error.hidden = false;
    error.textContent = `Could not use ${name}: ${message}. ` + (this.#loaded
      ? 'The dataset loaded before is still in use.'
      : 'Choose the MNIST sample archive (mnist_sample.tgz) below, or drop it on the page.');
    this.#el['data-status'].textContent = this.#loaded ? `${this.#loaded}.` : 'No dataset loaded.';
  }

  // --- training -----------------------------------------------------------------------------------------

  setControls({ ready, playing, canPlay }) {
    this.#setText('play', playing ? 'Pause' : 'Play');
    this.#el.play.disabled = !ready || (!playing && !canPlay);
    this.#el['step-epoch'].disabled = this.#el['step-batch'].disabled = !ready || playing;
    this.#el.reset.disabled = this.#el['export-params'].disabled = this.#el['import-params'].disabled = !ready;
  }

  runStatus(run, settings, playing) {
    if (!run) return;  // "Waiting for the data" until there is a run
    const done = run.history.length;
    const parts = [`${done} of ${settings.epochs} epochs done`];
    if (run.batch) parts.push(`epoch ${run.batch.epoch}: batch ${run.batch.batch} of ${run.batch.batchesPerEpoch}`);
    if (run.importedFrom && !done && !run.batch) parts.push(`starting from the parameters in ${run.importedFrom}`);
    else if (!run.trained) parts.push(`untrained: random weights from seed ${settings.seed}`);
    else if (playing) parts.push('training…');
    else if (done >= settings.epochs) parts.push('target reached (raise Epochs to go on)');
    this.#el['run-status'].textContent = parts.join(' · ');
  }

  runError(message) {
    this.#el['run-error'].hidden = !message;
    this.#el['run-error'].textContent = message ? `Training stopped: ${message}.` : '';
  }

  urlNotice(rejected) {
    const notice = this.#el['url-notice'];
    notice.hidden = rejected.length === 0;
    notice.textContent = rejected.length
      ? `The link's ${rejected.map((r) => `${r.name}=${r.text}`).join(', ')} ${rejected.length > 1 ? 'are' : 'is'} not valid, so the book's value is used instead.`
      : '';
  }

  // --- results ------------------------------------------------------------------------------------------

  /**
   * The chart, the printed line and the table of a run (null: no dataset yet), with earlier runs and the
   * pixel-similarity baseline ({threes, sevens, mean}) on the chart to compare.
   */
  renderResults(run, settings, pastRuns = [], baseline = null) {
    const history = run?.history ?? [];
    const points = run ? pointsOf(run) : [];
    this.#chart.render(points, settings.epochs, { others: pastRuns.map(pointsOf), baseline: baseline?.mean ?? null });
    this.#renderLegend(run, pastRuns, baseline);
    const last = points.at(-1);
    this.#setText('chart-caption', !run
      ? 'Validation accuracy after each epoch: waiting for the data.'
      : history.length
        ? `Validation accuracy after each epoch: ${last.accuracy.toFixed(4)} after epoch ${last.epoch} (epoch 0, hollow: ${run.initial.accuracy.toFixed(4)} before training).`
        : `Validation accuracy before training (epoch 0, hollow): ${run.initial.accuracy.toFixed(4)}. Step or play to train.`);
    this.#setText('printed-line', printedLine(history) || '(no epoch yet)');
    this.#renderTable(history);
  }

  // The chart's series in words: which run each line is, and where it ended.
  #renderLegend(run, pastRuns, baseline) {
    const items = [];
    if (run) items.push(['current', `This run: ${describeSettings(run.settings)}`, endOf(run)]);
    pastRuns.forEach((past, i) => items.push([`past past-${i + 1}`, `Earlier run (dashed): ${describeSettings(past.settings)}`, endOf(past)]));
    if (baseline) {
      items.push(['baseline', 'Pixel similarity (dotted), which needs no training: the mean 3 and mean 7 as templates',
        `${baseline.mean.toFixed(4)} (3s ${baseline.threes.toFixed(4)}, 7s ${baseline.sevens.toFixed(4)})`]);
    }
    const key = JSON.stringify(items);
    const legend = this.#el['chart-legend'];
    if (legend.dataset.key === key) return;
    legend.dataset.key = key;
    legend.replaceChildren(...items.map(([kind, label, result]) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = `swatch ${kind}`;
      swatch.setAttribute('aria-hidden', 'true');
      item.append(swatch, `${label}: ${result}`);
      return item;
    }));
  }

  #renderTable(history) {
    const body = this.#el['epochs-table'].tBodies[0];
    if (body.rows.length > history.length) body.replaceChildren();  // a new run
    if (body.rows.length === history.length) return;
    for (const record of history.slice(body.rows.length)) {
      const row = body.insertRow();
      row.dataset.accuracy = String(record.accuracy);
      const cells = [String(record.epoch), record.validateEpoch.toFixed(4), record.accuracy.toFixed(4),
        `${count(record.correct)} / ${count(record.count)}`, record.trainLoss.toFixed(4), record.ms.toFixed(1)];
      for (const text of cells) row.insertCell().textContent = text;
      row.cells[3].className = 'col-correct';
    }
    const scroller = body.closest('.table-scroll');
    scroller.scrollTop = scroller.scrollHeight;  // keep the newest epoch in sight
  }

  /** The first layer's weights as 28x28 maps: one for the linear model, one per hidden unit of simple_net. */
  renderWeights({ model, params }) {
    const weights = inputWeights(model, params);
    const linear = model === 'linear';
    this.#el['weights-map'].hidden = this.#el['weights-linear'].hidden = !linear;
    this.#el['units-grid'].hidden = this.#el['weights-simple-net'].hidden = linear;
    let scale = 0;
    for (const w of weights) scale = Math.max(scale, Math.abs(w));
    if (linear) {
      paintDiverging(this.#el['weights-map'], weights, scale);
      this.#el.bias.textContent = `Bias b = ${linearBias(params).toFixed(3)}. Colours span ±${scale.toFixed(2)}, the largest weight now.`;
    } else {
      this.#paintUnits(weights);
      this.#el.bias.textContent = `${MODELS[model].units} hidden units, one map each. Each map is on its own scale, ` +
        `its largest weight at the palette's end, so that weak units show their shape too; the legend's ends are the ` +
        `largest weight of any unit, ±${scale.toFixed(2)}.`;
    }
    this.#el['legend-min'].textContent = `−${scale.toFixed(2)}`;
    this.#el['legend-max'].textContent = `+${scale.toFixed(2)}`;
  }

  #paintUnits(weights) {
    const grid = this.#el['units-grid'];
    const units = weights.length / PIXELS;
    while (grid.children.length < units) {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 28;
      canvas.className = 'unit-map';
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `Hidden unit ${grid.children.length + 1}: its 784 weights as a 28×28 map`);
      grid.append(canvas);
    }
    [...grid.children].forEach((canvas, unit) => {
      canvas.hidden = unit >= units;
      if (unit < units) paintDiverging(canvas, weights.subarray(unit * PIXELS, (unit + 1) * PIXELS));
    });
  }

  /** The confusion matrix and the misclassified images of the run's current model (null: no dataset yet). */
  renderInsight(run) {
    this.#insight.render(run?.insight ?? null, run && describeModel(run));
  }

  // --- the parameters as a file -------------------------------------------------------------------------

  paramsExported(fileName, run) {
    const { paramCount, layout } = MODELS[run.params.model];
    this.#el['params-error'].hidden = true;
    this.#el['params-status'].textContent = `Saved ${fileName}: the parameters of ${describeModel(run)}, ${count(paramCount)} lines (${layout}).`;
  }

  /** Imported: the validation of the imported model, which is epoch 0 of the new run. */
  paramsImported(fileName, validation) {
    this.#el['params-error'].hidden = true;
    this.#el['params-status'].textContent = `Imported ${fileName}: validate_epoch ${validation.validateEpoch.toFixed(4)}, ` +
      `accuracy ${validation.accuracy.toFixed(4)} (${count(validation.correct)} / ${count(validation.count)}). Training goes on from here.`;
  }

  paramsError(fileName, message) {
    const error = this.#el['params-error'];
    error.hidden = false;
    error.textContent = `Could not import ${fileName}: ${message}. The parameters are unchanged.`;
  }

  // --- drawing ------------------------------------------------------------------------------------------

  /** prediction: null when there is no ink, else {image, probability (null: no model yet), untrained}. */
  renderPrediction(prediction) {
    paintDigit(this.#el.preview, prediction?.image ?? null);
    this.#renderContributions(prediction?.contributions ? prediction : null);
    const { digit, text, note, p } = describePrediction(prediction);
    this.#el['prediction-digit'].textContent = digit;
    this.#el['prediction-text'].textContent = text;
    this.#el['prediction-note'].textContent = note;
    this.#el.prediction.classList.toggle('untrained', Boolean(prediction?.untrained));
    this.#el['prediction-bar'].style.width = p === null ? '0' : percent(p);
  }

  // Each pixel's w * x, in the weights' palette: where the drawing meets positive or negative weights.
  #renderContributions(prediction) {
    this.#el.contrib.hidden = !prediction;
    if (!prediction) return;
    if (!this.#contribLegendPainted) {
      paintLegend(this.#el['contrib-legend-bar']);
      this.#contribLegendPainted = true;
    }
    const { contributions, sum, bias } = prediction;
    const scale = paintDiverging(this.#el['contrib-map'], contributions);
    this.#el['contrib-min'].textContent = `−${scale.toFixed(2)}`;
    this.#el['contrib-max'].textContent = `+${scale.toFixed(2)}`;
    const z = sum + bias;
    this.#el['contrib-sum'].textContent = `The map adds up to ${signed(sum, 2)}; plus the bias ${signed(bias, 2)}, that is ` +
      `the model's z = ${signed(z, 2)}. z > 0 means “3” and z < 0 means “7”, so this is a ${z > 0 ? 3 : 7}.`;
  }

  // --- announcements and timings ------------------------------------------------------------------------

  announceEpoch(record) {
    this.#el['announce-training'].textContent = `Epoch ${record.epoch}: validate_epoch ${record.validateEpoch.toFixed(4)}, ` +
      `accuracy ${record.accuracy.toFixed(4)}, training loss ${record.trainLoss.toFixed(4)}.`;
  }

  announcePrediction(prediction) {
    this.#el['announce-prediction'].textContent = prediction?.probability == null ? '' : predictionSentence(prediction);
  }

  /**
   * Records measurements as data attributes on <html> for benchmark scripts, and shows them:
   * data-ready-ms (navigation start to the sample decoded), data-decode-ms (of which decoding in the
   * worker), data-train-ms and data-train-epochs (the engine's training time over the run's epochs),
   * data-play-ms and data-play-epochs (the last Play's wall time), data-predict-ms (pen event to prediction).
   */
  timings(values) {
    Object.assign(this.#timings, values);
    for (const [name, value] of Object.entries(values)) document.documentElement.dataset[name] = String(Math.round(value * 10) / 10);
    const t = this.#timings;
    const parts = [];
    if (t.readyMs !== undefined) parts.push(`data ready ${Math.round(t.readyMs)} ms after opening the page`);
    if (t.trainEpochs) parts.push(`${t.trainEpochs} epochs trained in ${t.trainMs.toFixed(1)} ms (${(t.trainMs / t.trainEpochs).toFixed(1)} ms each)`);
    if (t.predictMs !== undefined) parts.push(`last prediction ${t.predictMs.toFixed(1)} ms after the pen moved`);
    this.#el.timings.textContent = parts.length ? `Timings: ${parts.join(' · ')}.` : '';
  }

  // Live regions announce every change, and a new text is laid out again, so text that did not change is
  // not written again.
  #setText(id, text) {
    if (this.#el[id].textContent !== text) this.#el[id].textContent = text;
  }

  showEmbedCode(snippet, copied) {
    const box = this.#el['embed-code'];
    box.hidden = false;
    box.value = snippet;
    this.#el['embed-status'].textContent = copied ? 'Copied to the clipboard.' : 'Select the code below and copy it.';
    if (!copied) box.select();
  }
}

const PIXELS = 784;

// Epoch 0 (before training), then every epoch of a run.
const pointsOf = (run) => [{ epoch: 0, accuracy: run.initial.accuracy }, ...run.history];

function endOf(run) {
  const last = run.history.at(-1);
  return last ? `${last.accuracy.toFixed(4)} after ${last.epoch} epoch${last.epoch > 1 ? 's' : ''}` : `${run.initial.accuracy.toFixed(4)} untrained`;
}

/** A run's settings in a few words: "simple_net, lr 0.1, batch 256, seed 42". */
function describeSettings({ model, lr, batchSize, seed, shuffle, init }) {
  const parts = [model, `lr ${lr}`, `batch ${batchSize}`, `seed ${seed}`];
  if (init !== 'default') parts.push(`init ${init}`);
  if (shuffle) parts.push('shuffled');
  return parts.join(', ');
}

/** The model whose numbers a caption gives: "the model after epoch 3", "the untrained model"... */
function describeModel(run) {
  if (run.batch) return `the model after batch ${run.batch.batch} of epoch ${run.batch.epoch}`;
  if (run.history.length) return `the model after epoch ${run.history.at(-1).epoch}`;
  return run.importedFrom ? `the model imported from ${run.importedFrom}` : 'the untrained model';
}

export function predictionSentence({ probability, untrained }) {
  const digit = probability > 0.5 ? '3' : '7';
  const sure = probability > 0.5 ? probability : 1 - probability;
  return `Prediction: ${digit} (${percent(sure)})${untrained ? ', by the untrained model' : ''}`;
}

function describePrediction(prediction) {
  if (!prediction) return { digit: '?', text: 'Draw a digit to see the model\'s guess.', note: '', p: null };
  if (prediction.probability === null) {
    return { digit: '?', text: 'No model yet: the dataset is still loading.', note: '', p: null };
  }
  const p = prediction.probability;
  return {
    digit: p > 0.5 ? '3' : '7',
    text: `${predictionSentence({ probability: p, untrained: false })}. P(3) = ${p.toFixed(3)}; above 0.5 means 3.`,
    note: prediction.untrained ? 'Untrained model: its weights are still random, so this is a guess. Train it first.' : '',
    p,
  };
}
