// The Train card: the buttons, where the run stands, why training stopped, the URL's invalid values, and
// the settings form with each invalid entry named next to its field.
import { property } from '../settings.js';
import { elements, setText } from './dom.js';

export class TrainCard {
  #el = elements(['step-epoch', 'step-batch', 'play', 'reset', 'run-status', 'run-error', 'url-notice']);
  #form = new SettingsForm(document.getElementById('settings'));

  /** From the page state: settings, form, urlRejected, run, playing and runError. */
  render({ settings, form, urlRejected, run, playing, runError }) {
    const el = this.#el;
    this.#form.render(settings, form);
    const ready = run !== null;
    setText(el.play, playing ? 'Pause' : 'Play');
    el.play.disabled = !ready || (!playing && run.history.length >= settings.epochs);
    el['step-epoch'].disabled = el['step-batch'].disabled = !ready || playing;
    el.reset.disabled = !ready;
    if (run) setText(el['run-status'], runStatus(run, settings, playing));  // until then, "Waiting for the data"
    el['run-error'].hidden = !runError;
    setText(el['run-error'], runError ? `Training stopped: ${runError}.` : '');
    el['url-notice'].hidden = urlRejected.length === 0;
    setText(el['url-notice'], urlRejected.length
      ? `The link's ${urlRejected.map((r) => `${r.name}=${r.text}`).join(', ')} ${urlRejected.length > 1 ? 'are' : 'is'} not valid, so the book's value is used instead.`
      : '');
  }
}

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
