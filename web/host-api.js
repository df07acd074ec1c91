// The page's postMessage API, for a course page that embeds it in an iframe (docs/embedding.md: "Talking to the page
// from a host page"). Requests are {type: 'mnist-sgd:...', ...}; the controller carries them out through
// its public methods, and its events become messages to the host.
//
// Who may talk to it: only the window that embeds the page (event.source === window.parent); messages
// from any other window are ignored, and so are messages without the 'mnist-sgd:' prefix (they belong to
// someone else: the platform, an extension). A request with the prefix that is unknown or malformed gets
// an 'mnist-sgd:error' reply and changes nothing.
// Where replies go: to the origin the request came from. Messages the page sends of its own accord (ready,
// run, epoch, error, resize) go to the parent's origin as the browser reports it; never to '*' but for a
// parent whose origin is opaque (see #post).
import { PROPERTIES, parseValue, property } from './settings.js';

const PREFIX = 'mnist-sgd:';
const SETTINGS = PROPERTIES.map(({ name }) => name);

export class HostApi {
  #controller;
  #parent;
  #origin;  // the parent's origin, where unrequested messages go; null until known
  #height = null;  // the page's content height in CSS pixels, as last sent

  constructor(controller, parent) {
    this.#controller = controller;
    this.#parent = parent;
    this.#origin = parentOrigin();
    window.addEventListener('message', (event) => this.#receive(event));
    controller.addEventListener('ready', () => this.#post({ type: 'ready', ...summary(controller.metrics()) }));
    controller.addEventListener('run', ({ detail }) => this.#post({ type: 'run', reason: detail.reason, ...summary(controller.metrics()) }));
    controller.addEventListener('epoch', ({ detail }) => this.#post({ type: 'epoch', ...epochFields(detail) }));
    controller.addEventListener('batch', ({ detail: { epoch, batch, loss, threes, sevens } }) =>
      this.#post({ type: 'batch', epoch, batch, loss, threes, sevens }));
    controller.addEventListener('error', ({ detail }) => this.#post({ type: 'error', message: detail.message }));
    // The height of the document's content (<html> is as tall as its content, whatever the iframe's height),
    // whenever it changes, so that a host page can size the iframe to it and nothing scrolls inside.
    new ResizeObserver(([entry]) => {
      const height = Math.ceil(entry.borderBoxSize[0].blockSize);
      if (height === this.#height) return;
      this.#height = height;
      this.#post({ type: 'resize', height });
    }).observe(document.documentElement);
  }

  #receive(event) {
    if (event.source !== this.#parent) return;
    const { data } = event;
    if (!isPlainObject(data) || typeof data.type !== 'string' || !data.type.startsWith(PREFIX)) return;
    // The browser's word for who sent it: from now on the page's own messages go there too, beginning
    // with the height, if it could not be sent before.
    const unknown = this.#origin === null;
    this.#origin = event.origin;
    if (unknown && this.#height !== null) this.#post({ type: 'resize', height: this.#height });
    const id = typeof data.id === 'string' || typeof data.id === 'number' ? { id: data.id } : {};
    let answer;
    try {
      if ('id' in data && !('id' in id)) throw new Error('id must be a string or a number');
      answer = this.#handle(data.type.slice(PREFIX.length), data);
    } catch (error) {
      answer = { type: 'error', message: error.message, request: data.type };
    }
    if (answer) this.#post({ ...answer, ...id }, event.origin);
  }

  // Carries out one request; returns the reply, if the request has one. Throws when it is refused.
  #handle(type, data) {
    const controller = this.#controller;
    switch (type) {
      case 'set':
        controller.changeSettings(parseSettings(data.settings));
        return { type: 'settings', settings: controller.metrics().settings };
      case 'step':
        if (data.unit !== undefined && data.unit !== 'epoch' && data.unit !== 'batch') {
          throw new Error(`unit must be 'epoch' or 'batch', got ${describe(data.unit)}`);
        }
        controller.step(data.unit ?? 'epoch');
        return null;  // the epoch message follows when the epoch is done
      case 'play':
        controller.play();
        return null;
      case 'pause':
        controller.pause();
        return null;
      case 'reset':
        controller.reset();
        return null;  // the run message follows
      case 'get-metrics':
        return { type: 'metrics', ...metrics(controller.metrics()) };
      default:
        throw new Error(`unknown message type '${PREFIX}${type}'`);
    }
  }

  // Only ever to the parent, and only to its known origin. An opaque origin ('null': a sandboxed parent)
  // cannot be named as a target, so a request from one is answered with '*', to that same parent window.
  #post(message, origin = this.#origin) {
    if (!origin) return;  // the host learns of it when it asks for the metrics
    this.#parent.postMessage({ ...message, type: PREFIX + message.type }, origin === 'null' ? '*' : origin);
  }
}

/** {name: value} from a host -> valid settings, all of them or none: a bad one throws, naming it. */
function parseSettings(settings) {
  if (!isPlainObject(settings) || Object.keys(settings).length === 0) {
    throw new Error("settings must be an object of settings by name, e.g. {lr: 0.1}");
  }
  const problems = [];
  const valid = {};
  for (const [name, value] of Object.entries(settings)) {
    if (!SETTINGS.includes(name)) {
      problems.push(`unknown setting '${name}' (the settings: ${SETTINGS.join(', ')})`);
      continue;
    }
    if (property(name).atStart) {
      problems.push(`${name} acts once, when the data is in: give it in the iframe's URL`);
      continue;
    }
    // A list (panels) may come as an array of strings, or as the URL writes it.
    const text = Array.isArray(value) && value.every((item) => typeof item === 'string') ? value.join(',') : value;
    const parsed = ['number', 'string', 'boolean', 'bigint'].includes(typeof text) ? parseValue(name, String(text)) : undefined;
    if (parsed === undefined) problems.push(`${name} must be ${property(name).type.describe}, got ${describe(value)}`);
    else valid[name] = parsed;
  }
  if (problems.length) throw new Error(problems.join('; '));
  return valid;
}

// The parent's origin without having heard from it: Chromium and Safari say it (ancestorOrigins); else
// the referrer, which for an iframe is the page that embedded it. Neither: wait for its first message.
// 'null' here is not an opaque parent for sure (an iframe with referrerpolicy="no-referrer" hides its
// parent's origin that way), so it counts as unknown: only a request proves an opaque origin.
function parentOrigin() {
  let origin = location.ancestorOrigins?.[0];
  try {
    if (!origin || origin === 'null') origin = document.referrer ? new URL(document.referrer).origin : null;
  } catch {
    origin = null;
  }
  return origin && origin !== 'null' ? origin : null;
}

// validate_epoch is the book's round(..., 4), kept in a float32 by the engine: sent as the 4-place number.
const epochFields = ({ epoch, validateEpoch, accuracy, correct, count, trainLoss }) =>
  ({ epoch, validateEpoch: Number(validateEpoch.toFixed(4)), accuracy, correct, count, trainLoss });

// The model now, as of the last finished epoch (epoch 0: before training, or as imported).
function summary({ settings, initial, history }) {
  const latest = history.at(-1) ?? { epoch: 0, ...initial, trainLoss: null };
  return { settings, ...epochFields(latest) };
}

function metrics(state) {
  if (!state.ready) return { ready: false, settings: state.settings };
  return {
    ready: true,
    playing: state.playing,
    ...summary(state),
    batch: state.batch && { epoch: state.batch.epoch, batch: state.batch.batch, batchesPerEpoch: state.batch.batchesPerEpoch },
    confusion: state.confusion,
    history: state.history.map(epochFields),
    step: state.step,
  };
}

const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

// A value from a message, quoted for an error message and kept short.
function describe(value) {
  const text = typeof value === 'string' ? `'${value}'` : String(JSON.stringify(value) ?? value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
