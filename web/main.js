// The controller: turns clicks, edits, drops, strokes and the training worker's news into changes of the
// page state (page-state.js) and requests to the worker, then asks for a render (render.js), which draws
// the screen from the state. The worker computes; the render draws; this file decides.
// Its public methods (step, play, pause, reset, changeSettings, metrics) are what the buttons call and
// what a host page's messages call (host-api.js); its events ('ready', 'run', 'epoch', 'error') are how
// host-api.js hears what happened, so the controller knows nothing of messages.
import { dataFailed, loadArchiveFile } from './dataset.js';
import { Drawing } from './drawing.js';
import { HostApi } from './host-api.js';
import { listenToInputs } from './inputs.js';
import { record, recordRun, recordTraining } from './instruments.js';
import { copyEmbedCode, copyNotebookCode, exportParams, importParams } from './keepsakes.js';
import { createPageState, editEmbedForm, editSettings, metrics, startRun, stepped } from './page-state.js';
import { Screen } from './render.js';
import { fromQuery, property, runOptions, sameRun, toQuery } from './settings.js';
import { trainingWorker } from './worker-client.js';
const TRACE_MS = 250;  // while Play runs, a step seen from inside at most this often (4 a second)

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
        play: () => (this.#state.playing ? this.pause() : this.play()),
        clear: () => this.#drawing.clear(),
        'copy-embed': () => this.#enqueue(() => copyEmbedCode(this.#state)),
        'copy-notebook': () => this.#enqueue(() => copyNotebookCode(this.#state)),
        'export-params': () => this.#enqueue(() => exportParams(this.#state, this.#worker)),
      },
      fields: { 'step-unit': (value) => this.#show({ stepUnit: Number(value) }) },
      refused: () => this.#screen.update(),
      edited: (name, text) => this.#changeSettings({ [name]: text }, { typed: true }),
      embedEdited: (field) => {
        editEmbedForm(this.#state, field);
        this.#screen.update();
      },
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
    this.#changeSettings(changes, { showAll: true });
  }

  /** One epoch ('epoch') or one SGD step ('batch'), after the requests already queued. */
  step(unit) {
    this.#requireRun();
    if (this.#state.playing) throw new Error('training is playing: pause it before stepping');
    this.#enqueue(() => this.#train(unit === 'batch' ? 'traceBatch' : 'trainEpoch'));
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
    const { ready, pretraining } = this.#state;
    if (pretraining) throw new Error(`the page is training its first ${pretraining.epochs} epochs (wait for the ready message)`);
    if (!ready) throw new Error('the data is still loading (wait for the ready message)');
  }

  // --- the dataset --------------------------------------------------------------------------------------

  // Events of the worker: the progress of an archive, its own archive (fetched as soon as it started) or
  // why not, and that it stopped.
  #heard({ type, ...event }) {
    if (type === 'dataset') this.#enqueue(() => this.#arrive());
    else if (type === 'progress') this.#show({ data: { ...this.#state.data, loading: event } });
    else if (type === 'dataset-error') this.#enqueue(() => dataFailed(this.#state, event.name, event.message));
    else if (!this.#state.data.dataset) this.#enqueue(() => dataFailed(this.#state, null, event.message));  // stopped
  }

  #loadFile(file) {
    this.pause();
    return this.#enqueue(async () => {
      if (!(await loadArchiveFile(this.#state, this.#worker, file))) return;
      await this.#newRun('data');
      await this.#arrive();  // the learner's archive came first
    });
  }

  #importParams(file) {
    this.pause();
    return this.#enqueue(() => importParams(this.#state, this.#worker, file,
      (snapshot, settings) => this.#startRun(snapshot, 'import', { settings, importedFrom: file.name })));
  }

  // --- arriving: the first run, as the URL asks -----------------------------------------------------------

  // Once the data is in: the first run, with the URL's settings and any made meanwhile (a host page may set
  // them before 'ready'), trained the URL's `trained` epochs at once; then 'ready', then Play if `autoplay`.
  async #arrive() {
    const state = this.#state;
    if (state.ready) return;
    do {
      if (!state.run || !sameRun(state.run.settings, state.settings)) await this.#newRun('data');
      try {
        await this.#pretrain();
      } catch (error) {
        state.runError = error.message;  // a run that diverged: shown, and the page is ready all the same
      }
    } while (!sameRun(state.run.settings, state.settings));
    state.ready = true;
    this.dispatchEvent(new CustomEvent('ready', { detail: { reason: 'data' } }));
    if (state.runError) this.dispatchEvent(new CustomEvent('error', { detail: { message: state.runError } }));
    if (state.settings.autoplay && state.run.history.length < state.settings.epochs && !state.runError) this.#playEpochs();
  }

  // The URL's `trained` epochs, drawn when they are all done, not one by one (the render waits for this
  // task to end), and not sent to the host page one by one either: it hears 'ready' after them. A change
  // of the run's settings meanwhile stops them (#arrive starts again).
  async #pretrain() {
    const state = this.#state;
    const epochs = state.settings.trained;
    if (state.run.history.length >= epochs) return;
    this.#show({ pretraining: { epochs } });
    try {
      while (state.run.history.length < epochs && sameRun(state.run.settings, state.settings)) await this.#train('trainEpoch');
    } finally {
      state.pretraining = null;
    }
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

  // reason: 'data', 'reset', 'settings' or 'import', for the host page (see page-state.js startRun), which
  // hears of runs after 'ready' (#arrive).
  #startRun(snapshot, reason, { settings, importedFrom = null }) {
    const first = this.#state.run === null;
    startRun(this.#state, snapshot, reason, { settings, importedFrom });
    recordRun(this.#state, snapshot, first);
    this.#drawing.use(this.#state.run.params);
    if (this.#state.ready) this.dispatchEvent(new CustomEvent('run', { detail: { reason } }));
  }

  // One request to the worker (trainEpoch or traceBatch: a step seen from inside), then the record catches up.
  async #train(method, args) {
    const result = await this.#worker.call(method, args);
    stepped(this.#state, result);
    if (method === 'traceBatch') this.dispatchEvent(new CustomEvent('batch', { detail: result.trace }));
    const { run } = this.#state;
    if (result.epoch) {
      recordTraining(this.#state);
      if (this.#state.ready) this.dispatchEvent(new CustomEvent('epoch', { detail: result.epoch }));
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
    let traced = -Infinity;  // when Play last traced a step
    while (state.playing === session && state.run.history.length < state.settings.epochs) {
      // The step card follows Play at most every TRACE_MS: a traced step costs the book's calc_grad beside it.
      const trace = performance.now() - traced >= TRACE_MS;
      if (trace) traced = performance.now();
      if (!(await this.#enqueue(() => this.#train('trainEpoch', { trace })))) break;
    }
    record(this.#state, { playMs: performance.now() - start, playEpochs: state.run.history.length - from });
    if (state.playing === session) this.pause();
  }

  // Typed text (typed: true) or values; showAll: every field shows the settings again (a host page set them).
  #changeSettings(edits, { typed = false, showAll = false } = {}) {
    const changed = editSettings(this.#state, edits, { typed, showAll });
    if (changed.length) history.replaceState(null, '', `?${toQuery(this.#state.settings)}`);
    // Numbers on the page always belong to the settings shown: a new rate, batch size, seed... is a new run
    // (before 'ready', #arrive makes it).
    if (changed.some((name) => property(name).restartsRun) && this.#state.ready) this.#restart('settings');
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
}

const controller = new Controller();
// Only a framed page listens to messages: the parent is the one window that may drive it.
if (window.parent !== window) new HostApi(controller, window.parent);
