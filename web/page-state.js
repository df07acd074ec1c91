// The page's one state: everything the screen shows, as plain data. The controller (main.js) changes it and
// asks for a render; render.js draws the whole screen from it, once per frame. Nothing else decides what
// the screen shows, so a new number on the page is a field here, the code that sets it and the card that
// draws it.
import { PANEL_NAMES } from './panels.js';
import { edit, parseValue } from './settings.js';

/**
 * The state at start-up, from the settings in the URL ({settings, rejected} of settings.js's fromQuery).
 * Each field is described where it is made.
 */
export function createPageState({ settings, rejected }) {
  return {
    settings,  // the settings shown, as the URL holds them (settings.js)
    // Why the text typed in a field is not valid, by setting name; `revision` grows when every field is to
    // show the settings again (a host page set them), not only the fields whose value changed.
    form: { errors: {}, revision: 0 },
    urlRejected: rejected,  // values of the URL that were not valid: [{name, text, describe}]
    data: {
      dataset: null,  // the dataset in use: {name, counts: {train3, train7, valid3, valid7}, decodeMs, baseline}
      // The archive being loaded, {name, received, total, decoded}; {name: null} while the worker starts.
      loading: { name: null },
      error: null,  // the last load that failed: {name, message}
    },
    // The current run, null until there is a dataset: {settings, initial, history, batch, trained, params,
    // insight, importedFrom}. `settings`: the ones it was started with; `initial`: the validation at epoch
    // 0; `history`: the epochs' records, in order; `batch`: the last SGD step while an epoch is under way;
    // `losses`: every SGD step's loss so far (a Float32Array); `step`: the last traced step, the worker's
    // trace (worker.js traceBatch) and `before`, the parameters it started from;
    // `trained`: whether its parameters are trained (or imported); `params`: {model, params}; `insight`:
    // the worker's confusion matrix and misclassified images; `importedFrom`: a parameters file's name.
    run: null,
    // Whether the page has arrived: the data is in, the first run made, and the `trained` epochs of the URL
    // trained (the host page hears 'ready' then); until then, nothing can be trained by hand.
    ready: false,
    pretraining: null,  // {epochs}: the URL's `trained` epochs being trained at once, before the page is ready
    pastRuns: [],  // the last few runs that trained, newest first, for the chart to compare
    stepUnit: 1,  // the hidden unit of simple_net whose gradient the step card shows (1-based)
    playing: null,  // the Play under way: a new object per press, so that a stale loop sees it is over
    runError: null,  // why training stopped
    // What keeps this browser from running the engine (unsupported.js): {what, everywhere}; everywhere
    // false when only the page's own thread cannot (the drawing), null when nothing does.
    engineProblem: null,
    // The parameters file: {saved: fileName, position (modelPosition)} after an export, {imported: fileName,
    // validation} after an import, {failed: fileName, message}; null before either.
    paramsFile: null,
    // The drawing's prediction: null without ink, else {image, probability (null: no model yet),
    // contributions, sum, bias (the linear model's w * x map), untrained}.
    prediction: null,
    // What the live regions say: the last epoch, and the prediction for the drawing when its stroke ended
    // (`said`); `serial` grows with each stroke, so that the same words are said again for a new one.
    announcements: { epoch: null, prediction: { said: null, serial: 0 } },
    // The embed builder's choices (embed-code.js): the panels (none: every card), how the iframe starts
    // ('waits', 'trained': `trained` epochs, null for as many as Epochs, or 'plays'), its height in CSS pixels,
    // whether it sizes itself, the code's format ('html', 'jupyter', 'quarto'); `invalid`: the fields whose text
    // is not valid, by name; `copied`: {code, ok (the clipboard took it)} after "Copy embed code".
    embedForm: {
      panels: PANEL_NAMES, start: 'waits', trained: null, height: EMBED_HEIGHT.default, autoSize: true, format: 'html',
      invalid: {}, copied: null,
    },
    notebookCopy: null,  // {code, copied} once "Copy the notebook code" has been pressed
    timings: {},  // measurements shown below the results (instruments.js)
  };
}

/**
 * The run's record for a host page (host-api.js): {ready, playing, settings, initial, history, batch, confusion,
 * step (the last traced step: {epoch, batch, loss, threes, sevens, gradient}, or null)}.
 */
export function metrics({ ready, run, settings, playing }) {
  const step = run?.step;
  return {
    ready, playing: Boolean(playing), settings: { ...settings }, initial: run?.initial ?? null,
    history: run?.history ?? [], batch: run?.batch ?? null, confusion: run?.insight.matrix ?? null,
    step: step ? { epoch: step.epoch, batch: step.batch, loss: step.loss, threes: step.threes, sevens: step.sevens, gradient: step.gradient } : null,
  };
}

