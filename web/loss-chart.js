// The loss chart: every SGD step's loss as one SVG line (thinned to each pixel column's extremes when there are
// more steps than twice the columns), the x axis in epochs with a dotted line where each epoch ends, as
// fastai's recorder.plot_loss draws a run. Redrawn whole when its numbers (or its width) change: one polyline,
// of a thousand points or so at the book's batch size. Laid out like the accuracy chart (chart.js).
import { element, epochAxis, line, niceStep, observeWidth, text } from './chart.js';

const HEIGHT = 200;
const MARGIN = { top: 12, right: 18, bottom: 38, left: 46 };

export class LossChart {
  #svg;
  #width = null;  // CSS pixels, from the ResizeObserver (see AccuracyChart)
  #data = null;
  #drawn = null;  // [width, losses, batchesPerEpoch, epochTarget] of what the SVG shows

  constructor(svg) {
    this.#svg = svg;
    observeWidth(svg, (width) => {
      this.#width = width;
      this.#draw();
    });
  }

  /** losses: every step's loss in order (a Float32Array); the x axis reaches at least epochTarget epochs. */
  render(losses, batchesPerEpoch, epochTarget) {
    this.#data = { losses, batchesPerEpoch, epochTarget };
    this.#draw();
  }

  #draw() {
    if (this.#data === null || this.#width === null) return;
    const width = Math.max(240, Math.round(this.#width) || 480);
    const { losses, batchesPerEpoch, epochTarget } = this.#data;
    const drawn = [width, losses, batchesPerEpoch, epochTarget];
    if (this.#drawn?.every((value, i) => value === drawn[i])) return;
    this.#drawn = drawn;
    this.#svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    const epochs = losses.length / batchesPerEpoch;
    const xMax = Math.max(epochTarget, Math.ceil(epochs), 1);
    let largest = 0;
    for (const loss of losses) largest = Math.max(largest, loss);
    const yStep = niceStep(largest * 10 / 4) / 10;  // 0.1, 0.2 or 0.5: 2 to 4 gridlines above 0
    const yMax = Math.max(yStep, Math.ceil(largest / yStep - 1e-9) * yStep);
    const x = (epoch) => MARGIN.left + (epoch / xMax) * (width - MARGIN.left - MARGIN.right);
    const y = (loss) => MARGIN.top + (1 - loss / yMax) * (HEIGHT - MARGIN.top - MARGIN.bottom);

    const parts = [];
    for (let tick = 0; tick <= yMax + 1e-9; tick += yStep) {
      parts.push(line(MARGIN.left, y(tick), width - MARGIN.right, y(tick), 'grid'));
      parts.push(text(tick.toFixed(1), MARGIN.left - 6, y(tick) + 4, 'tick tick-y'));
    }
    for (let epoch = 1; epoch < epochs; epoch++) parts.push(line(x(epoch), MARGIN.top, x(epoch), HEIGHT - MARGIN.bottom, 'epoch-end'));
    parts.push(...epochAxis({ width, height: HEIGHT, margin: MARGIN, xMax, x, yTitle: 'loss' }));
    // Step k (1-based) is drawn where it ends: at k / batchesPerEpoch epochs.
    const point = (k) => `${x((k + 1) / batchesPerEpoch).toFixed(1)},${y(losses[k]).toFixed(1)}`;
    if (losses.length) {
      parts.push(element('polyline', { class: 'series', points: steps(losses, (k) => Math.floor(x((k + 1) / batchesPerEpoch))).map(point).join(' ') }));
      const [cx, cy] = point(losses.length - 1).split(',');
      parts.push(element('circle', { cx, cy, r: 3, class: 'marker' }));  // the last step, visible from the first
    }
    this.#svg.replaceChildren(...parts);
  }
}

// The steps the line goes through: all of them while they are at most two per pixel column; past that, each
// column's lowest and highest step in step order, and the first and the last step (where the marker is): the
// band a noisy run draws looks the same. At batch size 1 an epoch is 12,396 steps; 40 would be half a million points.
function steps(losses, column) {
  const count = losses.length;
  if (count <= 2 * (column(count - 1) - column(0) + 1)) return Array.from(losses, (_, k) => k);
  const kept = [];
  for (let k = 0; k < count;) {
    let low = k, high = k, next = k + 1;
    for (const at = column(k); next < count && column(next) === at; next++) {
      if (losses[next] < losses[low]) low = next;
      if (losses[next] > losses[high]) high = next;
    }
    kept.push(...(low === high ? [low] : low < high ? [low, high] : [high, low]));
    k = next;
  }
  if (kept[0] !== 0) kept.unshift(0);
  if (kept.at(-1) !== count - 1) kept.push(count - 1);
  return kept;
}
