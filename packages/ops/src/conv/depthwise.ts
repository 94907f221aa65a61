import * as tf from '@tensorflow/tfjs-core';
import { OpsInputError } from '../errors.js';
import { simdKernels } from '../kernels/wasm-simd.js';
import { filterGradSource, inputGradSource, rotate180, withConvGradient } from './backprop.js';
import type { ConvOptions } from './conv2d.js';
import { convGeometry, type ConvGeometry } from './geometry.js';
import { guardBackend } from '../backend/abort.js';
import { checkConvInput } from './validate.js';

/**
 * Depthwise convolution (channel multiplier 1, as in every MobileNet): NHWC input and a
 * `[kh, kw, channels, 1]` filter. Its gradient uses only depthwise forward convolutions.
 */
export function depthwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, options: ConvOptions = {}): tf.Tensor4D {
  checkConvInput('depthwiseConv2d', x, filter);
  if (filter.shape[3] !== 1) {
    throw new OpsInputError(`depthwiseConv2d: the filter's channel multiplier must be 1, got [${filter.shape.join(', ')}]`);
  }
  const g = convGeometry([x.shape[1], x.shape[2]], [filter.shape[0], filter.shape[1]], options.stride ?? 1, options.padding);
  return guardBackend('depthwiseConv2d', () =>
    withConvGradient(x, filter, g, (xs, w, strides, pad) => tf.depthwiseConv2d(xs, w, strides, pad), depthwiseInputGrad, depthwiseFilterGrad),
  );
}

function depthwiseInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const { source, pad } = inputGradSource(dy, g);
  return tf.depthwiseConv2d(source, rotate180(filter), 1, pad);
}

/**
 * dW. On wasm, a SIMD kernel (kernels/simd.c) sums x · dy over every tap in one pass. Elsewhere, one depthwise
 * convolution: the input as a single image of N·C channels, [1, H, W, N·C], filtered by the output gradient as
 * an [Ho, Wo, N·C, 1] filter dilated by the stride, gives [1, kh, kw, N·C]; summing over N leaves [kh, kw, C].
 * (On wasm that filter, far larger than XNNPACK's depthwise kernels take, falls to a grouped matrix product
 * that packs ~8 copies of dy: seconds per layer at batch 16 on 56×56 maps, against ~30 ms for the kernel.)
 */
function depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const simd = simdKernels();
  if (simd) return simd.depthwiseFilterGrad(x, dy, g);
  const { source, pad } = filterGradSource(x, g);
  const [n, h, w, c] = source.shape;
  const image: tf.Tensor4D = tf.reshape(tf.transpose(source, [1, 2, 0, 3]), [1, h, w, n * c]);
  const [, ho, wo] = dy.shape;
  const kernel: tf.Tensor4D = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [ho, wo, n * c, 1]);
  const perSample = tf.depthwiseConv2d(image as tf.Tensor4D, kernel, 1, pad, 'NHWC', [g.height.stride, g.width.stride]);
  const kh = g.height.kernel;
  const kw = g.width.kernel;
  return tf.reshape(tf.sum(tf.reshape(perSample, [kh * kw, n, c]), 1), [kh, kw, c, 1]);
}
