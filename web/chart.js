// The accuracy chart: validation accuracy after each epoch as an SVG line with a marker on every epoch
// (epoch 0 is the model before training, drawn hollow); earlier runs to compare as dashed lines, and the
// pixel-similarity baseline, which needs no training, as a level line. Plain numbers in, the whole chart
// redrawn when they (or its width) change: at most a few hundred points, so there is nothing to gain from
// patching the DOM.

const NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 220;
const MARGIN = { top: 14, right: 18, bottom: 38, left: 46 };
const MAX_MARKERS = 120;  // beyond this the markers merge into a thick line; the line alone reads better

export class AccuracyChart {
  #svg;
  #width = null;  // the SVG's width in CSS pixels as the browser last laid it out; null until it has
  #data = null;  // the arguments of the last render()
  #drawn = null;  // what the SVG shows now: its width and what it plots, as JSON

  // The chart is laid out in CSS pixels at its current width, so its text stays legible on a phone
  // instead of shrinking with a fixed viewBox. The width comes from a ResizeObserver, which the browser
  // calls after its own layout, rather than from getBoundingClientRect(), which would force a layout in
  // the middle of a render; so the first render waits for the observer's first call, in the same frame.
  constructor(svg) {
    this.#svg = svg;
    observeWidth(svg, (width) => {
      this.#width = width;
      this.#draw();
    });
  }

  /**
   * points: [{epoch, accuracy}] in epoch order; the x axis reaches at least epochTarget. others: earlier
   * runs' points, newest first; baseline: an accuracy to draw as a level line, or null.
   */
  render(points, epochTarget, { others = [], baseline = null } = {}) {
    this.#data = { points, epochTarget, others, baseline };
    this.#draw();
  }

