// The controller: turns clicks, edits, drops, strokes and the training worker's news into changes of the
// page state (page-state.js) and requests to the worker, then asks for a render (render.js), which draws
// the screen from the state. The worker computes; the render draws; this file decides.
// Its public methods (step, play, pause, reset, changeSettings, metrics) are what the buttons call and
// what a host page's messages call (host-api.js); its events ('ready', 'run', 'epoch', 'error') are how
// host-api.js hears what happened, so the controller knows nothing of messages.
import { runNotebookCode } from './cards/results.js';
import { Drawing } from './drawing.js';
import { HostApi } from './host-api.js';
import { listenToInputs } from './inputs.js';
import { record } from './instruments.js';
import { copyText, readFile, readParamsText, saveFile } from './loader.js';
import { createPageState, metrics, modelPosition, startRun, stepped } from './page-state.js';
import { Screen } from './render.js';
import { engineProblem } from './unsupported.js';
import { edit, embedSnippet, fromQuery, parseValue, property, runOptions, sameRun, toQuery } from './settings.js';
import { trainingWorker } from './worker-client.js';

const PARAMS_FILE = 'params.txt';

class Controller extends EventTarget {
  #state = createPageState(fromQuery(location.search));
  #screen = new Screen(this.#state);
  #worker = trainingWorker;
  #drawing = new Drawing(this.#state, this.#screen);
  #queue = Promise.resolve();  // requests to the worker run one after another, in the order of the clicks

