// The "The weights" card: the first layer's weights as 28x28 maps (one for the linear model, one per hidden
// unit of simple_net), their scale and the bias; and the parameters as a file: its buttons and what the
// last export or import did.
import { count, describeModel } from '../format.js';
import { paintDiverging, paintLegend } from '../heatmap.js';
import { IMAGE_SIDE, MODELS, PIXELS, inputWeights, linearBias } from '../models.js';
import { elements, setText } from './dom.js';

export class WeightsCard {
  #el = elements(['weights-map', 'units-grid', 'weights-linear', 'weights-simple-net', 'legend-bar', 'legend-min',
    'legend-max', 'bias', 'export-params', 'import-params', 'params-status', 'params-error']);
  #painted = null;  // the parameters the maps show
  #legendPainted = false;

  /** From the page state: ready, run (its params: {model, params}) and paramsFile. */
  render({ ready, run, paramsFile }) {
    const el = this.#el;
    if (!this.#legendPainted) {
      paintLegend(el['legend-bar']);
      this.#legendPainted = true;
    }
    if (run && run.params !== this.#painted) {
      this.#painted = run.params;
      this.#renderWeights(run.params);
    }
    el['export-params'].disabled = el['import-params'].disabled = !ready;
    el['params-error'].hidden = !paramsFile?.failed;
    setText(el['params-error'], paramsFile?.failed ? `Could not import ${paramsFile.failed}: ${paramsFile.message}. The parameters are unchanged.` : '');
    if (paramsFile?.saved) {
      const { paramCount, layout } = MODELS[paramsFile.position.model];
      setText(el['params-status'], `Saved ${paramsFile.saved}: the parameters of ${describeModel(paramsFile.position)}, ${count(paramCount)} lines (${layout}).`);
    } else if (paramsFile?.imported) {
      const v = paramsFile.validation;  // the imported model's, which is epoch 0 of the new run
      setText(el['params-status'], `Imported ${paramsFile.imported}: validate_epoch ${v.validateEpoch.toFixed(4)}, ` +
        `accuracy ${v.accuracy.toFixed(4)} (${count(v.correct)} / ${count(v.count)}). Training goes on from here.`);
    }
  }

  #renderWeights({ model, params }) {
    const el = this.#el;
    const weights = inputWeights(model, params);
    const linear = model === 'linear';
    el['weights-map'].hidden = el['weights-linear'].hidden = !linear;
    el['units-grid'].hidden = el['weights-simple-net'].hidden = linear;
    let scale = 0;
    for (const w of weights) scale = Math.max(scale, Math.abs(w));
    if (linear) {
      paintDiverging(el['weights-map'], weights, scale);
      el.bias.textContent = `Bias b = ${linearBias(params).toFixed(3)}. Colours span ±${scale.toFixed(2)}, the largest weight now.`;
    } else {
      this.#paintUnits(weights);
      el.bias.textContent = `${MODELS[model].units} hidden units, one map each. Each map is on its own scale, ` +
        `its largest weight at the palette's end, so that weak units show their shape too; the legend's ends are the ` +
        `largest weight of any unit, ±${scale.toFixed(2)}.`;
    }
    el['legend-min'].textContent = `−${scale.toFixed(2)}`;
    el['legend-max'].textContent = `+${scale.toFixed(2)}`;
  }

  #paintUnits(weights) {
    const grid = this.#el['units-grid'];
    const units = weights.length / PIXELS;
    while (grid.children.length < units) {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = IMAGE_SIDE;
      canvas.className = 'unit-map';
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `Hidden unit ${grid.children.length + 1}: its ${PIXELS} weights as a ${IMAGE_SIDE}×${IMAGE_SIDE} map`);
      grid.append(canvas);
    }
    [...grid.children].forEach((canvas, unit) => {
      canvas.hidden = unit >= units;
      if (unit < units) paintDiverging(canvas, weights.subarray(unit * PIXELS, (unit + 1) * PIXELS));
    });
  }
}
