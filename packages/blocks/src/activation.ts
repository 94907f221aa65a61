import type * as tf from '@tensorflow/tfjs-core';
import { gelu, hardSigmoid, hardSwish, relu, relu6 } from '@mobilenets/ops';
import type { Activation } from './config.js';

export const ACTIVATIONS: readonly Activation[] = ['relu', 'relu6', 'hardSwish', 'hardSigmoid', 'gelu', 'none'];

/** The activation by name; each returns NaN for NaN on every backend, as PyTorch's. */
export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return relu(x);
    case 'relu6':
      return relu6(x);
    case 'hardSwish':
      return hardSwish(x);
    case 'hardSigmoid':
      return hardSigmoid(x);
    case 'gelu':
      return gelu(x);
    case 'none':
      return x;
  }
}