  #draw() {
    if (this.#data === null || this.#width === null) return;
    const width = Math.max(240, Math.round(this.#width) || 480);
    const { points, epochTarget, others, baseline } = this.#data;
    const series = [points, ...others].map((run) => run.map((p) => [p.epoch, p.accuracy]));
    const drawing = JSON.stringify([width, epochTarget, baseline, series]);
    if (drawing === this.#drawn) return;  // a render that changed nothing here, or a resize by less than a pixel
    this.#drawn = drawing;
    this.#svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    const everyPoint = [...points, ...others.flat()];
    const xMax = Math.max(epochTarget, ...everyPoint.map((p) => p.epoch), 1);
    const lowest = Math.min(1, ...everyPoint.map((p) => p.accuracy), baseline ?? 1);
    const yMin = Math.min(0.5, Math.floor(lowest * 10) / 10);
    const x = (epoch) => MARGIN.left + (epoch / xMax) * (width - MARGIN.left - MARGIN.right);
    const y = (accuracy) => MARGIN.top + ((1 - accuracy) / (1 - yMin)) * (HEIGHT - MARGIN.top - MARGIN.bottom);

    const parts = [];
    const yStep = 1 - yMin > 0.5 ? 0.2 : 0.1;
    for (let tick = 1; tick >= yMin - 1e-9; tick -= yStep) {
      parts.push(line(MARGIN.left, y(tick), width - MARGIN.right, y(tick), 'grid'));
      parts.push(text(tick.toFixed(1), MARGIN.left - 6, y(tick) + 4, 'tick tick-y'));
    }
    parts.push(...epochAxis({ width, height: HEIGHT, margin: MARGIN, xMax, x, yTitle: 'accuracy' }));

    // The last epoch's accuracy, by its marker; the baseline's label below or above its line, at the left
    // or the right, wherever it covers neither that value (never, when it can help it) nor the markers.
    const last = points.at(-1);
    const value = last && {
      content: last.accuracy.toFixed(4), x: Math.min(x(last.epoch), width - MARGIN.right), y: Math.max(y(last.accuracy) - 9, 11),
    };
    if (baseline !== null) {
      parts.push(line(MARGIN.left, y(baseline), width - MARGIN.right, y(baseline), 'baseline'));
      const content = `pixel similarity ${baseline.toFixed(4)}`;
      const valueBox = value && box(value.content, VALUE_FONT, { ...value, anchor: 'end' });
      const markers = points.map((p) => [x(p.epoch) - 4, y(p.accuracy) - 4, x(p.epoch) + 4, y(p.accuracy) + 4]);
      const cost = (place) => {
        const label = box(content, BASELINE_FONT, place);
        return (valueBox && overlap(label, valueBox) ? 1000 : 0) + markers.filter((marker) => overlap(label, marker)).length;
      };
      const [left, right] = [MARGIN.left + 4, width - MARGIN.right - 4];
      const places = [[left, 'start', 13], [left, 'start', -5], [right, 'end', 13], [right, 'end', -5]]
        .map(([at, anchor, dy]) => ({ x: at, y: y(baseline) + dy, anchor }));
      const place = places.reduce((best, each) => (cost(each) < cost(best) ? each : best));
      const label = text(content, place.x, place.y, 'baseline-label');
      label.setAttribute('text-anchor', place.anchor);
      parts.push(label);
    }
    others.forEach((past, i) => {
      parts.push(element('polyline', { class: `series past past-${i + 1}`, points: past.map((p) => `${x(p.epoch)},${y(p.accuracy)}`).join(' ') }));
    });
    if (points.length) {
      const path = element('polyline', { class: 'series', points: points.map((p) => `${x(p.epoch)},${y(p.accuracy)}`).join(' ') });
      parts.push(path);
      if (points.length <= MAX_MARKERS) {
        for (const p of points) {
          parts.push(element('circle', { cx: x(p.epoch), cy: y(p.accuracy), r: 3.5, class: p.epoch === 0 ? 'marker initial' : 'marker' }));
        }
      }
      parts.push(text(value.content, value.x, value.y, 'value'));
    }
    this.#svg.replaceChildren(...parts);
  }
}

/**
 * A chart's x axis in epochs (ticks at a round step, 0 to xMax, x(epoch) its position), its title, and the
 * y axis's title, for an SVG of this width and height and these margins.
 */
export function epochAxis({ width, height, margin, xMax, x, yTitle }) {
  const parts = [];
  const xStep = niceStep(xMax / Math.max(3, Math.floor(width / 60)));
  for (let tick = 0; tick <= xMax; tick += xStep) {
    parts.push(line(x(tick), height - margin.bottom, x(tick), height - margin.bottom + 4, 'axis'));
    parts.push(text(String(tick), x(tick), height - margin.bottom + 16, 'tick tick-x'));
  }
  parts.push(line(margin.left, height - margin.bottom, width - margin.right, height - margin.bottom, 'axis'));
  parts.push(text('epoch', (margin.left + width - margin.right) / 2, height - 4, 'axis-title'));
  const title = text(yTitle, 0, 0, 'axis-title');
  title.setAttribute('transform', `translate(12 ${(margin.top + height - margin.bottom) / 2}) rotate(-90)`);
  parts.push(title);
  return parts;
}

// A label's box, [left, top, right, bottom], estimated from its length rather than measured, which would
// force a layout in the middle of a render: a character of these fonts' digits and lower-case letters is
// at most 0.62 of the font size wide. (x, y: the text's anchor on its baseline.)
const VALUE_FONT = 12;  // px, as style.css sets .value and .baseline-label
const BASELINE_FONT = 11;
function box(content, size, { x, y, anchor }) {
  const width = content.length * size * 0.62;
  const left = anchor === 'end' ? x - width : x;
  return [left, y - size, left + width, y + 3];
}

const overlap = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

/** Calls onWidth(CSS pixels) now and whenever the element's width changes, after the browser's own layout. */
export function observeWidth(target, onWidth) {
  new ResizeObserver(([entry]) => onWidth(entry.contentRect.width)).observe(target);
}

// 1, 2 or 5 times a power of ten, at least `rough` (and at least 1: epochs are whole numbers).
export function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? 10 * power;
}

export function element(name, attributes) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

export function line(x1, y1, x2, y2, className) {
  return element('line', { x1, y1, x2, y2, class: className });
}

export function text(content, x, y, className) {
  const node = element('text', { x, y, class: className });
  node.textContent = content;
  return node;
}
