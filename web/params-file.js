// The parameters as a text file, in the format of the reference files and of `mnist-sgd --save-params`:
// 785 lines, the 784 weights in pixel order and then the bias, one number a line, written as C's "%.9g"
// (9 significant digits bring every float32 back bit for bit). numpy.loadtxt reads it and numpy.savetxt
// writes a file this reads, so parameters travel between the page, a notebook and the command line.
// The parser says what the engine's parse_params says about the same bad file.

export const PARAM_COUNT = 785;
export const FILE_NAME = 'params.txt';
const MAX_BYTES = 1024 * 1024;  // a parameters file is about 10 KB; anything this big is the wrong file

// What strtof reads, less its hex, "inf" and "nan" forms: a file with those is not one to import.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** 784 weights and the bias -> the file's text (trailing newline included). */
export function formatParams(weights, bias) {
  let text = '';
  for (const value of weights) text += `${formatG9(value)}\n`;
  return `${text}${formatG9(bias)}\n`;
}

/** C's printf("%.9g", x) for a finite number: the same text, so the page and the CLI write the same file. */
export function formatG9(value) {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // toExponential(8) would round an exact tie away from zero, printf rounds it to even: so take enough
  // digits to see a tie (101 significant digits: every float32 but the subnormals exactly) and round here.
  const [digits, exponentText] = Math.abs(value).toExponential(100).split('e');
  const all = digits.replace('.', '');
  let head = Number(all.slice(0, 9));
  let exponent = Number(exponentText);
  const rest = all.slice(9);
  const tie = rest[0] === '5' && !/[1-9]/.test(rest.slice(1));
  if (rest[0] > '5' || (rest[0] === '5' && !tie) || (tie && head % 2 === 1)) head += 1;
  if (head === 1e9) [head, exponent] = [1e8, exponent + 1];
  const sign = value < 0 ? '-' : '';
  const mantissa = String(head);  // 9 digits
  if (exponent < -4 || exponent >= 9) {
    const power = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    return `${sign}${stripZeros(`${mantissa[0]}.${mantissa.slice(1)}`)}e${power}`;
  }
  const fixed = exponent >= 0
    ? `${mantissa.slice(0, exponent + 1)}.${mantissa.slice(exponent + 1)}`  // exponent 8: "123456789."
    : `0.${'0'.repeat(-exponent - 1)}${mantissa}`;
  return `${sign}${stripZeros(fixed)}`;
}

const stripZeros = (text) => text.replace(/\.?0*$/, '');  // every caller's text has a '.'

/**
 * The file's text -> 785 float32 values. Throws an Error whose message names the first problem: a line
 * that is not a finite float32, or the wrong count. Blank lines and spaces around a number are allowed.
 */
export function parseParams(text) {
  const values = new Float32Array(PARAM_COUNT);
  let count = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();  // also drops the \r of Windows line ends and a byte-order mark
    if (!line) continue;
    if (count === PARAM_COUNT) throw new Error(`expected ${PARAM_COUNT} numbers, found more (line ${i + 1})`);
    const value = Math.fround(Number(line));  // a number too large for a float32 becomes Infinity here
    if (!DECIMAL.test(line) || !Number.isFinite(value)) throw new Error(`line ${i + 1}: '${line.slice(0, 40)}' is not a finite number`);
    values[count++] = value;
  }
  if (count !== PARAM_COUNT) throw new Error(`expected ${PARAM_COUNT} numbers, found ${count}`);
  return values;
}

/** A File the learner chose -> its 785 values, or an Error saying why it is not a parameters file. */
export async function readParamsFile(file) {
  if (file.size === 0) throw new Error('the file is empty');
  if (file.size > MAX_BYTES) throw new Error(`the file is larger than ${MAX_BYTES >> 20} MB (a parameters file is about 10 KB)`);
  return parseParams(await file.text());
}

/**
 * Offers the parameters as a download named params.txt. A blob: URL is same-origin, and following a link
 * is a navigation, not a fetch, so the page's Content-Security-Policy lets it through.
 */
export function downloadParams(weights, bias) {
  const url = URL.createObjectURL(new Blob([formatParams(weights, bias)], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = FILE_NAME;
  link.click();
  // The download has its own reference to the data once it has started; free ours soon after.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
