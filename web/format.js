// Numbers and words as the page writes them, from plain data. Thousands are grouped by hand: the first
// toLocaleString() call loads the browser's locale data, tens of milliseconds while the page is starting.

/** 12396 -> "12,396" */
export const count = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** 0.973 -> "97%" */
export const percent = (p) => `${Math.round(100 * p)}%`;

/** -1.5 -> "−1.50": a real minus sign. */
export const signed = (x, places) => `${x < 0 ? '−' : ''}${Math.abs(x).toFixed(places)}`;

/** A run's settings in a few words: "simple_net, lr 0.1, batch 256, seed 42". */
export function describeSettings({ model, lr, batchSize, seed, shuffle, init }) {
  const parts = [model, `lr ${lr}`, `batch ${batchSize}`, `seed ${seed}`];
  if (init !== 'default') parts.push(`init ${init}`);
  if (shuffle) parts.push('shuffled');
  return parts.join(', ');
}

/** Where a run's model is ({batch, epoch, importedFrom}, page-state.js): "the model after epoch 3"... */
export function describeModel({ batch, epoch, importedFrom }) {
  if (batch) return `the model after batch ${batch.batch} of epoch ${batch.epoch}`;
  if (epoch) return `the model after epoch ${epoch}`;
  return importedFrom ? `the model imported from ${importedFrom}` : 'the untrained model';
}

/** "Prediction: 3 (97%)", as the live region says it. */
export function predictionSentence({ probability, untrained }) {
  const digit = probability > 0.5 ? '3' : '7';
  const sure = probability > 0.5 ? probability : 1 - probability;
  return `Prediction: ${digit} (${percent(sure)})${untrained ? ', by the untrained model' : ''}`;
}
