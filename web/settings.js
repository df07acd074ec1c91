// The page's settings: one table of properties, each read from and written to the query string, so that a
// run can be shared or embedded as a link (the idea of TensorFlow Playground's state.ts). A value that does
// not parse falls back to its default, and the defaults are the book's settings (for the chosen model:
// the book trains simple_net at a different rate, for more epochs). The ranges the engine takes are the
// engine's own (facts.js).
import { DEFAULT_OPTIONS as BOOK } from './engine.js';
import { FACTS } from './facts.js';
import { count } from './format.js';
import { MODELS, MODEL_NAMES } from './models.js';

const EMBED_TITLE = 'MNIST basics: SGD learns 3s and 7s';
const DECIMAL = /^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;  // no signs, hex, "Infinity" or blanks

const positiveNumber = (max) => ({
  parse: (text) => {
    const value = Number(text);
    return DECIMAL.test(text) && value > 0 && value <= max ? value : undefined;
  },
  format: String,
  describe: `a number above 0, at most ${max}`,
});

const integer = ({ min, max }) => ({
  min,
  max,
  parse: (text) => {
    const value = Number(text);
    return /^\d+$/.test(text) && Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
  },
  format: String,
  describe: `a whole number from ${count(min)} to ${count(max)}`,
});

// torch.manual_seed's seeds, 0 to 2^64 - 1: past a JavaScript number's whole numbers, so kept as decimal text.
const seed = ({ min, max }) => ({
  parse: (text) => (/^\d+$/.test(text) && BigInt(text) >= BigInt(min) && BigInt(text) <= BigInt(max)
    ? BigInt(text).toString() : undefined),
  format: String,
  describe: `a whole number from ${min} to ${max}`,
});

const boolean = {
  parse: (text) => ({ 1: true, true: true, 0: false, false: false })[text],
  format: (value) => (value ? '1' : '0'),
  describe: '1 or 0',
};

const oneOf = (...choices) => ({
  parse: (text) => (choices.includes(text) ? text : undefined),
  format: String,
  describe: choices.join(' or '),
});

/**
 * Every setting of the page: its query-string name, its type and its default (the book's value; a function
 * of the settings before it when it depends on the model).
 */
export const PROPERTIES = Object.freeze([
  { name: 'model', label: 'Model', type: oneOf(...MODEL_NAMES), default: BOOK.model, restartsRun: true },
  { name: 'lr', label: 'Learning rate', type: positiveNumber(1000), default: ({ model }) => MODELS[model].book.lr, restartsRun: true },
  { name: 'batchSize', label: 'Batch size', type: integer(FACTS.batchSize), default: BOOK.batchSize, restartsRun: true },
  { name: 'epochs', label: 'Epochs', type: integer({ min: 1, max: 1000 }), default: ({ model }) => MODELS[model].book.epochs, restartsRun: false },
  { name: 'seed', label: 'Seed', type: seed(FACTS.seed), default: String(BOOK.seed), restartsRun: true },
  { name: 'shuffle', label: 'Shuffle', type: boolean, default: BOOK.shuffle, restartsRun: true },
  // 'default': the model's own, as the book does it (randn for the linear model, nn.Linear's for simple_net).
  { name: 'init', label: 'Initialisation', type: oneOf('default', ...FACTS.inits), default: BOOK.init, restartsRun: true },
  { name: 'embed', label: 'Compact embed mode', type: boolean, default: false, restartsRun: false },
]);

const byName = new Map(PROPERTIES.map((property) => [property.name, property]));

export function property(name) {
  const found = byName.get(name);
  if (!found) throw new Error(`unknown setting "${name}"`);
  return found;
}

/** The book's settings (for the book's first model unless `chosen` names values, a model say). */
export function defaults(chosen = {}) {
  const settings = {};
  for (const { name, default: value } of PROPERTIES) {
    settings[name] = name in chosen ? chosen[name] : typeof value === 'function' ? value(settings) : value;
  }
  return settings;
}

/**
 * The settings after `edits` ({name: value}, valid values), and the names of those that changed. A model
 * comes with the book's learning rate and epochs for it, unless they are given too; a value given again
 * (1 as "1.0", say) is no change.
 */
export function edit(settings, edits) {
  if (edits.model !== undefined && edits.model !== settings.model) edits = { ...MODELS[edits.model].book, ...edits };
  const changed = Object.keys(edits).filter((name) => settings[name] !== edits[name]);
  return { settings: { ...settings, ...edits }, changed };
}

/** Text (from the URL or a form field) -> the setting's value, or undefined when it is not valid. */
export function parseValue(name, text) {
  return property(name).type.parse(String(text).trim());
}

/**
 * Settings from a query string. Missing values take their default; invalid ones too, and are listed in
 * `rejected` ({name, text, describe}) so that the page can say what it ignored.
 */
export function fromQuery(search) {
  const params = new URLSearchParams(search);
  const chosen = {};
  const rejected = [];
  for (const { name, type } of PROPERTIES) {
    if (!params.has(name)) continue;
    const value = parseValue(name, params.get(name));
    if (value === undefined) rejected.push({ name, text: params.get(name), describe: type.describe });
    else chosen[name] = value;
  }
  return { settings: defaults(chosen), rejected };
}

/** Settings -> query string. Every training setting is written, so a link keeps its meaning if defaults change. */
export function toQuery(settings, { embed = settings.embed } = {}) {
  const params = new URLSearchParams();
  for (const { name, type } of PROPERTIES) {
    if (name !== 'embed') params.set(name, type.format(settings[name]));
  }
  if (embed) params.set('embed', '1');
  return params.toString();
}

/** The iframe that embeds the page (at `href`) with these settings, as a course page would paste it. */
export function embedSnippet(settings, href) {
  const src = new URL(`?${toQuery(settings, { embed: true })}`, href).href;
  return `<iframe src="${src.replaceAll('&', '&amp;')}" title="${EMBED_TITLE}" width="100%" height="900" loading="lazy" style="border:0"></iframe>`;
}

/** The options of a training run, as Engine.createTrainer and Trainer.reset take them. */
export function runOptions({ model, lr, batchSize, seed, shuffle, init }) {
  return { model, lr, batchSize, seed, shuffle, init };
}

/** Whether two sets of settings give the same run (the settings that only the page uses aside). */
export const sameRun = (a, b) => JSON.stringify(runOptions(a)) === JSON.stringify(runOptions(b));
