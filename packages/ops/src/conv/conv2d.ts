import * as tf from '@tensorflow/tfjs-core';
import { filterGradSource, inputGradSource, rotate180, withConvGradient } from './backprop.js';
import { guardBackend } from '../backend/abort.js';
import { simdKernels } from '../kernels/wasm-simd.js';
import { convGeometry, type ConvGeometry, explicitPadding, type Padding, type Size2 } from './geometry.js';
import { checkConvInput } from './validate.js';

export interface ConvOptions {
  /** Stride, one for both axes or `[height, width]`. Default 1. */
  stride?: Size2;
  /** Default `'same'`. */
  padding?: Padding;
}

/**
 * Standard convolution, NHWC input and `[kh, kw, inChannels, outChannels]` filter (rectangular
 * kernels allowed). Its gradient is built from forward convolutions, so it trains on every backend.
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, options: ConvOptions = {}): tf.Tensor4D {
  checkConvInput('conv2d', x, filter);
  const g = convGeometry([x.shape[1], x.shape[2]], [filter.shape[0], filter.shape[1]], options.stride ?? 1, options.padding);
  return guardBackend('conv2d', () =>
    withConvGradient(x, filter, g, (xs, w, strides, pad) => tf.conv2d(xs, w, strides, pad), conv2dInputGrad, conv2dFilterGrad),
  );
}

/** dx: stride-1 convolution of the spread output gradient with the rotated, in/out-swapped filter. */
function conv2dInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const { source, pad } = inputGradSource(dy, g);
  const flipped = tf.transpose(rotate180(filter), [0, 1, 3, 2]);
  return tf.conv2d(source, flipped, 1, pad);
}

/** On wasm, patches at most this wide go through im2col and one SIMD matrix product (a stem's: 3 × 3 × 3). */
const IM2COL_MAX = 128;

/**
 * dW. On wasm, for a narrow patch (a stem): every tap of every input channel becomes a channel of its own
 * (one depthwise convolution with one-hot filters), and dW = patchesᵀ · dy in one SIMD pass. Otherwise batch
 * and channels swap roles: the input as [Cin, H, W, N] is convolved with the output gradient as an
 * [Ho, Wo, N, Cout] filter, dilated by the stride, giving [Cin, kh, kw, Cout].
 */
function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [kh, kw, cin, taps] = [g.height.kernel, g.width.kernel, x.shape[3], g.height.kernel * g.width.kernel];
  const simd = simdKernels();
  if (simd && cin * taps <= IM2COL_MAX) {
    const pick: tf.Tensor4D = tf.tile(tf.reshape(tf.eye(taps), [kh, kw, 1, taps]), [1, 1, cin, 1]);
    const patches = tf.depthwiseConv2d(x, pick, [g.height.stride, g.width.stride], explicitPadding(g));
    const [n, ho, wo, cout] = dy.shape;
    const rows = n * ho * wo;
    const grad = simd.matMulTN(tf.reshape(patches, [rows, cin * taps]), tf.reshape(dy, [rows, cout]));
    return tf.transpose(tf.reshape(grad, [cin, kh, kw, cout]), [1, 2, 0, 3]);
  }
  const { source, pad } = filterGradSource(x, g);
  const images = tf.transpose(source, [3, 1, 2, 0]);
  const kernel = tf.transpose(dy, [1, 2, 0, 3]);
  const grad = tf.conv2d(images, kernel, 1, pad, 'NHWC', [g.height.stride, g.width.stride]);
  return tf.transpose(grad, [1, 2, 0, 3]);
}
