import * as tf from '@tensorflow/tfjs-core';
import { OpsInputError } from '../errors.js';
import { conv2d, type ConvOptions } from './conv2d.js';
import { depthwiseConv2d } from './depthwise.js';
import { pair } from './geometry.js';
import { pointwiseConv2d } from './pointwise.js';
import { checkConvInput, checkTensor } from './validate.js';

/**
 * Depthwise-separable convolution (MobileNetV1): a depthwise `[kh, kw, in, 1]` convolution, then a
 * pointwise `[1, 1, in, out]` one. The stride and padding apply to the depthwise step.
 */
export function separableConv2d(
  x: tf.Tensor4D,
  depthwiseFilter: tf.Tensor4D,
  pointwiseFilter: tf.Tensor4D,
  options: ConvOptions = {},
): tf.Tensor4D {
  checkConvInput('separableConv2d', x, depthwiseFilter);
  checkConvInput('separableConv2d', x, pointwiseFilter);
  return tf.tidy(() => pointwiseConv2d(depthwiseConv2d(x, depthwiseFilter, options), pointwiseFilter));
}

/**
 * Spatially separable convolution: a k×1 convolution `[k, 1, in, mid]`, then a 1×k one
 * `[1, k, mid, out]`. The stride and padding of each axis go to the step that spans it.
 */
export function spatialSeparableConv2d(
  x: tf.Tensor4D,
  verticalFilter: tf.Tensor4D,
  horizontalFilter: tf.Tensor4D,
  options: ConvOptions = {},
): tf.Tensor4D {
  checkConvInput('spatialSeparableConv2d', x, verticalFilter);
  checkTensor('spatialSeparableConv2d', 'horizontalFilter', horizontalFilter, 4);
  if (horizontalFilter.shape[2] !== verticalFilter.shape[3]) {
    throw new OpsInputError(
      `spatialSeparableConv2d: horizontalFilter [${horizontalFilter.shape.join(', ')}] does not take the ${verticalFilter.shape[3]} channels verticalFilter [${verticalFilter.shape.join(', ')}] makes`,
    );
  }
  const [sh, sw] = pair(options.stride ?? 1, 'stride');
  const padding = options.padding ?? 'same';
  const [ph, pw] = typeof padding === 'object' ? padding : [padding, padding];
  return tf.tidy(() => {
    const vertical = conv2d(x, verticalFilter, { stride: [sh, 1], padding: [ph, 0] });
    return conv2d(vertical, horizontalFilter, { stride: [1, sw], padding: [0, pw] });
  });
}
