// The Results card: the accuracy chart with earlier runs and the pixel-similarity baseline, its legend
// and caption, the line the book's loop prints, the table of epochs, and the page's timings.
import { AccuracyChart } from '../chart.js';
import { count, describeSettings } from '../format.js';
import { MODELS } from '../models.js';
import { notebookCode } from '../notebook.js';
import { elements, setText } from './dom.js';

/** The notebook code of a run with these settings (notebook.js), its 'default' init resolved. */
export function runNotebookCode(settings) {
  const init = settings.init === 'default' ? MODELS[settings.model].defaultInit : settings.init;
  return notebookCode({ ...settings, init });
}

/** The line the book's training loop prints: validate_epoch of every epoch, 4 places, space-separated. */
export function printedLine(history) {
  return history.map((record) => record.validateEpoch.toFixed(4)).join(' ');
}

export class ResultsCard {
  #el = elements(['accuracy-chart', 'chart-caption', 'chart-legend', 'printed-line', 'epochs-table', 'timings',
    'notebook-code', 'notebook-status']);
  #chart = new AccuracyChart(this.#el['accuracy-chart']);
  #legend = null;  // the legend's items last drawn, as JSON
  #copySelected = null;  // the notebookCopy whose code was selected for the learner to copy

  /** From the page state: run, settings, pastRuns, data.dataset (for its baseline), timings and notebookCopy. */
  render({ run, settings, pastRuns, dataset, timings, notebookCopy }) {
    const baseline = dataset?.baseline ?? null;
    const history = run?.history ?? [];
    const points = run ? pointsOf(run) : [];
    this.#chart.render(points, settings.epochs, { others: pastRuns.map(pointsOf), baseline: baseline?.mean ?? null });
    this.#renderLegend(run, pastRuns, baseline);
    const last = points.at(-1);
    setText(this.#el['chart-caption'], !run
      ? 'Validation accuracy after each epoch: waiting for the data.'
      : history.length
        ? `Validation accuracy after each epoch: ${last.accuracy.toFixed(4)} after epoch ${last.epoch} (epoch 0, hollow: ${run.initial.accuracy.toFixed(4)} before training).`
        : `Validation accuracy before training (epoch 0, hollow): ${run.initial.accuracy.toFixed(4)}. Step or play to train.`);
    setText(this.#el['printed-line'], printedLine(history) || '(no epoch yet)');
    this.#renderNotebook(settings, notebookCopy);
    this.#renderTable(history);
    setText(this.#el.timings, describeTimings(timings));
  }

  // The code, and after "Copy" whether the clipboard took it; if not, the code is selected for the learner.
  #renderNotebook(settings, copy) {
    const code = runNotebookCode(settings);
    setText(this.#el['notebook-code'], code);
    const current = copy?.code === code;
    setText(this.#el['notebook-status'], !current ? '' : copy.copied ? 'Copied to the clipboard.' : 'Select the code and copy it.');
    if (current && !copy.copied && copy !== this.#copySelected) getSelection().selectAllChildren(this.#el['notebook-code']);
    this.#copySelected = copy;
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
    if (this.#legend === key) return;
    this.#legend = key;
    this.#el['chart-legend'].replaceChildren(...items.map(([kind, label, result]) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = `swatch ${kind}`;
      swatch.setAttribute('aria-hidden', 'true');
      item.append(swatch, `${label}: ${result}`);
      return item;
    }));
  }

  // Rows are added as epochs come; a run with fewer epochs than rows shown is a new run.
  #renderTable(history) {
    const body = this.#el['epochs-table'].tBodies[0];
    if (body.rows.length > history.length) body.replaceChildren();
    if (body.rows.length === history.length) return;
    for (const record of history.slice(body.rows.length)) {
      const row = body.insertRow();
      row.dataset.accuracy = String(record.accuracy);  // a test hook: the exact accuracy, not its 4 places
      const cells = [String(record.epoch), record.validateEpoch.toFixed(4), record.accuracy.toFixed(4),
        `${count(record.correct)} / ${count(record.count)}`, record.trainLoss.toFixed(4), record.ms.toFixed(1)];
      for (const text of cells) row.insertCell().textContent = text;
      row.cells[3].className = 'col-correct';
      row.cells[5].className = 'col-ms';
    }
    const scroller = body.closest('.table-scroll');
    scroller.scrollTop = scroller.scrollHeight;  // keep the newest epoch in sight
  }
}

// Epoch 0 (before training), then every epoch of a run.
const pointsOf = (run) => [{ epoch: 0, accuracy: run.initial.accuracy }, ...run.history];

function endOf(run) {
  const last = run.history.at(-1);
  return last ? `${last.accuracy.toFixed(4)} after ${last.epoch} epoch${last.epoch > 1 ? 's' : ''}` : `${run.initial.accuracy.toFixed(4)} untrained`;
}

// timings: instruments.js's measurements.
function describeTimings({ readyMs, trainMs, trainEpochs, predictMs }) {
  const parts = [];
  if (readyMs !== undefined) parts.push(`data ready ${Math.round(readyMs)} ms after opening the page`);
  if (trainEpochs) parts.push(`${trainEpochs} epochs trained in ${trainMs.toFixed(1)} ms (${(trainMs / trainEpochs).toFixed(1)} ms each)`);
  if (predictMs !== undefined) parts.push(`last prediction ${predictMs.toFixed(1)} ms after the pen moved`);
  return parts.length ? `Timings: ${parts.join(' · ')}.` : '';
}