/** Which model a run has now and where it stands, for the words that name it (format.js describeModel). */
export function modelPosition(run) {
  return { model: run.params.model, batch: run.batch, epoch: run.history.at(-1)?.epoch ?? 0, importedFrom: run.importedFrom };
}

// --- the changes a run makes --------------------------------------------------------------------------

const PAST_RUNS = 3;  // earlier runs the chart keeps beside the current one, to compare

/**
 * A new run from the worker's snapshot ({validation, model, params, insight}, and the dataset when it is
 * new). reason 'data': on a new dataset, so the earlier runs are not comparable; settings: those the
 * worker was sent for it; importedFrom: the parameters file's name.
 */
export function startRun(state, snapshot, reason, { settings, importedFrom = null }) {
  if (reason === 'data') Object.assign(state, { data: { dataset: snapshot.dataset, loading: null, error: null }, pastRuns: [] });
  else if (state.run.history.length) state.pastRuns = [state.run, ...state.pastRuns].slice(0, PAST_RUNS);
  state.run = {
    settings, initial: snapshot.validation, history: [], batch: null, losses: snapshot.losses, step: null,
    trained: importedFrom !== null, params: paramsOf(snapshot), insight: snapshot.insight, importedFrom,
  };
  state.runError = null;
}

/** The worker's reply to a step ({batch, epoch (null until one ends), model, params, insight}). */
export function stepped(state, result) {
  const { run } = state;
  if (result.trace) run.step = { ...result.trace, before: run.params.params };
  run.losses = result.losses;
  // batch: the progress within an epoch, shown until the epoch ends
  Object.assign(run, { trained: true, params: paramsOf(result), insight: result.insight, batch: result.epoch ? null : result.batch });
  if (result.epoch) {
    run.history.push(result.epoch);
    state.announcements.epoch = result.epoch;
  }
}

const paramsOf = ({ model, params }) => ({ model, params });

// --- the embed builder --------------------------------------------------------------------------------

// The iframe's height in CSS pixels: 720 shows a card or two beside a course's text.
export const EMBED_HEIGHT = Object.freeze({ min: 100, max: 10000, default: 720 });

/**
 * An edit of the embed builder's form: a field's name, its value, and for a checkbox whether it is ticked
 * (`panel` fields: one per panel, valued by its name). A number that is not valid is kept out and named.
 */
export function editEmbedForm(state, { name, value, checked }) {
  const form = { ...state.embedForm, invalid: { ...state.embedForm.invalid } };
  if (name === 'panel') form.panels = PANEL_NAMES.filter((panel) => (panel === value ? checked : form.panels.includes(panel)));
  else if (name === 'autoSize') form.autoSize = checked;
  else if (name === 'start' || name === 'format') form[name] = value;
  else if (name === 'trained' || name === 'height') {
    const number = name === 'trained' ? parseValue('trained', value) : wholeNumber(value, EMBED_HEIGHT);
    if (number === undefined || number === 0) form.invalid[name] = true;
    else {
      delete form.invalid[name];
      form[name] = number;
    }
  }
  state.embedForm = form;
}

/** The builder's choices as embed-code.js takes them: the epochs trained, as many as Epochs unless typed. */
export function embedChoice({ embedForm, settings }) {
  return { ...embedForm, trained: embedForm.trained ?? settings.epochs };
}

function wholeNumber(text, { min, max }) {
  const value = Number(text);
  return /^\d+$/.test(text.trim()) && value >= min && value <= max ? value : undefined;
}

/**
 * Settings edited, as values or (typed) as the text of one field, whose text stays shown with its error when
 * it is not valid; showAll: every field shows the settings again, as after a new model (which brings the
 * book's learning rate and epochs for it). Returns the names of the settings that changed.
 */
export function editSettings(state, edits, { typed = false, showAll = false } = {}) {
  if (typed) {
    const [[name, text]] = Object.entries(edits);
    const value = parseValue(name, text);
    if (value === undefined) state.form.errors[name] = text;
    else delete state.form.errors[name];
    edits = value === undefined ? {} : { [name]: value };
  }
  const { settings, changed } = edit(state.settings, edits);
  if (showAll || changed.includes('model')) state.form = { errors: {}, revision: state.form.revision + 1 };
  if (changed.length) state.settings = settings;
  return changed;
}
