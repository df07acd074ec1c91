// Sharing: the link from an embedded page to the full page, and the live regions that announce training
// and predictions to screen readers.
import { predictionSentence } from '../format.js';
import { PANEL_NAMES } from '../panels.js';
import { toQuery } from '../settings.js';
import { elements, setText } from './dom.js';

export class ShareView {
  #el = elements(['open-full', 'announce-training', 'announce-prediction']);
  #announced = 0;  // the serial of the prediction announced last

  /** From the page state: settings and announcements. */
  render({ settings, announcements }) {
    const el = this.#el;
    // The same run, on the whole page.
    const fullPage = `?${toQuery({ ...settings, embed: false, panels: PANEL_NAMES })}`;
    if (el['open-full'].getAttribute('href') !== fullPage) el['open-full'].href = fullPage;
    const { epoch: record, prediction } = announcements;
    setText(el['announce-training'], record ? `Epoch ${record.epoch}: validate_epoch ${record.validateEpoch.toFixed(4)}, ` +
      `accuracy ${record.accuracy.toFixed(4)}, training loss ${record.trainLoss.toFixed(4)}.` : '');
    // Written even when the words are the same as last time: a new stroke is announced again.
    if (prediction.serial !== this.#announced) {
      this.#announced = prediction.serial;
      el['announce-prediction'].textContent = prediction.said?.probability == null ? '' : predictionSentence(prediction.said);
    }
  }
}
