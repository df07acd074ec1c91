// The controller: turns clicks, edits, drops and strokes into requests to the training worker, keeps the
// record of the current run, and hands plain data to the view. The worker computes; the view renders.
// Its few public methods (step, play, pause, reset, changeSettings, metrics) are what the buttons call
// and what a host page's messages call (host-api.js); its events ('ready', 'run', 'epoch', 'error') are
// how host-api.js hears what happened, so the controller knows nothing of messages.
import { DrawingClassifier } from './drawing-classifier.js';
import { DrawingPad, INK_SIDE } from './drawing-pad.js';
import { HostApi } from './host-api.js';
import { readFile } from './loader.js';
import { MODELS } from './models.js';
import { FILE_NAME, downloadParams, readParamsFile } from './params-file.js';
import { SettingsForm } from './settings-form.js';
import { bookSettings, fromQuery, property, runOptions, toQuery } from './state.js';
import { reportEngineProblem } from './unsupported.js';
import { View } from './view.js';
import { trainingWorker } from './worker-client.js';

const SAMPLE_URL = 'mnist_sample.tgz';
const EMBED_TITLE = 'MNIST basics: SGD learns 3s and 7s';
const PAST_RUNS = 3;  // earlier runs the chart keeps beside the current one, to compare

class Controller extends EventTarget {
  #settings;
  #form;
  #worker = trainingWorker;
  #view = new View();
  #pad;
  #classifier = new DrawingClassifier();
  // The current run, null until a dataset is loaded: {settings, initial, history, batch, trained, params,
  // insight, importedFrom}. `initial` is the validation at epoch 0, `insight` the worker's about the
  // current model, `params` its parameters ({model, params}).
  #run = null;
  #pastRuns = [];  // the last few runs that trained, newest first, for the chart: {settings, initial, history}
  #baseline = null;  // the pixel-similarity model's accuracy on the loaded data: {threes, sevens, mean}
  #playing = null;   // the Play session under way: a fresh object per press, so a stale loop sees it is over
  #queue = Promise.resolve();  // training requests run one after another, in the order of the clicks
  #renderPending = false;
  #prediction = { busy: false, again: false, since: null, announce: false, last: null };

