// The Train card: the buttons, where the run stands, why training stopped, the URL's invalid values, and
// the settings form with each invalid entry named next to its field.
import { property } from '../settings.js';
import { elements, setText } from './dom.js';

/** The run's buttons by id, as they are now: whether each is disabled, and Play's words (Play or Pause). */
export function runButtons({ settings, ready, run, playing }) {
  const busy = !ready || Boolean(playing);
  return {
    'step-epoch': { disabled: busy },
    'step-batch': { disabled: busy },
    play: { disabled: !ready || (!playing && run.history.length >= settings.epochs), text: playing ? 'Pause' : 'Play' },
    reset: { disabled: !ready },
  };
}

/** Writes runButtons(state) to the buttons `el` holds by id (with `prefix`: the compact run control's). */
export function renderRunButtons(el, state, prefix = '') {
  for (const [id, { disabled, text }] of Object.entries(runButtons(state))) {
    const button = el[prefix + id];
    button.disabled = disabled;
    if (text) setText(button, text);
  }
}

export class TrainCard {
  #el = elements(['step-epoch', 'step-batch', 'play', 'reset', 'run-status', 'run-error', 'url-notice']);
  #form = new SettingsForm(document.getElementById('settings'));

  /** From the page state: settings, form, urlRejected, ready, run, playing, pretraining and runError. */
  render(state) {
    const { settings, form, urlRejected, run, playing, pretraining, runError } = state;
    const el = this.#el;
    this.#form.render(settings, form);
    renderRunButtons(el, state);
    // Until there is a run, "Waiting for the data".
    if (run) setText(el['run-status'], pretraining ? pretrainingStatus(pretraining) : runStatus(run, settings, playing));
    el['run-error'].hidden = !runError;
    setText(el['run-error'], runError ? `Training stopped: ${runError}.` : '');
    el['url-notice'].hidden = urlRejected.length === 0;
    setText(el['url-notice'], urlRejected.length
      ? `The link's ${urlRejected.map((r) => `${r.name}=${r.text}`).join(', ')} ${urlRejected.length > 1 ? 'are' : 'is'} not valid, so the book's value is used instead.`
      : '');
  }
}

/** While the URL's `trained` epochs are trained (page-state.js pretraining). */
export const pretrainingStatus = ({ epochs }) => `Training ${epochs} epoch${epochs > 1 ? 's' : ''} before showing the model…`;

function runStatus(run, settings, playing) {
  const done = run.history.length;
  const parts = [`${done} of ${settings.epochs} epochs done`];
  if (run.batch) parts.push(`epoch ${run.batch.epoch}: batch ${run.batch.batch} of ${run.batch.batchesPerEpoch}`);
  if (run.importedFrom && !done && !run.batch) parts.push(`starting from the parameters in ${run.importedFrom}`);
  else if (!run.trained) parts.push(`untrained: random weights from seed ${settings.seed}`);
  else if (playing) parts.push('training…');
  else if (done >= settings.epochs) parts.push('target reached (raise Epochs to go on)');
  return parts.join(' · ');
}

// The settings form, whose own inputs the learner types in (inputs.js hears them).
class SettingsForm {
  #form;
  #shown = null;  // the settings the fields were last written from
  #revision = null;

  constructor(form) {
    this.#form = form;
  }

  /**
   * Writes the fields whose setting changed since the last render (all of them when form.revision
   * changed), so that text being typed elsewhere stays as it is; form.errors: the rejected text by name.
   */
  render(settings, { errors, revision }) {
    const all = revision !== this.#revision;
    for (const field of this.#form.elements) {
      const { name } = field;
      if (!(name in settings)) continue;
      const { type } = property(name);
      if (all && type.min !== undefined) Object.assign(field, { min: type.min, max: type.max });  // the range the engine takes
      if (all || this.#shown[name] !== settings[name]) {
        if (field.type === 'checkbox') field.checked = settings[name];
        else field.value = String(settings[name]);
      }
      const error = document.getElementById(`${name}-error`);
      if (!error) continue;
      const message = name in errors ? `${property(name).label} must be ${type.describe}.` : '';
      setText(error, message);
      if (message) field.setAttribute('aria-invalid', 'true');
      else field.removeAttribute('aria-invalid');
    }
    this.#shown = settings;
    this.#revision = revision;
  }
}
