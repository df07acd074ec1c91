// The parameters as a file, in the format of the reference files and of `mnist-sgd --save-params`: one
// number a line, as C's "%.9g" writes it (9 significant digits bring every float32 back bit for bit), which
// numpy.loadtxt reads and numpy.savetxt can write. The engine writes the text (Trainer.paramsText); this
// module reads it, saying what the engine's parse_params says about the same bad file, and carries files
// between the learner and the page.

export const FILE_NAME = 'params.txt';
const MAX_BYTES = 1024 * 1024;  // simple_net's file is 320 KB as %.9g, 610 KB as numpy's %.18e: anything bigger is wrong

// What strtof reads, less its hex, "inf" and "nan" forms: a file with those is not one to import.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * The file's text -> `count` float32 values (785 for the linear model, 23,581 for simple_net). Throws an
 * Error whose message names the first problem: a line that is not a finite float32, or the wrong count.
 * Blank lines, spaces around a number and a byte-order mark are allowed.
 */
export function parseParams(text, count) {
  const values = new Float32Array(count);
  let found = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    // As parse_params does: spaces, tabs and the \r of Windows line ends around a number, and a byte-order
    // mark before the first line, are not part of it.
    const line = (i === 0 ? lines[i].replace(/^\uFEFF/, '') : lines[i]).replace(/^[ \t\r\f\v]+|[ \t\r\f\v]+$/g, '');
    if (!line) continue;
    if (found === count) throw new Error(`expected ${count} numbers, found more (line ${i + 1})`);
    const value = Math.fround(Number(line));  // a number too large for a float32 becomes Infinity here
    if (!DECIMAL.test(line) || !Number.isFinite(value)) throw new Error(`line ${i + 1}: '${line.slice(0, 40)}' is not a finite number`);
    values[found++] = value;
  }
  if (found !== count) throw new Error(`expected ${count} numbers, found ${found}`);
  return values;
}

/** A File the learner chose -> its `count` values, or an Error saying why it is not a parameters file. */
export async function readParamsFile(file, count) {
  if (file.size === 0) throw new Error('the file is empty');
  if (file.size > MAX_BYTES) throw new Error(`the file is larger than ${MAX_BYTES >> 20} MB (a parameters file is at most about 650 KB)`);
  return parseParams(await file.text(), count);
}

/**
 * Offers the text as a download named params.txt. A blob: URL is same-origin, and following a link is a
 * navigation, not a fetch, so the page's Content-Security-Policy lets it through.
 */
export function downloadParams(text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = FILE_NAME;
  link.click();
  // The download has its own reference to the data once it has started; free ours soon after.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