  constructor() {
    super();
    const { settings, rejected } = fromQuery(location.search);
    this.#settings = settings;
    this.#view.urlNotice(rejected);
    this.#updateLinks();
    this.#form = new SettingsForm(document.getElementById('settings'), (name, value) => this.#changeSettings({ [name]: value }));
    this.#form.show(settings);
    this.#pad = new DrawingPad(document.getElementById('pad'), {
      onInk: (timeStamp) => this.#predict(timeStamp),
      onStrokeEnd: () => this.#announcePredictionWhenReady(),
    });
    this.#bindControls();
    this.#requestRender();
  }

  /** Downloads the sample served beside the page, with progress, and decodes it in the worker. */
  start() {
    return this.#loadArchive(SAMPLE_URL, { url: SAMPLE_URL });
  }

  // --- what the buttons and a host page may ask ---------------------------------------------------------
  // Each throws an Error saying why when the request cannot be carried out now, and then changes nothing.

  /** Valid settings by name (state.js), as if typed into the form: a new rate, batch size... is a new run. */
  changeSettings(changes) {
    this.#changeSettings(changes);
    this.#form.show(this.#settings);
  }

  /** One epoch ('epoch') or one SGD step ('batch'), after the requests already queued. */
  step(unit) {
    this.#requireRun();
    if (this.#playing) throw new Error('training is playing: pause it before stepping');
    this.#enqueue(() => this.#train(unit === 'batch' ? 'trainBatch' : 'trainEpoch'));
  }

  /** Epochs until paused or the epoch target is reached. */
  play() {
    this.#requireRun();
    if (this.#playing) return;
    if (this.#run.history.length >= this.#settings.epochs) {
      throw new Error(`the run has done its ${this.#settings.epochs} epochs: raise epochs to go on`);
    }
    this.#playEpochs();
  }

  pause() {
    this.#playing = null;
    this.#requestRender();
  }

  /** The run again from its seed. */
  reset() {
    this.#requireRun();
    this.#restart('reset');
  }

  /** The run's record as plain data: {ready, playing, settings, initial, history, batch, confusion}. */
  metrics() {
    const run = this.#run;
    return {
      ready: run !== null,
      playing: Boolean(this.#playing),
      settings: { ...this.#settings },
      initial: run?.initial ?? null,
      history: run?.history ?? [],
      batch: run?.batch ?? null,
      confusion: run?.insight.matrix ?? null,
    };
  }

  #requireRun() {
    if (!this.#run) throw new Error('the data is still loading (wait for the ready message)');
  }

  #bindControls() {
    const on = (id, type, handler) => document.getElementById(id).addEventListener(type, handler);
    // A click can come in the frame before the render disables its button; such a request is refused,
    // and the button's new state says why.
    const press = (id, action) => on(id, 'click', () => {
      try {
        action();
      } catch {
        this.#requestRender();
      }
    });
    press('step-epoch', () => this.step('epoch'));
    press('step-batch', () => this.step('batch'));
    press('play', () => (this.#playing ? this.pause() : this.play()));
    press('reset', () => this.reset());
    on('clear', 'click', () => this.#clearDrawing());
    on('copy-embed', 'click', () => this.#copyEmbedCode());
    on('export-params', 'click', () => this.#exportParams());
    on('import-params', 'click', () => document.getElementById('params-file').click());
    on('params-file', 'change', ({ target }) => {
      if (target.files[0]) this.#importParams(target.files[0]);
      target.value = '';  // choosing the same file again is a new choice
    });
    on('data-file', 'change', ({ target }) => {
      if (target.files[0]) this.#loadFile(target.files[0]);
      target.value = '';
    });
    // A file dropped anywhere is a dataset to load, never a page to navigate to.
    document.addEventListener('dragover', (event) => {
      if (!event.dataTransfer.types.includes('Files')) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    });
    document.addEventListener('drop', (event) => {
      if (!event.dataTransfer.types.includes('Files')) return;
      event.preventDefault();
      if (event.dataTransfer.files[0]) this.#loadFile(event.dataTransfer.files[0]);
    });
  }

  // --- the dataset --------------------------------------------------------------------------------------

  #loadFile(file) {
    return this.#loadArchive(file.name, { readBytes: () => readFile(file) });
  }

  // The worker decodes the new archive before it lets go of the old one, so a bad file changes nothing.
  // The archive comes from `url` (the worker downloads it) or from `readBytes()` (a file the learner gave).
  #loadArchive(name, { url, readBytes }) {
    this.pause();
    return this.#enqueue(async () => {
      let loaded;
      const settings = this.#settings;
      try {
        const bytes = url ? undefined : await readBytes();
        const progress = ({ received, decoded, total }) =>
          decoded === undefined ? this.#view.dataProgress(name, received, total) : this.#view.dataDecodeProgress(name, decoded, total);
        loaded = await this.#worker.call('loadSample', { bytes, url, options: runOptions(settings) },
          bytes ? [bytes.buffer] : [], progress);
      } catch (error) {
        if (!(await reportEngineProblem('data'))) this.#view.dataError(name, error.message);
        return;
      }
      this.#view.dataLoaded(name, loaded.counts, loaded.decodeMs);
      if (!this.#run) this.#view.timings({ readyMs: performance.now(), decodeMs: loaded.decodeMs });
      this.#baseline = loaded.baseline;
      this.#startRun(loaded, 'data', { settings });
    });
  }

  // --- the parameters as a file -------------------------------------------------------------------------

  // The engine writes the text, so the file is what `mnist-sgd --save-params` writes for the same model.
  #exportParams() {
    return this.#enqueue(async () => {
      const { text } = await this.#worker.call('exportParams');
      downloadParams(text);
      this.#view.paramsExported(FILE_NAME, this.#run);
    });
  }

  // A new run from the file's parameters, for the model chosen now. The file is checked on this side (the
  // message names the bad line, as the CLI's --init-params would) and again by the engine; a bad one
  // changes nothing.
  #importParams(file) {
    this.pause();
    return this.#enqueue(async () => {
      let snapshot;
      const settings = this.#settings;
      try {
        const params = await readParamsFile(file, MODELS[settings.model].paramCount);
        snapshot = await this.#worker.call('importParams', { params, options: runOptions(settings) }, [params.buffer]);
      } catch (error) {
        this.#view.paramsError(file.name, error.message);
        return;
      }
      this.#startRun(snapshot, 'import', { settings, importedFrom: file.name });
      this.#view.paramsImported(file.name, snapshot.validation);
    });
  }

  // --- training -----------------------------------------------------------------------------------------

  // reason: 'data', 'reset', 'settings' or 'import' (for the host page); settings: those the worker was
  // sent for this run; importedFrom: the parameters file's name.
  #startRun(snapshot, reason, { settings, importedFrom = null }) {
    const first = this.#run === null;
    // The run that ends joins the chart's comparison, unless the data changed under it.
    if (reason === 'data') this.#pastRuns = [];
    else if (this.#run.history.length) this.#pastRuns = [this.#run, ...this.#pastRuns].slice(0, PAST_RUNS);
    this.#run = {
      settings, initial: snapshot.validation, history: [], batch: null,
      trained: importedFrom !== null, params: paramsOf(snapshot), insight: snapshot.insight, importedFrom,
    };
    this.#view.runError(null);
    this.#view.timings({ trainMs: 0, trainEpochs: 0 });
    this.#classifier.use(this.#run.params);
    if (first) this.#classifier.warmUp();
    this.#requestRender();
    this.#predict();
    this.dispatchEvent(new CustomEvent(first ? 'ready' : 'run', { detail: { reason } }));
    // Settings changed while the first sample loaded (a host page may set them before 'ready', say) started
    // no run, there being none: the numbers on the page must belong to the settings shown, so one follows.
    if (first && !sameRun(settings, this.#settings)) this.#restart('settings');
  }

  // One request to the worker (trainEpoch or trainBatch), then the record and the page catch up.
  async #train(method) {
    const result = await this.#worker.call(method);
    const run = this.#run;
    run.trained = true;
    run.params = paramsOf(result);
    this.#classifier.use(run.params);
    run.insight = result.insight;
    run.batch = result.epoch ? null : result.batch;  // mid-epoch progress, shown until the epoch ends
    if (result.epoch) {
      run.history.push(result.epoch);
      this.#view.announceEpoch(result.epoch);
      this.#view.timings({ trainMs: run.history.reduce((sum, r) => sum + r.ms, 0), trainEpochs: run.history.length });
      this.dispatchEvent(new CustomEvent('epoch', { detail: result.epoch }));
    }
    this.#requestRender();
    this.#predict();
  }

  // Each epoch is a separate request, so Pause, a stroke or a prediction never waits longer than one epoch.
  async #playEpochs() {
    const session = {};
    this.#playing = session;
    this.#requestRender();
    const start = performance.now();
    const from = this.#run.history.length;
    while (this.#playing === session && this.#run.history.length < this.#settings.epochs) {
      if (!(await this.#enqueue(() => this.#train('trainEpoch')))) break;
    }
    this.#view.timings({ playMs: performance.now() - start, playEpochs: this.#run.history.length - from });
    if (this.#playing === session) this.pause();
  }

  #restart(reason) {
    this.pause();
    return this.#enqueue(async () => {
      const settings = this.#settings;
      this.#startRun(await this.#worker.call('reset', { options: runOptions(settings) }), reason, { settings });
    });
  }

  #changeSettings(edits) {
    // A model comes with the book's learning rate and epochs for it, unless they are given too.
    const newModel = edits.model !== undefined && edits.model !== this.#settings.model;
    if (newModel) edits = { ...bookSettings(edits.model), ...edits };
    // A value typed again (1 as "1.0", say) changes nothing and keeps the run.
    const changes = Object.fromEntries(Object.entries(edits).filter(([name, value]) => this.#settings[name] !== value));
    if (Object.keys(changes).length === 0) return;
    this.#settings = { ...this.#settings, ...changes };
    history.replaceState(null, '', `?${toQuery(this.#settings)}`);
    this.#updateLinks();
    if (newModel) this.#form.show(this.#settings);
    // Numbers on the page always belong to the settings shown: a new rate, batch size, seed... is a new run.
    if (Object.keys(changes).some((name) => property(name).restartsRun) && this.#run) this.#restart('settings');
    else this.#requestRender();
  }

  // Requests run in order; a failure (a diverged run, a dead worker) stops Play and is shown. Resolves to
  // whether the task succeeded.
  #enqueue(task) {
    const done = this.#queue.then(task).then(() => true, (error) => {
      this.#view.runError(error.message);
      this.pause();
      this.dispatchEvent(new CustomEvent('error', { detail: { message: error.message } }));
      return false;
    });
    this.#queue = done;
    return done;
  }

  // Training can finish several epochs per frame: the page is drawn once per frame, from the latest record.
  #requestRender() {
    if (this.#renderPending) return;
    this.#renderPending = true;
    requestAnimationFrame(() => {
      this.#renderPending = false;
      this.#render();
    });
  }

  #render() {
    if (this.#run) this.#view.renderWeights(this.#run.params);
    this.#view.renderResults(this.#run, this.#settings, this.#pastRuns, this.#baseline);
    this.#view.renderInsight(this.#run);
    this.#view.runStatus(this.#run, this.#settings, Boolean(this.#playing));
    this.#view.setControls({
      ready: this.#run !== null,
      playing: Boolean(this.#playing),
      canPlay: this.#run !== null && this.#run.history.length < this.#settings.epochs,
    });
  }

  // --- drawing ------------------------------------------------------------------------------------------

  // One prediction at a time: pen moves made while one is under way are folded into one more, so the
  // prediction never lags the pen by more than one. `since` is the time of the earliest pen event it
  // answers (null when the model changed, not the drawing), for the drawing-to-prediction time.
  async #predict(since = null) {
    const state = this.#prediction;
    if (state.busy) {
      state.again = true;
      state.since ??= since;
      return;
    }
    state.busy = true;
    try {
      let prediction = null;
      if (this.#pad.hasInk) {
        const result = await this.#classifier.classify(this.#pad.ink(), INK_SIDE, INK_SIDE);
        if (this.#pad.hasInk) prediction = { ...result, untrained: !this.#run?.trained };  // unless cleared meanwhile
      }
      state.last = prediction;
      this.#view.renderPrediction(prediction);
      if (since !== null) this.#view.timings({ predictMs: performance.now() - since });
    } catch (error) {
      if (!(await reportEngineProblem('drawing'))) this.#view.runError(error.message);
    } finally {
      state.busy = false;
    }
    if (state.again) {
      const next = state.since;
      Object.assign(state, { again: false, since: null });
      this.#predict(next);
    } else if (state.announce) {
      state.announce = false;
      this.#view.announcePrediction(state.last);
    }
  }

  // Each finished stroke is announced once, with the prediction for the whole drawing.
  #announcePredictionWhenReady() {
    const state = this.#prediction;
    if (state.busy) state.announce = true;
    else this.#view.announcePrediction(state.last);
  }

  #clearDrawing() {
    this.#pad.clear();
    this.#prediction.last = null;
    this.#view.renderPrediction(null);
    this.#view.announcePrediction(null);
  }

  // --- sharing ------------------------------------------------------------------------------------------

  #updateLinks() {
    this.#view.setEmbed(this.#settings.embed, `?${toQuery(this.#settings, { embed: false })}`);
  }

  async #copyEmbedCode() {
    const src = new URL(`?${toQuery(this.#settings, { embed: true })}`, location.href).href;
    const snippet = `<iframe src="${src.replaceAll('&', '&amp;')}" title="${EMBED_TITLE}" width="100%" height="900" loading="lazy" style="border:0"></iframe>`;
    let copied = false;
    try {
      await navigator.clipboard.writeText(snippet);
      copied = true;
    } catch {
      // No clipboard (an insecure origin, an iframe without permission): the code is shown to copy by hand.
    }
    this.#view.showEmbedCode(snippet, copied);
  }
}

const paramsOf = ({ model, params }) => ({ model, params });

// Whether two sets of settings give the same run (the settings that only the page uses aside).
const sameRun = (a, b) => JSON.stringify(runOptions(a)) === JSON.stringify(runOptions(b));

const controller = new Controller();
// Only a framed page listens to messages: the parent is the one window that may drive it.
if (window.parent !== window) new HostApi(controller, window.parent);
controller.start();
