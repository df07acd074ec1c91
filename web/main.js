// The controller: turns clicks, edits, drops and strokes into requests to the training worker, keeps the
// record of the current run, and hands plain data to the view. The worker computes; the view renders.
import { DrawingPad, INK_SIDE } from './drawing-pad.js';
import { download, readFile } from './loader.js';
import { SettingsForm } from './settings-form.js';
import { fromQuery, property, runOptions, toQuery } from './state.js';
import { View } from './view.js';
import { WorkerClient } from './worker-client.js';

const SAMPLE_URL = 'mnist_sample.tgz';
const EMBED_TITLE = 'MNIST basics: SGD learns 3s and 7s';

class Controller {
  #settings;
  #worker = new WorkerClient();
  #view = new View();
  #pad;
  #run = null;       // {initial, history, batch, trained, params} of the current run; null until a dataset is loaded
  #playing = null;   // the Play session under way: a fresh object per press, so a stale loop sees it is over
  #queue = Promise.resolve();  // training requests run one after another, in the order of the clicks
  #renderPending = false;
  #prediction = { busy: false, again: false, since: null, announce: false, last: null };

  constructor() {
    const { settings, rejected } = fromQuery(location.search);
    this.#settings = settings;
    this.#view.urlNotice(rejected);
    this.#updateLinks();
    new SettingsForm(document.getElementById('settings'), (name, value) => this.#changeSetting(name, value)).show(settings);
    this.#pad = new DrawingPad(document.getElementById('pad'), {
      onInk: (timeStamp) => this.#predict(timeStamp),
      onStrokeEnd: () => this.#announcePredictionWhenReady(),
    });
    this.#bindControls();
    this.#requestRender();
  }

  /** Downloads the sample served beside the page, with progress, and decodes it in the worker. */
  start() {
    return this.#loadArchive(SAMPLE_URL, () => download(SAMPLE_URL, (received, total) => this.#view.dataProgress(SAMPLE_URL, received, total)));
  }

  #bindControls() {
    const on = (id, type, handler) => document.getElementById(id).addEventListener(type, handler);
    on('step-epoch', 'click', () => this.#enqueue(() => this.#train('trainEpoch')));
    on('step-batch', 'click', () => this.#enqueue(() => this.#train('trainBatch')));
    on('play', 'click', () => (this.#playing ? this.#pause() : this.#play()));
    on('reset', 'click', () => this.#reset());
    on('clear', 'click', () => this.#clearDrawing());
    on('copy-embed', 'click', () => this.#copyEmbedCode());
    on('data-file', 'change', ({ target }) => {
      if (target.files[0]) this.#loadFile(target.files[0]);
      target.value = '';  // choosing the same file again is a new choice
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
    return this.#loadArchive(file.name, () => readFile(file));
  }

  // The worker decodes the new archive before it lets go of the old one, so a bad file changes nothing.
  #loadArchive(name, readBytes) {
    this.#pause();
    return this.#enqueue(async () => {
      let loaded;
      try {
        const bytes = await readBytes();
        this.#view.dataDecoding(name, bytes.length);
        loaded = await this.#worker.call('loadSample', { bytes, options: runOptions(this.#settings) }, [bytes.buffer],
          ({ decoded, total }) => this.#view.dataDecodeProgress(decoded, total));
      } catch (error) {
        this.#view.dataError(name, error.message);
        return;
      }
      this.#view.dataLoaded(name, loaded.counts, loaded.decodeMs);
      if (!this.#run) this.#view.timings({ readyMs: performance.now(), decodeMs: loaded.decodeMs });
      this.#startRun(loaded);
    });
  }

  // --- training -----------------------------------------------------------------------------------------

  #startRun(snapshot) {
    this.#run = { initial: snapshot.validation, history: [], batch: null, trained: false, params: paramsOf(snapshot) };
    this.#view.runError(null);
    this.#view.timings({ trainMs: 0, trainEpochs: 0 });
    this.#requestRender();
    this.#predict();
  }

  // One request to the worker (trainEpoch or trainBatch), then the record and the page catch up.
  async #train(method) {
    const result = await this.#worker.call(method);
    const run = this.#run;
    run.trained = true;
    run.params = paramsOf(result);
    run.batch = result.epoch ? null : result.batch;  // mid-epoch progress, shown until the epoch ends
    if (result.epoch) {
      run.history.push(result.epoch);
      this.#view.announceEpoch(result.epoch);
      this.#view.timings({ trainMs: run.history.reduce((sum, r) => sum + r.ms, 0), trainEpochs: run.history.length });
    }
    this.#requestRender();
    this.#predict();
  }

  // Epochs until paused or the epoch target is reached; each one is a separate request, so Pause, a
  // stroke or a prediction never waits longer than one epoch.
  async #play() {
    const session = {};
    this.#playing = session;
    this.#requestRender();
    const start = performance.now();
    const from = this.#run.history.length;
    while (this.#playing === session && this.#run.history.length < this.#settings.epochs) {
      if (!(await this.#enqueue(() => this.#train('trainEpoch')))) break;
    }
    this.#view.timings({ playMs: performance.now() - start, playEpochs: this.#run.history.length - from });
    if (this.#playing === session) this.#pause();
  }

  #pause() {
    this.#playing = null;
    this.#requestRender();
  }

  #reset() {
    this.#pause();
    return this.#enqueue(async () => this.#startRun(await this.#worker.call('reset', { options: runOptions(this.#settings) })));
  }

  #changeSetting(name, value) {
    this.#settings = { ...this.#settings, [name]: value };
    history.replaceState(null, '', `?${toQuery(this.#settings)}`);
    this.#updateLinks();
    // Numbers on the page always belong to the settings shown: a new rate, batch size, seed... is a new run.
    if (property(name).restartsRun && this.#run) this.#reset();
    else this.#requestRender();
  }

  // Requests run in order; a failure (a diverged run, a dead worker) stops Play and is shown. Resolves to
  // whether the task succeeded.
  #enqueue(task) {
    const done = this.#queue.then(task).then(() => true, (error) => {
      this.#view.runError(error.message);
      this.#pause();
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
    if (this.#run) this.#view.renderWeights(this.#run.params.weights, this.#run.params.bias);
    this.#view.renderResults(this.#run, this.#settings);
    this.#view.runStatus(this.#run, this.#settings, Boolean(this.#playing));
    this.#view.setControls({
      ready: this.#run !== null,
      playing: Boolean(this.#playing),
      canPlay: this.#run !== null && this.#run.history.length < this.#settings.epochs,
    });
  }

  // --- drawing ------------------------------------------------------------------------------------------

  // One prediction request at a time: pen moves made while one is out are folded into one more request, so
  // the prediction never lags the pen by more than a round trip. `since` is the time of the earliest pen
  // event it answers (null when the model changed, not the drawing), for the drawing-to-prediction time.
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
        const ink = this.#pad.ink();
        const result = await this.#worker.call('predict', { ink, width: INK_SIDE, height: INK_SIDE }, [ink.buffer]);
        if (this.#pad.hasInk) prediction = { ...result, untrained: !this.#run?.trained };  // unless cleared meanwhile
      }
      state.last = prediction;
      this.#view.renderPrediction(prediction);
      if (since !== null) this.#view.timings({ predictMs: performance.now() - since });
    } catch (error) {
      this.#view.runError(error.message);
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

const paramsOf = ({ weights, bias }) => ({ weights, bias });

new Controller().start();
