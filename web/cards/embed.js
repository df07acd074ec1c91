// The embed builder, below the page: which panels, how the iframe starts, its height or whether it sizes
// itself, the format; the settings shown now go with them. It shows the code to paste (embed-code.js),
// and after "Copy embed code" whether the clipboard took it.
import { embedCode } from '../embed-code.js';
import { count, describeSettings } from '../format.js';
import { EMBED_HEIGHT, embedChoice } from '../page-state.js';
import { PANEL_NAMES } from '../panels.js';
import { property } from '../settings.js';
import { elements, setText } from './dom.js';

export class EmbedBuilder {
  #el = elements(['embed-form', 'embed-panels', 'embed-trained', 'embed-trained-error', 'embed-height', 'embed-height-help',
    'embed-height-error', 'embed-settings', 'embed-code', 'copy-embed', 'embed-status']);
  #written = {};  // the numbers last written to their fields, by name: a field is written again only when its value changed
  #selected = null;  // the copy whose code was selected for the learner to copy by hand

  /** From the page state: settings and embedForm. */
  render(state) {
    const { settings, embedForm: form } = state;
    const el = this.#el;
    const fields = el['embed-form'].elements;
    if (!el['embed-panels'].children.length) this.#addPanelChoices();
    for (const box of fields.panel) box.checked = form.panels.includes(box.value);
    for (const radio of fields.start) radio.checked = radio.value === form.start;
    for (const radio of fields.format) radio.checked = radio.value === form.format;
    fields.autoSize.checked = form.autoSize;
    const choice = embedChoice(state);
    this.#number('trained', choice.trained, form.invalid.trained, `Epochs trained must be a whole number from 1 to ${count(property('trained').type.max)}.`);
    el['embed-trained'].disabled = form.start !== 'trained';
    this.#number('height', form.height, form.invalid.height, `Height must be a whole number from ${count(EMBED_HEIGHT.min)} to ${count(EMBED_HEIGHT.max)}.`);
    setText(el['embed-height-help'], !form.autoSize ? '' : form.format === 'jupyter'
      ? 'Jupyter’s IFrame keeps this height: it runs no script to size itself.' : 'until the page gives its own');
    setText(el['embed-settings'], `With the settings shown now: ${describeSettings(settings)}, Play stops at ${settings.epochs} epochs.`);
    const code = embedCode(settings, choice, location.href);
    if (el['embed-code'].value !== code) el['embed-code'].value = code;
    const copied = form.copied?.code === code ? form.copied : null;
    setText(el['embed-status'], !copied ? '' : copied.ok ? 'Copied to the clipboard.' : 'Select the code above and copy it.');
    if (copied && !copied.ok && this.#selected !== form.copied) el['embed-code'].select();
    this.#selected = form.copied;
  }

  // A check box per panel, named by its card's heading and the name a link uses.
  #addPanelChoices() {
    this.#el['embed-panels'].append(...PANEL_NAMES.map((name) => {
      const label = document.createElement('label');
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'panel', value: name });
      const [text, code] = [document.createElement('span'), document.createElement('code')];
      code.textContent = name;
      text.append(`${document.getElementById(`${name}-title`).textContent} (`, code, ')');
      label.append(box, text);
      return label;
    }));
  }

  // A number field: written when its value changed (not while the text typed in it is not valid), with
  // `message` beside it when it is not valid.
  #number(name, value, invalid, message) {
    const field = this.#el[`embed-${name}`];
    if (!invalid && this.#written[name] !== value) field.value = String(value);
    this.#written[name] = value;
    setText(this.#el[`embed-${name}-error`], invalid ? message : '');
    if (invalid) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
  }
}
