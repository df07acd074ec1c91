// The page's settings: one table of properties, each read from and written to the query string, so that a
// run can be shared or embedded as a link (the idea of TensorFlow Playground's state.ts). A value that does
// not parse falls back to its default, and the defaults are the book's settings (for the chosen model:
// the book trains simple_net at a different rate, for more epochs). The ranges the engine takes are the
// engine's own (facts.js).
import { DEFAULT_OPTIONS as BOOK } from './engine.js';
import { FACTS } from './facts.js';
import { count } from './format.js';
import { MODELS, MODEL_NAMES } from './models.js';
import { PANEL_NAMES } from './panels.js';

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

// Some of `choices`, each at most once, in the order given: "draw,weights" -> ['draw', 'weights'].
const someOf = (choices) => ({
  parse: (text) => {
    const names = text.split(',').map((name) => name.trim());
    return names.every((name) => choices.includes(name)) && new Set(names).size === names.length ? Object.freeze(names) : undefined;
  },
  format: (names) => names.join(','),
  describe: `a comma-separated list of ${choices.join(', ')}, each at most once`,
});

/**
 * Every setting of the page: its query-string name, its type and its default (the book's value; a function
 * of the settings before it when it depends on the model). restartsRun: a new value is a new run.
 * optional: how the page is shown or starts, not the run, so a link carries it only when it is not the
 * default (the run's settings are always written, so that a link keeps its meaning if defaults change).
 * atStart: acts once, when the data is in, so it is taken from the URL only (a host page's `set` refuses it).
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
  // 'accuracy': the book's batch_accuracy as the loss, the chapter's reason for mnist_loss (nothing moves).
  { name: 'loss', label: 'Loss', type: oneOf('mnist_loss', 'accuracy'), default: BOOK.loss, restartsRun: true },
  { name: 'embed', label: 'Compact embed mode', type: boolean, default: false, restartsRun: false, optional: true },
  // The cards shown (panels.js), in this order; every card, as the page lays them out, by default.
  { name: 'panels', label: 'Panels', type: someOf(PANEL_NAMES), default: PANEL_NAMES, restartsRun: false, optional: true },
  // Epochs trained at once when the data is in, before the page shows them and says it is ready.
  { name: 'trained', label: 'Epochs trained at the start', type: integer({ min: 0, max: 1000 }), default: 0, restartsRun: false, optional: true, atStart: true },
  { name: 'autoplay', label: 'Play at the start', type: boolean, default: false, restartsRun: false, optional: true, atStart: true },
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
 * (1 as "1.0", say, or the same panels) is no change.
 */
export function edit(settings, edits) {
  if (edits.model !== undefined && edits.model !== settings.model) edits = { ...MODELS[edits.model].book, ...edits };
  const text = (name, value) => property(name).type.format(value);
  const changed = Object.keys(edits).filter((name) => text(name, settings[name]) !== text(name, edits[name]));
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

/**
 * Settings -> query string: every setting of the run, so a link keeps its meaning if defaults change, and
 * the optional ones (embed, panels...) when they are not the default.
 */
export function toQuery(settings) {
  const params = [];
  for (const { name, type, optional, default: value } of PROPERTIES) {
    const text = type.format(settings[name]);
    // A comma needs no escaping in a query, and panels=draw,weights reads better in a link than %2C.
    if (!optional || text !== type.format(value)) params.push(`${name}=${encodeURIComponent(text).replaceAll('%2C', ',')}`);
  }
  return params.join('&');
}

/** The options of a training run, as Engine.createTrainer and Trainer.reset take them. */
export function runOptions({ model, lr, batchSize, seed, shuffle, init, loss }) {
  return { model, lr, batchSize, seed, shuffle, init, loss };
}

/** Whether two sets of settings give the same run (the settings that only the page uses aside). */
export const sameRun = (a, b) => JSON.stringify(runOptions(a)) === JSON.stringify(runOptions(b));
