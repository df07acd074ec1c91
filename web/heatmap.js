// Small images painted from plain arrays: 28x28 signed values (the weights, a drawing's weight x pixel)
// in a diverging palette, its legend, and 28x28 digits. Each paints one ImageData at 1 pixel per value;
// CSS scales it up (image-rendering: pixelated), as TensorFlow Playground's heatmap does.
import { IMAGE_SIDE as SIDE } from './models.js';

// ColorBrewer PuOr (11 classes), from purple to orange: safe for the common forms of colour blindness and
// in greyscale print the two ends stay distinguishable from the white middle.
const PU_OR = ['#2d004b', '#542788', '#8073ac', '#b2abd2', '#d8daeb', '#f7f7f7', '#fee0b6', '#fdb863', '#e08214', '#b35806', '#7f3b08']
  .map((hex) => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)));

/** t in [-1, 1] -> [r, g, b]: -1 purple (pushes toward "7"), 0 white, +1 orange (pushes toward "3"). */
export function diverging(t) {
  const position = ((Math.max(-1, Math.min(1, t)) + 1) / 2) * (PU_OR.length - 1);
  const low = Math.min(Math.floor(position), PU_OR.length - 2);
  const f = position - low;
  return PU_OR[low].map((channel, i) => Math.round(channel + f * (PU_OR[low + 1][i] - channel)));
}

/**
 * Paints an image's worth of signed values (pixel order) on a 28x28 canvas, 0 white and the sign as the hue; returns the
 * scale used, which the palette's ends stand for: the largest |value| unless given.
 */
export function paintDiverging(canvas, values, scale = largestMagnitude(values)) {
  paint(canvas, SIDE, SIDE, (i) => diverging(scale > 0 ? values[i] / scale : 0));
  return scale;
}

export function largestMagnitude(values) {
  let largest = 0;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  return largest;
}

/** Paints the palette from -1 (left) to +1 (right) on a canvas one pixel tall. */
export function paintLegend(canvas) {
  const width = canvas.width;
  paint(canvas, width, 1, (x) => diverging((2 * x) / (width - 1) - 1));
}

/** Paints an image (0 paper, 1 ink) as dark ink on white, like the pad; null paints blank paper. */
export function paintDigit(canvas, image) {
  paint(canvas, SIDE, SIDE, (i) => {
    const shade = Math.round(255 * (1 - (image ? image[i] : 0)));
    return [shade, shade, shade];
  });
}

function paint(canvas, width, height, colourOf) {
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    pixels.data.set(colourOf(i), 4 * i);
    pixels.data[4 * i + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
}
