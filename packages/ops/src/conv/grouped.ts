import * as tf from '@tensorflow/tfjs-core';
import { OpsInputError } from '../errors.js';
import { conv2d, type ConvOptions } from './conv2d.js';
import { depthwiseConv2d } from './depthwise.js';
import { guardBackend } from '../backend/abort.js';
import { checkConvInput, checkTensor } from './validate.js';

/**
 * Grouped convolution: the channels are cut into `groups` groups, each convolved with its own slice of
 * the `[kh, kw, in / groups, out]` filter (PyTorch's `groups`). `groups = 1` is a standard
 * convolution; `groups = in = out` is a depthwise convolution.
 */
export function groupedConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  groups: number,
  options: ConvOptions = {},
): tf.Tensor4D {
  checkTensor('groupedConv2d', 'x', x, 4);
  checkTensor('groupedConv2d', 'filter', filter, 4);
  const inChannels = x.shape[3];
  const outChannels = filter.shape[3];
  if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new OpsInputError(
      `groupedConv2d: groups (${groups}) must be a positive integer dividing both ${inChannels} input and ${outChannels} output channels`,
    );
  }
  checkConvInput('groupedConv2d', x, filter, groups);
  if (groups === 1) return conv2d(x, filter, options);
  if (groups === inChannels && outChannels === inChannels) {
    return tf.tidy(() => depthwiseConv2d(x, tf.reshape(filter, [filter.shape[0], filter.shape[1], inChannels, 1]), options));
  }
  return guardBackend('groupedConv2d', () =>
    tf.tidy(() => {
      const xs = tf.split(x, groups, 3) as tf.Tensor4D[];
      const fs = tf.split(filter, groups, 3) as tf.Tensor4D[];
      return tf.concat(xs.map((xg, i) => conv2d(xg, fs[i]!, options)), 3);
    }),
  );
}
