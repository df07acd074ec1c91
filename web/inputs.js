// The page's inputs, each turned into a call of the controller's: the buttons, the settings form's edits,
// files chosen or dropped. Nothing here decides anything or writes to the screen.
import { BUTTONS } from './cards/run-bar.js';

/**
 * buttons: {id: action} for clicks; refused(): after an action threw (a click can come in the frame
 * before the render disables its button: the request is refused, and the button's new state says why);
 * edited(name, text): a field of the settings form changed (Enter commits a number field, as 'change');
 * embedEdited({name, value, checked}): a field of the embed builder's form changed;
 * files: {inputId: use(file)} for file inputs, each opened by the button named in its data-opened-by;
 * dropped(file): a file dropped anywhere on the page; fields: {id: use(value)} for inputs outside the
 * settings form that change only what is shown.
 */
export function listenToInputs({ buttons, refused, edited, embedEdited, files, dropped, fields = {} }) {
  const on = (id, type, handler) => document.getElementById(id).addEventListener(type, handler);
  for (const [id, use] of Object.entries(fields)) on(id, 'change', ({ target }) => use(target.value));
  // The compact run control (cards/run-bar.js, shown when the Train card is not) repeats the run's buttons.
  const twins = BUTTONS.map((id) => [`bar-${id}`, buttons[id]]);
  for (const [id, action] of [...Object.entries(buttons), ...twins]) {
    on(id, 'click', () => {
      try {
        action();
      } catch {
        refused();
      }
    });
  }
  const form = document.getElementById('settings');
  const embedForm = document.getElementById('embed-form');
  for (const each of [form, embedForm]) each.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('change', ({ target: field }) => edited(field.name, field.type === 'checkbox' ? String(field.checked) : field.value));
  embedForm.addEventListener('change', ({ target: { name, value, checked } }) => embedEdited({ name, value, checked }));
  for (const [id, use] of Object.entries(files)) {
    const input = document.getElementById(id);
    if (input.dataset.openedBy) on(input.dataset.openedBy, 'click', () => input.click());
    input.addEventListener('change', () => {
      if (input.files[0]) use(input.files[0]);
      input.value = '';  // choosing the same file again is a new choice
    });
  }
  // A file dropped anywhere is a dataset to load, never a page to navigate to.
  for (const type of ['dragover', 'drop']) {
    document.addEventListener(type, (event) => {
      if (!event.dataTransfer.types.includes('Files')) return;
      event.preventDefault();
      if (type === 'dragover') event.dataTransfer.dropEffect = 'copy';
      else if (event.dataTransfer.files[0]) dropped(event.dataTransfer.files[0]);
    });
  }
}
