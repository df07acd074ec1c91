// The "One step of SGD" card: the last traced step (Step batch, or now and then while Play runs) stage by
// stage, each under the name of the book's code that does it: the batch and some of its images with their
// predictions, the loss beside mnist_loss, the gradient as a 28x28 map (one hidden unit's, for simple_net),
// and the update; then the loss of every step of the run, as a chart and as a table (at small batch sizes,
// the mean of each span of steps).
import { largestMagnitude, paintDigit, paintDiverging } from '../heatmap.js';
import { LossChart } from '../loss-chart.js';
import { MODELS, PIXELS } from '../models.js';
import { elements, setText } from './dom.js';

const format = (x) => (x === 0 ? '0' : Math.abs(x) >= 0.001 ? x.toPrecision(6) : x.toExponential(3));
// The loss table's rows an epoch, at most: a row per step up to 64 batches an epoch (the book's batch size,
// 256, gives 49), else the mean of each span of steps. At batch size 1, a row per step was 12,396 rows an
// epoch: 12 epochs in, the page took 0.6 s to take in an epoch that trained in 30 ms.
const ROWS_PER_EPOCH = 64;

export class StepCard {
  #el = elements(['step-empty', 'step-stages', 'step-batch-text', 'step-strip', 'step-loss', 'step-unit-field', 'step-unit',
    'step-grad', 'step-before', 'step-change', 'step-after', 'step-grad-text', 'step-update-text', 'loss-chart', 'loss-table', 'loss-table-caption']);
  #chart = new LossChart(this.#el['loss-chart']);
  #painted = null;  // [step, unit] of the maps shown
  #tabled = { run: null, losses: null, span: 1 };  // what the table shows

  /**
   * From the page state: run (its step, losses and settings), stepUnit, the epochs Play aims at, and the
   * training images, trainCount.
   */
  render({ run, stepUnit, epochs, trainCount }) {
    const step = run?.step ?? null;
    this.#el['step-empty'].hidden = step !== null;
    this.#el['step-stages'].hidden = step === null;
    if (!run) return;
    const batchesPerEpoch = Math.ceil(trainCount / run.settings.batchSize);
    this.#chart.render(run.losses, batchesPerEpoch, epochs);
    this.#renderTable(run, batchesPerEpoch);
    if (!step) return;
    const model = run.params.model;
    const units = MODELS[model].units;
    const unit = Math.min(Math.max(1, Math.round(stepUnit) || 1), units);
    this.#el['step-unit-field'].hidden = units === 1;
    if (this.#painted?.[0] === step && this.#painted[1] === unit) return;
    this.#painted = [step, unit];
    this.#renderBatch(step);
    this.#renderLoss(step, run.settings.loss);
    this.#renderMaps(step, model, unit);
  }

  #renderBatch({ epoch, batch, batchesPerEpoch, count, threes, sevens, strip, stripPixels }) {
    setText(this.#el['step-batch-text'], `Epoch ${epoch}, batch ${batch} of ${batchesPerEpoch}: ${count} images, ` +
      `${threes} threes and ${sevens} sevens. Below, ${strip.length} of them, evenly spaced through the batch, with the ` +
      `model's P(3) before this step.`);
    const list = this.#el['step-strip'];
    list.replaceChildren(...strip.map(({ index, digit, probability }, k) => {
      const item = document.createElement('li');
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 28;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `training image ${index + 1}, a ${digit}`);
      paintDigit(canvas, stripPixels.subarray(k * PIXELS, (k + 1) * PIXELS));
      const label = document.createElement('span');
      label.textContent = `a ${digit}`;
      const predicted = document.createElement('span');
      predicted.textContent = `P(3) ${probability.toFixed(2)}`;
      item.append(canvas, label, predicted);
      return item;
    }));
  }

  #renderLoss({ loss }, lossName) {
    setText(this.#el['step-loss'], lossName === 'accuracy'
      ? `The loss here is batch_accuracy = ${format(loss)}, the fraction of the batch on the right side of 0.5. ` +
        `Nudging a weight a little moves no prediction across 0.5, so this number does not change at all: its ` +
        `gradient is zero everywhere, and SGD has nothing to follow. That is why the book trains on mnist_loss.`
      : `mnist_loss = ${format(loss)}: on average the model is that far from sure of the right answer ` +
        `(1 − P(3) for a 3, P(3) for a 7). Unlike accuracy, it moves with every small change of a weight.`);
  }

  #renderMaps({ gradient, update, before, lr }, model, unit) {
    const linear = model === 'linear';
    const units = MODELS[model].units;
    const from = (unit - 1) * PIXELS;
    const map = (values) => values.subarray(from, from + PIXELS);
    const biasGradient = gradient[linear ? PIXELS : units * PIXELS + unit - 1];
    const gradScale = paintDiverging(this.#el['step-grad'], map(gradient));
    const after = Float32Array.from(map(before), (w, i) => w + update[from + i]);
    const weightScale = Math.max(largestMagnitude(map(before)), largestMagnitude(after));
    paintDiverging(this.#el['step-before'], map(before), weightScale);
    paintDiverging(this.#el['step-after'], after, weightScale);
    const changeScale = paintDiverging(this.#el['step-change'], map(update));
    const whose = linear ? `the ${PIXELS} weights` : `hidden unit ${unit}'s ${PIXELS} weights`;
    const bias = linear ? 'the bias' : `unit ${unit}'s bias`;
    setText(this.#el['step-grad-text'], gradScale === 0
      ? `Every gradient of ${whose} is 0: the map is blank. The gradient of ${bias}: ${format(biasGradient)}.`
      : `The gradient of ${whose}; the palette's ends are ±${format(gradScale)}, the largest here. ` +
        `The gradient of ${bias}: ${format(biasGradient)}.`);
    setText(this.#el['step-update-text'], changeScale === 0
      ? 'Nothing moved: every change is 0, and the weights after the step are the weights before it.'
      : `Each weight moves by −lr × its gradient (lr = ${lr}), at most ${format(changeScale)} here: the change map ` +
        `is the gradient map with its colours swapped. Before and after share one scale, ±${format(weightScale)}: ` +
        `one step changes them too little to see, which is why training takes many.`);
  }

  // The chart's twin for screen readers: a row per step, appended as steps come; at small batch sizes a row
  // per span of steps, with their mean loss (see ROWS_PER_EPOCH).
  #renderTable(run, batchesPerEpoch) {
    const { losses } = run;
    if (losses === this.#tabled.losses) return;
    const span = Math.ceil(batchesPerEpoch / ROWS_PER_EPOCH);
    const rowsPerEpoch = Math.ceil(batchesPerEpoch / span);
    // The rows whose steps have all come, of n steps; a last row may still be filling.
    const whole = (n) => Math.floor(n / batchesPerEpoch) * rowsPerEpoch + Math.floor((n % batchesPerEpoch) / span);
    const body = this.#el['loss-table'].tBodies[0];
    if (run !== this.#tabled.run || span !== this.#tabled.span || losses.length < this.#tabled.losses.length) {
      body.replaceChildren();
      setText(this.#el['loss-table-caption'], span === 1 ? 'The loss of every SGD step of this run'
        : `The loss of this run's SGD steps, the mean of ${span} a row (a row per step would be ` +
          `${batchesPerEpoch.toLocaleString('en-US')} rows an epoch)`);
    }
    while (body.rows.length > whole(this.#tabled.losses?.length ?? 0)) body.deleteRow(-1);  // drawn again
    const rowCount = whole(losses.length) + ((losses.length % batchesPerEpoch) % span ? 1 : 0);
    const rows = [];
    for (let r = body.rows.length; r < rowCount; r++) {
      const epoch = Math.floor(r / rowsPerEpoch);
      const first = (r % rowsPerEpoch) * span;  // the row's first batch (0-based) in its epoch
      const start = epoch * batchesPerEpoch + first;
      const end = Math.min(start + Math.min(span, batchesPerEpoch - first), losses.length);
      let sum = 0;
      for (let k = start; k < end; k++) sum += losses[k];
      const row = document.createElement('tr');
      for (const value of [epoch + 1, end - start === 1 ? first + 1 : `${first + 1}–${first + end - start}`, format(sum / (end - start))]) {
        row.insertCell().textContent = String(value);
      }
      rows.push(row);
    }
    body.append(...rows);
    this.#tabled = { run, losses, span };
  }
}
