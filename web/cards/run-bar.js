// The compact run control: for panels shown without the Data or the Train card (?panels=draw, say), one
// line that says how the data is loading and where the run stands, and the run's buttons the panels need
// (panels.js). Hidden on the whole page, and when it has nothing to say.
import { runBarFor, wholePage } from '../panels.js';
import { elements, setText } from './dom.js';
import { pretrainingStatus, renderRunButtons } from './train.js';

// The run's buttons it repeats, each as `bar-` and the Train card's id.
export const BUTTONS = ['step-epoch', 'step-batch', 'play', 'reset'];

export class RunBar {
  #el = elements(['run-bar', 'bar-status', 'bar-error', ...BUTTONS.map((id) => `bar-${id}`)]);

  /** From the page state: settings (its panels), data, ready, run, playing, pretraining and runError. */
  render(state) {
    const { settings, data, ready, run, playing, pretraining, runError } = state;
    const el = this.#el;
    const shows = runBarFor(settings.panels);
    const loading = shows.data && !ready && !data.error;
    const status = pretraining ? pretrainingStatus(pretraining) : loading ? 'Loading the MNIST sample…' : shows.run && run ? runStatus(run, playing) : '';
    const error = shows.data && data.error ? `Could not load the data: ${data.error.message}.`
      : shows.run && runError ? `Training stopped: ${runError}.` : '';
    el['run-bar'].hidden = wholePage(settings.panels) || (!status && !error && !shows.buttons.length);
    if (el['run-bar'].hidden) return;
    setText(el['bar-status'], status);
    el['bar-status'].hidden = !status;
    setText(el['bar-error'], error);
    el['bar-error'].hidden = !error;
    for (const id of BUTTONS) el[`bar-${id}`].hidden = !shows.buttons.includes(id);
    renderRunButtons(el, state, 'bar-');
  }
}

// Where the run stands, in a line: the panels beside it show the rest.
function runStatus(run, playing) {
  const done = run.history.length;
  const { accuracy } = run.history.at(-1) ?? run.initial;
  const where = run.batch ? `Epoch ${run.batch.epoch}, batch ${run.batch.batch} of ${run.batch.batchesPerEpoch}`
    : done ? `After ${done} epoch${done > 1 ? 's' : ''}` : run.importedFrom ? `From ${run.importedFrom}` : 'Untrained (random weights)';
  return `${where}: validation accuracy ${accuracy.toFixed(4)}${playing ? ' · training…' : ''}`;
}
