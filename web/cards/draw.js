// The "Draw a 3 or a 7" card, but for the pad's own strokes (drawing-pad.js): the 28x28 image the model
// sees, its prediction, and for the linear model why: each pixel's weight x pixel.
import { percent, predictionSentence, signed } from '../format.js';
import { paintDigit, paintDiverging, paintLegend } from '../heatmap.js';
import { engineSentence } from '../unsupported.js';
import { elements, setText } from './dom.js';

export class DrawCard {
  #el = elements(['preview', 'prediction', 'prediction-digit', 'prediction-text', 'prediction-bar', 'prediction-note',
    'contrib', 'contrib-map', 'contrib-legend-bar', 'contrib-min', 'contrib-max', 'contrib-sum']);
  #shown;  // the prediction drawn last
  #problemShown = null;
  #legendPainted = false;  // painted when the contributions are first shown, not while the page starts

  /** prediction: the page state's (null: no ink); problem: its engineProblem (unsupported.js). */
  render({ prediction, problem }) {
    if (prediction === this.#shown && problem === this.#problemShown) return;
    this.#shown = prediction;
    this.#problemShown = problem;
    const el = this.#el;
    if (problem) {
      setText(el['prediction-text'], engineSentence(problem).drawing);
      return;
    }
    paintDigit(el.preview, prediction?.image ?? null);
    this.#renderContributions(prediction?.contributions ? prediction : null);
    const { digit, text, note, p } = describePrediction(prediction);
    setText(el['prediction-digit'], digit);
    setText(el['prediction-text'], text);
    setText(el['prediction-note'], note);
    el.prediction.classList.toggle('untrained', Boolean(prediction?.untrained));
    el['prediction-bar'].style.width = p === null ? '0' : percent(p);
  }

  // Each pixel's w * x, in the weights' palette: where the drawing meets positive or negative weights.
  #renderContributions(prediction) {
    const el = this.#el;
    el.contrib.hidden = !prediction;
    if (!prediction) return;
    if (!this.#legendPainted) {
      paintLegend(el['contrib-legend-bar']);
      this.#legendPainted = true;
    }
    const { contributions, sum, bias } = prediction;
    const scale = paintDiverging(el['contrib-map'], contributions);
    setText(el['contrib-min'], `−${scale.toFixed(2)}`);
    setText(el['contrib-max'], `+${scale.toFixed(2)}`);
    const z = sum + bias;
    setText(el['contrib-sum'], `The map adds up to ${signed(sum, 2)}; plus the bias ${signed(bias, 2)}, that is ` +
      `the model's z = ${signed(z, 2)}. z > 0 means “3” and z < 0 means “7”, so this is a ${z > 0 ? 3 : 7}.`);
  }
}

function describePrediction(prediction) {
  if (!prediction) return { digit: '?', text: 'Draw a digit to see the model\'s guess.', note: '', p: null };
  if (prediction.probability === null) {
    return { digit: '?', text: 'No model yet: the dataset is still loading.', note: '', p: null };
  }
  const p = prediction.probability;
  return {
    digit: p > 0.5 ? '3' : '7',
    text: `${predictionSentence({ probability: p, untrained: false })}. P(3) = ${p.toFixed(3)}; above 0.5 means 3.`,
    note: prediction.untrained ? 'Untrained model: its weights are still random, so this is a guess. Train it first.' : '',
    p,
  };
}