  constructor() {
    super();
    listenToInputs({
      buttons: {
        'step-epoch': () => this.step('epoch'), 'step-batch': () => this.step('batch'), reset: () => this.reset(),
        play: () => (this.#state.playing ? this.pause() : this.play()), clear: () => this.#drawing.clear(),
        'copy-embed': () => this.#copyEmbedCode(), 'export-params': () => this.#exportParams(),
        'copy-notebook': () => this.#copyNotebookCode(),
      },
      refused: () => this.#screen.update(),
      edited: (name, text) => this.#editSetting(name, text),
      files: { 'params-file': (file) => this.#importParams(file), 'data-file': (file) => this.#loadFile(file) },
      dropped: (file) => this.#loadFile(file),
    });
    this.#worker.listen((event) => this.#heard(event));
    this.#screen.update();
  }

  // --- what the buttons and a host page may ask ---------------------------------------------------------
  // Each throws an Error saying why when the request cannot be carried out now, and then changes nothing.

  /** Valid settings by name (settings.js), as if typed into the form: a new rate, batch size... is a new run. */
  changeSettings(changes) {
    this.#changeSettings(changes, true);
  }

  /** One epoch ('epoch') or one SGD step ('batch'), after the requests already queued. */
  step(unit) {
    this.#requireRun();
    if (this.#state.playing) throw new Error('training is playing: pause it before stepping');
    this.#enqueue(() => this.#train(unit === 'batch' ? 'trainBatch' : 'trainEpoch'));
  }

  /** Epochs until paused or the epoch target is reached. */
  play() {
    this.#requireRun();
    if (this.#state.playing) return;
    const { epochs } = this.#state.settings;
    if (this.#state.run.history.length >= epochs) throw new Error(`the run has done its ${epochs} epochs: raise epochs to go on`);
    this.#playEpochs();
  }

  pause() {
    this.#show({ playing: null });
  }

  /** The run again from its seed. */
  reset() {
    this.#requireRun();
    this.#restart('reset');
  }

  /** The run's record as plain data (page-state.js). */
  metrics() {
    return metrics(this.#state);
  }

  #requireRun() {
    if (!this.#state.run) throw new Error('the data is still loading (wait for the ready message)');
  }

  // --- the dataset --------------------------------------------------------------------------------------

  // Events of the worker: the progress of an archive, its own archive (fetched as soon as it started) or
  // why not, and that it stopped.
  #heard({ type, ...event }) {
    if (type === 'dataset') this.#restart('data');
    else if (type === 'progress') this.#show({ data: { ...this.#state.data, loading: event } });
    else if (type === 'dataset-error') this.#dataFailed(event.name, event.message);
    else if (!this.#state.data.dataset) this.#dataFailed(null, event.message);  // stopped (later, a request says it)
  }

  // The worker decodes a file before it lets go of the dataset in use, so a bad file changes nothing.
  #loadFile(file) {
    this.pause();
    return this.#enqueue(async () => {
      try {
        const bytes = await readFile(file);
        await this.#worker.call('loadSample', { name: file.name, bytes }, [bytes.buffer]);
      } catch (error) {
        return this.#dataFailed(file.name, error.message);
      }
      await this.#newRun('data');
    });
  }

  // Where the engine cannot run in this browser, no archive can help: the state says that instead.
  async #dataFailed(name, message) {
    const what = await engineProblem();
    if (what) return this.#show({ engineProblem: { what, everywhere: true }, data: { ...this.#state.data, loading: null } });
    this.#show({ data: { ...this.#state.data, loading: null, error: { name, message } } });
  }

  // --- the parameters as a file -------------------------------------------------------------------------

  // The engine writes the text, so the file is what `mnist-sgd --save-params` writes for the same model.
  #exportParams() {
    return this.#enqueue(async () => {
      const { text } = await this.#worker.call('exportParams');
      saveFile(PARAMS_FILE, text);
      this.#show({ paramsFile: { saved: PARAMS_FILE, position: modelPosition(this.#state.run) } });
    });
  }

  // A new run from the file's parameters, for the model chosen now; a bad file changes nothing.
  #importParams(file) {
    this.pause();
    return this.#enqueue(async () => {
      let snapshot;
      const { settings } = this.#state;
      try {
        const text = await readParamsText(file);
        snapshot = await this.#worker.call('importParams', { text, options: runOptions(settings) });
      } catch (error) {
        return this.#show({ paramsFile: { failed: file.name, message: error.message } });
      }
      this.#state.paramsFile = { imported: file.name, validation: snapshot.validation };
      this.#startRun(snapshot, 'import', { settings, importedFrom: file.name });
    });
  }

  // --- training -----------------------------------------------------------------------------------------

  #restart(reason) {
    this.pause();
    return this.#enqueue(() => this.#newRun(reason));
  }

  // A run from its seed with the settings shown, on the worker's dataset.
  async #newRun(reason) {
    const { settings } = this.#state;
    this.#startRun(await this.#worker.call('startRun', { options: runOptions(settings) }), reason, { settings });
  }

  // reason: 'data', 'reset', 'settings' or 'import', for the host page (see page-state.js startRun).
  #startRun(snapshot, reason, { settings, importedFrom = null }) {
    const first = this.#state.run === null;
    startRun(this.#state, snapshot, reason, { settings, importedFrom });
    record(this.#state, { trainMs: 0, trainEpochs: 0, ...(first && { readyMs: performance.now(), decodeMs: snapshot.dataset.decodeMs }) });
    this.#drawing.use(this.#state.run.params);
    this.dispatchEvent(new CustomEvent(first ? 'ready' : 'run', { detail: { reason } }));
    // Settings changed while the first sample loaded (a host page may set them before 'ready', say) started
    // no run, there being none: the numbers on the page must belong to the settings shown, so one follows.
    if (first && !sameRun(settings, this.#state.settings)) this.#restart('settings');
  }

  // One request to the worker (trainEpoch or trainBatch), then the record catches up.
  async #train(method) {
    const result = await this.#worker.call(method);
    stepped(this.#state, result);
    const { run } = this.#state;
    if (result.epoch) {
      record(this.#state, { trainMs: run.history.reduce((sum, r) => sum + r.ms, 0), trainEpochs: run.history.length });
      this.dispatchEvent(new CustomEvent('epoch', { detail: result.epoch }));
    }
    this.#drawing.use(run.params);
  }

  // Each epoch is a separate request, so Pause, a stroke or a prediction never waits longer than one epoch.
  async #playEpochs() {
    const session = {};  // a fresh object per press, so that a stale loop sees it is over
    const state = this.#state;
    this.#show({ playing: session });
    const start = performance.now();
    const from = state.run.history.length;
    while (state.playing === session && state.run.history.length < state.settings.epochs) {
      if (!(await this.#enqueue(() => this.#train('trainEpoch')))) break;
    }
    record(this.#state, { playMs: performance.now() - start, playEpochs: state.run.history.length - from });
    if (state.playing === session) this.pause();
  }

  #editSetting(name, text) {
    const value = parseValue(name, text);
    if (value === undefined) this.#state.form.errors[name] = text;
    else delete this.#state.form.errors[name];
    this.#changeSettings(value === undefined ? {} : { [name]: value });
  }

  // showAll: every field shows the settings again, whatever was typed in it (also when a new model brings
  // the book's learning rate and epochs for it).
  #changeSettings(edits, showAll = false) {
    const state = this.#state;
    const { settings, changed } = edit(state.settings, edits);
    if (showAll || changed.includes('model')) state.form = { errors: {}, revision: state.form.revision + 1 };
    if (changed.length) {
      state.settings = settings;
      history.replaceState(null, '', `?${toQuery(settings)}`);
    }
    // Numbers on the page always belong to the settings shown: a new rate, batch size, seed... is a new run.
    if (changed.some((name) => property(name).restartsRun) && state.run) this.#restart('settings');
    else this.#screen.update();
  }

  // Requests run in order; a failure (a diverged run, a dead worker) stops Play and is shown. Resolves to
  // whether the task succeeded. Every task ends with the screen drawn again.
  #enqueue(task) {
    const done = this.#queue.then(task).then(() => true, (error) => {
      this.#state.runError = error.message;
      this.pause();
      this.dispatchEvent(new CustomEvent('error', { detail: { message: error.message } }));
      return false;
    }).finally(() => this.#screen.update());
    this.#queue = done;
    return done;
  }

  // Changes of the page state that need no more than drawing.
  #show(changes) {
    Object.assign(this.#state, changes);
    this.#screen.update();
  }

  // --- sharing ------------------------------------------------------------------------------------------

  async #copyEmbedCode() {
    const snippet = embedSnippet(this.#state.settings, location.href);
    this.#show({ embedCode: { snippet, copied: await copyText(snippet) } });
  }

  async #copyNotebookCode() {
    const code = runNotebookCode(this.#state.settings);
    this.#show({ notebookCopy: { code, copied: await copyText(code) } });
  }
}

const controller = new Controller();
// Only a framed page listens to messages: the parent is the one window that may drive it.
if (window.parent !== window) new HostApi(controller, window.parent);
