import { OpsInputError } from '../errors.js';

/**
 * How a convolution pads its input.
 * - `'same'`: TensorFlow's SAME (output = ceil(input / stride); an odd total pad puts the extra row at the bottom).
 * - `'valid'`: no padding.
 * - a number `p`: `p` zeros on every side, as PyTorch's `padding=p` (MobileNets in PyTorch use `kernel >> 1`).
 * - `[ph, pw]`: each axis on its own, with any of the above (`[1, 0]`: one row above and below).
 */
export type AxisPadding = 'same' | 'valid' | number;
export type Padding = AxisPadding | readonly [AxisPadding, AxisPadding];

/** A size or stride given once for both axes, or as `[height, width]`. */
export type Size2 = number | readonly [number, number];

export interface AxisGeometry {
  /** Input length along the axis. */
  readonly input: number;
  readonly kernel: number;
  readonly stride: number;
  /** Zeros added before the first input element. */
  readonly padBefore: number;
  /** Zeros added after the last input element (may leave trailing input unused). */
  readonly padAfter: number;
  readonly output: number;
}

export interface ConvGeometry {
  readonly height: AxisGeometry;
  readonly width: AxisGeometry;
}

export function pair(v: Size2, what: string): [number, number] {
  const [a, b] = typeof v === 'number' ? [v, v] : v;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b < 1) {
    throw new OpsInputError(`${what} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [a, b];
}

function axis(input: number, kernel: number, stride: number, padding: AxisPadding): AxisGeometry {
  let padBefore: number;
  let padAfter: number;
  let output: number;
  if (padding === 'same') {
    output = Math.ceil(input / stride);
    const total = Math.max((output - 1) * stride + kernel - input, 0);
    padBefore = Math.floor(total / 2);
    padAfter = total - padBefore;
  } else {
    const p = padding === 'valid' ? 0 : padding;
    if (!Number.isInteger(p) || p < 0 || p >= kernel) {
      throw new OpsInputError(`padding must be an integer in [0, kernel - 1] = [0, ${kernel - 1}], got ${p}`);
    }
    padBefore = p;
    padAfter = p;
    output = Math.floor((input + 2 * p - kernel) / stride) + 1;
  }
  if (output < 1) {
    throw new OpsInputError(`input length ${input} is smaller than the kernel ${kernel} with padding ${padding}`);
  }
  return { input, kernel, stride, padBefore, padAfter, output };
}

/** Output size and padding of a 2-D convolution, the same rule for every op and the cost model. */
export function convGeometry(
  inputSize: Size2,
  kernel: Size2,
  stride: Size2,
  padding: Padding = 'same',
): ConvGeometry {
  const [h, w] = pair(inputSize, 'inputSize');
  const [kh, kw] = pair(kernel, 'kernel');
  const [sh, sw] = pair(stride, 'stride');
  const [ph, pw] = typeof padding === 'object' ? padding : [padding, padding];
  return { height: axis(h, kh, sh, ph), width: axis(w, kw, sw, pw) };
}

/** The padding of `geometry` in the explicit form tfjs convolutions take. */
export function explicitPadding(g: ConvGeometry): [[0, 0], [number, number], [number, number], [0, 0]] {
  return [[0, 0], [g.height.padBefore, g.height.padAfter], [g.width.padBefore, g.width.padAfter], [0, 0]];
}
