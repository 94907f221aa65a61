import * as tf from '@tensorflow/tfjs-core';
import { customOp } from '../custom-op.js';
import { type AxisGeometry, type ConvGeometry, explicitPadding } from './geometry.js';

/*
 * Pieces shared by the convolution gradients. They use only forward kernels every backend has
 * (Conv2D, DepthwiseConv2dNative, MatMul, Pad, Reshape, Transpose), never the backprop kernels
 * the wasm backend lacks.
 */

type Pads4 = [[0, 0], [number, number], [number, number], [0, 0]];

/**
 * Spreads the output gradient back to input spacing: `stride - 1` zeros after every element, as one
 * pad per axis on a 3-D view (webgpu's Pad takes rank ≤ 4; scattering or stacking is 10x slower on wasm).
 */
export function spread(dy: tf.Tensor4D, strideH: number, strideW: number): tf.Tensor4D {
  const [n, h, w, c] = dy.shape;
  let out = dy;
  if (strideH > 1) {
    const rows = tf.pad(tf.reshape(out, [n * h, 1, w * c]), [[0, 0], [0, strideH - 1], [0, 0]]);
    out = tf.reshape(rows, [n, h * strideH, w, c]);
  }
  if (strideW > 1) {
    const cols = tf.pad(tf.reshape(out, [n * out.shape[1] * w, 1, c]), [[0, 0], [0, strideW - 1], [0, 0]]);
    out = tf.reshape(cols, [n, out.shape[1], w * strideW, c]);
  }
  return out;
}

/** Drops trailing rows / columns (a negative "after" pad), which cannot be expressed as padding. */
function dropTrailing(t: tf.Tensor4D, rows: number, cols: number): tf.Tensor4D {
  if (rows === 0 && cols === 0) return t;
  const [n, h, w, c] = t.shape;
  return tf.slice(t, [0, 0, 0, 0], [n, h - rows, w - cols, c]);
}

function inputGradPads(a: AxisGeometry): [number, number] {
  return [a.kernel - 1 - a.padBefore, a.input + a.padBefore - a.output * a.stride];
}

/**
 * The output gradient arranged so that a stride-1 convolution of it with the filter rotated by 180°
 * gives the input gradient: spread by the stride, then padded with the returned explicit padding.
 */
export function inputGradSource(dy: tf.Tensor4D, g: ConvGeometry): { source: tf.Tensor4D; pad: Pads4 } {
  const [top, bottom] = inputGradPads(g.height);
  const [left, right] = inputGradPads(g.width);
  const source = dropTrailing(spread(dy, g.height.stride, g.width.stride), Math.max(-bottom, 0), Math.max(-right, 0));
  return { source, pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]] };
}

/** Filter rotated by 180° in its two spatial axes. */
export function rotate180(filter: tf.Tensor4D): tf.Tensor4D {
  return tf.reverse(filter, [0, 1]);
}

function filterGradPads(a: AxisGeometry): [number, number] {
  return [a.padBefore, a.kernel + (a.output - 1) * a.stride - a.input - a.padBefore];
}

/**
 * The input arranged for a filter gradient computed as a convolution whose "filter" is the output
 * gradient, with dilation = stride: input rows the forward pass never read are dropped, and the
 * returned padding makes the result exactly kernel × kernel.
 */
export function filterGradSource<T extends tf.Tensor4D>(x: T, g: ConvGeometry): { source: tf.Tensor4D; pad: Pads4 } {
  const [top, bottom] = filterGradPads(g.height);
  const [left, right] = filterGradPads(g.width);
  const source = dropTrailing(x, Math.max(-bottom, 0), Math.max(-right, 0));
  return { source, pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]] };
}

type T4 = tf.Tensor4D;
type Forward = (x: T4, filter: T4, strides: [number, number], pad: Pads4) => T4;
type Grad = (a: T4, b: T4, g: ConvGeometry) => T4;

/**
 * A convolution whose gradient is `inputGrad(dy, filter)` and `filterGrad(x, dy)` instead of tfjs' own, each
 * computed only when wanted (a network's first convolution needs no gradient of its image).
 */
export function withConvGradient(x: T4, filter: T4, g: ConvGeometry, forward: Forward, inputGrad: Grad, filterGrad: Grad): T4 {
  return customOp(
    [x, filter],
    (save) => {
      save([x, filter]);
      return forward(x, filter, [g.height.stride, g.width.stride], explicitPadding(g));
    },
    (dy, saved) => {
      const [sx, sw] = saved as [T4, T4];
      return [() => inputGrad(dy, sw, g), () => filterGrad(sx, dy, g)];
    },
  );
}
