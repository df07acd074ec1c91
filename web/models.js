// The chapter's trainable models as the page knows them: the engine's facts about each (facts.js, which
// scripts/build-site writes from the engine), and how the page describes their parameter files (the layout
// of the reference files and of `mnist-sgd --save-params`).
import { FACTS } from './facts.js';

export const { imageSide: IMAGE_SIDE, inputs: PIXELS } = FACTS;

const LAYOUTS = {
  linear: () => `the ${PIXELS} weights in pixel order, then the bias`,
  simple_net: ({ units }) => `w1 as ${units} rows of ${PIXELS}, then b1 (${units}), w2 (${units}) and b2`,
};

/** By name: {name, units (28x28 maps of first-layer weights), paramCount, book: {lr, epochs}, defaultInit, layout}. */
export const MODELS = Object.freeze(Object.fromEntries(Object.entries(FACTS.models).map(([name, facts]) =>
  [name, Object.freeze({ name, ...facts, book: Object.freeze({ ...facts.book }), layout: LAYOUTS[name](facts) })])));

export const MODEL_NAMES = Object.freeze(Object.keys(MODELS));

/** The bias of the linear model's parameters (its last, after the weights). */
export const linearBias = (params) => params[PIXELS];

/** The first layer's weights of a model's parameters: PIXELS per unit, unit by unit (both layouts start with them). */
export const inputWeights = (model, params) => params.subarray(0, MODELS[model].units * PIXELS);
