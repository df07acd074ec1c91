// The settings form: shows the settings and turns each edit into a valid setting, checked by the same parser
// as the URL (state.js). An invalid entry is named next to its field and changes nothing.
import { parseValue, property } from './state.js';

export class SettingsForm {
  #form;

  /** onChange(name, value) after every valid edit. */
  constructor(form, onChange) {
    this.#form = form;
    form.addEventListener('submit', (event) => event.preventDefault());  // Enter applies through 'change'
    form.addEventListener('change', ({ target: field }) => {
      const text = field.type === 'checkbox' ? String(field.checked) : field.value;
      const value = parseValue(field.name, text);
      this.#showError(field, value === undefined ? `${property(field.name).label} must be ${property(field.name).type.describe}.` : '');
      if (value !== undefined) onChange(field.name, value);
    });
  }

  show(settings) {
    for (const field of this.#form.elements) {
      if (!(field.name in settings)) continue;
      if (field.type === 'checkbox') field.checked = settings[field.name];
      else field.value = String(settings[field.name]);
      this.#showError(field, '');
    }
  }

  #showError(field, message) {
    const error = document.getElementById(`${field.name}-error`);
    if (!error) return;
    error.textContent = message;
    if (message) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
  }
}
