// The "Where the model goes wrong" card: the validation set's 2x2 confusion matrix as a table, and the
// misclassified images the worker sent (at most 24), each with its true digit and the model's P(3).
// Plain data in (the worker's `insight`), DOM out; numbers and words carry the meaning, tints repeat it.
// The gallery's items are made once and repainted: during Play this runs every frame.
import { count, describeModel } from '../format.js';
import { paintDigit } from '../heatmap.js';
import { IMAGE_SIDE, PIXELS } from '../models.js';
import { modelPosition } from '../page-state.js';
import { setText } from './dom.js';

// P(3) to two places, without claiming a certainty that rounding would invent.
const probability = (p) => (p < 0.005 ? '<0.01' : p > 0.995 ? '>0.99' : p.toFixed(2));

export class MistakesCard {
  #cells;
  #caption;
  #summary;
  #groups;
  #last = null;  // the insight drawn last: a render per frame need not repaint the same one

  constructor(root = document.getElementById('mistakes')) {
    const cell = (name) => root.querySelector(`[data-cell="${name}"]`);
    this.#cells = Object.fromEntries(['threesAsThree', 'threesAsSeven', 'sevensAsThree', 'sevensAsSeven', 'threes', 'sevens',
      'predictedThree', 'predictedSeven', 'total'].map((name) => [name, cell(name)]));
    this.#caption = root.querySelector('#confusion caption');
    this.#summary = root.querySelector('#confusion-summary');
    // The 3s the model calls 7 (the top row's wrong cell), then the 7s it calls 3.
    this.#groups = [3, 7].map((digit) => ({
      digit,
      list: root.querySelector(`#gallery-${digit}`),
      status: root.querySelector(`#gallery-${digit}-status`),
      items: [],
    }));
  }

  /** run: the page state's run; its insight is the worker's {matrix, gallery, pixels}. */
  render(run) {
    const insight = run?.insight ?? null;
    setText(this.#caption, insight ? `How ${describeModel(modelPosition(run))} answers on the validation set` : 'The validation set: waiting for the data');
    if (insight === this.#last) return;
    this.#last = insight;
    if (!insight) return;
    const m = insight.matrix;
    const values = {
      ...m,
      threes: m.threesAsThree + m.threesAsSeven,
      sevens: m.sevensAsThree + m.sevensAsSeven,
      predictedThree: m.threesAsThree + m.sevensAsThree,
      predictedSeven: m.threesAsSeven + m.sevensAsSeven,
      total: m.threesAsThree + m.threesAsSeven + m.sevensAsThree + m.sevensAsSeven,
    };
    for (const [name, node] of Object.entries(this.#cells)) setText(node, count(values[name]));
    const right = m.threesAsThree + m.sevensAsSeven;
    setText(this.#summary, `${count(right)} of ${count(values.total)} right (the diagonal), ${count(values.total - right)} wrong: ` +
      `${count(m.threesAsSeven)} 3s read as 7 and ${count(m.sevensAsThree)} 7s read as 3.`);
    const wrong = { 3: m.threesAsSeven, 7: m.sevensAsThree };
    for (const group of this.#groups) this.#renderGroup(group, insight, wrong[group.digit]);
  }

  #renderGroup(group, { gallery, pixels }, wrong) {
    const { digit, list, status, items } = group;
    const shown = gallery.map((image, k) => ({ ...image, k })).filter((image) => image.digit === digit);
    const other = digit === 3 ? 7 : 3;
    setText(status, wrong === 0
      ? `None: every ${digit} is read as ${digit}.`
      : `${count(wrong)} read as ${other}${shown.length < wrong ? `, the first ${shown.length} shown` : ''}.`);
    while (items.length < shown.length) {
      items.push(galleryItem());
      list.append(items.at(-1).node);
    }
    items.forEach((item, i) => {
      item.node.hidden = i >= shown.length;
      if (i < shown.length) item.show(shown[i], pixels.subarray(shown[i].k * PIXELS, (shown[i].k + 1) * PIXELS));
    });
  }
}

// One image: the 28x28 pixels scaled by CSS, its true digit and P(3). Its data attributes are test hooks
// (tests/e2e reads the image's index, digit and P(3) from them).
function galleryItem() {
  const node = document.createElement('li');
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = IMAGE_SIDE;
  canvas.setAttribute('aria-hidden', 'true');
  const [name, truth, guess] = ['visually-hidden', '', ''].map((className) => {
    const span = document.createElement('span');
    if (className) span.className = className;
    return span;
  });
  node.append(canvas, name, truth, guess);
  return {
    node,
    show({ index, digit, probability: p }, image) {
      if (node.dataset.index !== String(index)) paintDigit(canvas, image);  // an image's pixels never change
      Object.assign(node.dataset, { index: String(index), digit: String(digit), probability: String(p) });
      node.title = `Validation image ${index}: a ${digit}; the model gives P(3) = ${p.toFixed(3)}, so it says ${p > 0.5 ? 3 : 7}`;
      setText(name, `Validation image ${index}: `);
      setText(truth, `true ${digit}`);
      setText(guess, `P(3) ${probability(p)}`);
    },
  };
}
