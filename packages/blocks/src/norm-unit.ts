import * as tf from '@tensorflow/tfjs-core';
import { batchNormInference, batchNormTrain, type Cost, type Size2 } from '@mobilenets/ops';
import type { NormConfig } from './config.js';
import type { Mode } from './units.js';
import type { AddWeight, LayerVariable } from './weights.js';

const pair = (s: Size2): [number, number] => (typeof s === 'number' ? [s, s] : [s[0], s[1]]);

/**
 * BatchNorm on its own (Mobile MQA's input norm): running statistics at inference; batch statistics in training,
 * with PyTorch's running averages of the mean and the unbiased variance, as ConvUnit's BatchNorm (not updated
 * when recomputing).
 */
export class NormUnit {
  /** Its output; batchNormTrain's gradient reads its input, the previous block's output. */
  readonly savedOutputs = 1;
  private w?: { gamma: LayerVariable; beta: LayerVariable; movingMean: LayerVariable; movingVariance: LayerVariable };

  constructor(
    readonly channels: number,
    readonly norm: NormConfig,
  ) {}

  build(add: AddWeight): void {
    const c = this.channels;
    this.w = {
      gamma: add('gamma', [c], 'ones', true),
      beta: add('beta', [c], 'zeros', true),
      movingMean: add('moving_mean', [c], 'zeros', false),
      movingVariance: add('moving_variance', [c], 'ones', false),
    };
  }

  apply(x: tf.Tensor4D, mode: Mode): tf.Tensor4D {
    const w = this.w!;
    const { epsilon, momentum } = this.norm;
    const gamma = w.gamma.read() as tf.Tensor1D;
    const beta = w.beta.read() as tf.Tensor1D;
    if (mode === 'inference') {
      return batchNormInference(x, w.movingMean.read() as tf.Tensor1D, w.movingVariance.read() as tf.Tensor1D, gamma, beta, { epsilon });
    }
    const { y, mean, variance } = batchNormTrain(x, gamma, beta, { epsilon });
    if (mode === 'recompute') return y;
    const count = x.size / x.shape[3];
    const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
    w.movingMean.write(tf.add(tf.mul(w.movingMean.read(), 1 - momentum), tf.mul(mean, momentum)));
    w.movingVariance.write(tf.add(tf.mul(w.movingVariance.read(), 1 - momentum), tf.mul(unbiased, momentum)));
    return y;
  }

  /** γ and β; no MACs (the cost contract leaves BatchNorm out). */
  cost(inputSize: Size2): Cost {
    const [h, w] = pair(inputSize);
    return { params: 2 * this.channels, macs: 0, outputSize: [h, w], activationBytes: h * w * this.channels * 4 };
  }
}
