// The chapter's trainable models as the page knows them: what the book trains each with, and how big its
// parameter file is (the layout of the reference files and of `mnist-sgd --save-params`).
export const MODELS = Object.freeze({
  linear: Object.freeze({
    name: 'linear',
    label: 'the linear model (784 → 1)',
    units: 1,  // 28x28 maps of first-layer weights
    paramCount: 785,
    layout: 'the 784 weights in pixel order, then the bias',
    book: Object.freeze({ lr: 1, epochs: 20 }),
  }),
  simple_net: Object.freeze({
    name: 'simple_net',
    label: 'simple_net (784 → 30 → 1, ReLU)',
    units: 30,
    paramCount: 23581,
    layout: 'w1 as 30 rows of 784, then b1 (30), w2 (30) and b2',
    book: Object.freeze({ lr: 0.1, epochs: 40 }),
  }),
});

export const MODEL_NAMES = Object.freeze(Object.keys(MODELS));

/** The bias of the linear model's 785 parameters (its last). */
export const linearBias = (params) => params[784];

/** The first layer's weights of a model's parameters: 784 per unit, unit by unit (both layouts start with them). */
export const inputWeights = (model, params) => params.subarray(0, MODELS[model].units * 784);
