// Sharing: the compact embed mode, the link to the full page and the embed code, and the live regions
// that announce training and predictions to screen readers.
import { predictionSentence } from '../format.js';
import { toQuery } from '../settings.js';
import { elements, setText } from './dom.js';

export class ShareView {
  #el = elements(['open-full', 'embed-code', 'embed-status', 'announce-training', 'announce-prediction']);
  #embedCode = null;  // the one shown
  #announced = 0;  // the serial of the prediction announced last

  /** From the page state: settings, embedCode ({snippet, copied}) and announcements. */
  render({ settings, embedCode, announcements }) {
    const el = this.#el;
    document.documentElement.classList.toggle('embed', settings.embed);
    const fullPage = `?${toQuery(settings, { embed: false })}`;
    if (el['open-full'].getAttribute('href') !== fullPage) el['open-full'].href = fullPage;
    if (embedCode && embedCode !== this.#embedCode) {
      this.#embedCode = embedCode;
      const box = el['embed-code'];
      box.hidden = false;
      box.value = embedCode.snippet;
      setText(el['embed-status'], embedCode.copied ? 'Copied to the clipboard.' : 'Select the code below and copy it.');
      if (!embedCode.copied) box.select();
    }
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
