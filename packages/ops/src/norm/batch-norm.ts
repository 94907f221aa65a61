import * as tf from '@tensorflow/tfjs-core';
import { OpsInputError } from '../errors.js';
import { channelMean } from '../reduce.js';

export interface BatchNormOptions {
  /** Added to the variance. Default 1e-5 (PyTorch; MobileNetV3 uses 1e-3). */
  epsilon?: number;
}

export interface BatchNormTrainResult<T extends tf.Tensor> {
  /** The normalized, scaled and shifted output (differentiable). */
  y: T;
  /** Per-channel batch mean (no gradient): for the layer's running statistics. */
  mean: tf.Tensor1D;
  /** Per-channel biased batch variance, the one `y` was normalized with (no gradient). */
  variance: tf.Tensor1D;
}

function checkChannels(op: string, x: tf.Tensor, ...params: tf.Tensor[]): number {
  const c = x.shape[x.rank - 1]!;
  for (const p of params) {
    if (p.rank !== 1 || p.shape[0] !== c) {
      throw new OpsInputError(`${op}: per-channel parameters must have shape [${c}], got [${p.shape.join(', ')}]`);
    }
  }
  return c;
}

/**
 * Training-mode BatchNorm over every axis but the last (channels-last input of any rank), with a fused
 * gradient: dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)). Per-channel sums are matrix products, so
 * no backend reduces over non-innermost axes (tfjs' own BatchNorm gradient tiles and sums, 10x slower on wasm).
 */
export function batchNormTrain<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  options: BatchNormOptions = {},
): BatchNormTrainResult<T> {
  checkChannels('batchNormTrain', x, gamma, beta);
  const epsilon = options.epsilon ?? 1e-5;
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const op = tf.customGrad((input, scale, shift, save) => {
    const out = tf.tidy(() => {
      const mean = channelMean(input as tf.Tensor);
      const centered = tf.sub(input as tf.Tensor, mean);
      const variance = channelMean(tf.square(centered));
      const invStd = tf.rsqrt(tf.add(variance, epsilon));
      const normalized = tf.mul(centered, invStd);
      (save as tf.GradSaveFunc)([normalized, invStd, scale as tf.Tensor]);
      const y = tf.add(tf.mul(normalized, scale as tf.Tensor), shift as tf.Tensor) as T;
      return { y, mean, variance };
    });
    // The forward runs in the engine's own tidy, which keeps only `value`: keep the statistics through it.
    stats = { mean: tf.keep(out.mean), variance: tf.keep(out.variance) };
    return {
      value: out.y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [normalized, invStd, g] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
        const dBetaMean = channelMean(dy);
        const dGammaMean = channelMean(tf.mul(dy, normalized));
        const centeredDy = tf.sub(tf.sub(dy, dBetaMean), tf.mul(normalized, dGammaMean));
        const dx = tf.mul(centeredDy, tf.mul(g, invStd));
        const rows = x.size / x.shape[x.rank - 1]!;
        return [dx, tf.mul(dGammaMean, rows), tf.mul(dBetaMean, rows)];
      },
    };
  });
  const y = op(x, gamma, beta) as T;
  // Hand them over as ordinary tensors of the caller's scope (a copy of C floats), so tidy disposes them.
  const { mean, variance } = stats!;
  const result = { y, mean: mean.clone(), variance: variance.clone() };
  tf.dispose([mean, variance]);
  return result;
}

/**
 * Inference-mode BatchNorm with given statistics: y = (x − mean) · γ / √(var + ε) + β. Differentiable in
 * x, γ and β (fine-tuning with frozen statistics), with the same matrix-product reductions.
 */
export function batchNormInference<T extends tf.Tensor>(
  x: T,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  options: BatchNormOptions = {},
): T {
  checkChannels('batchNormInference', x, mean, variance, gamma, beta);
  const epsilon = options.epsilon ?? 1e-5;
  const op = tf.customGrad((input, scale, shift, save) => {
    const value = tf.tidy(() => {
      const invStd = tf.rsqrt(tf.add(variance, epsilon));
      const normalized = tf.mul(tf.sub(input as tf.Tensor, mean), invStd);
      (save as tf.GradSaveFunc)([normalized, invStd, scale as tf.Tensor]);
      return tf.add(tf.mul(normalized, scale as tf.Tensor), shift as tf.Tensor) as T;
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [normalized, invStd, g] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
        const rows = x.size / x.shape[x.rank - 1]!;
        const dGamma = tf.mul(channelMean(tf.mul(dy, normalized)), rows);
        return [tf.mul(dy, tf.mul(g, invStd)), dGamma, tf.mul(channelMean(dy), rows)];
      },
    };
  });
  return op(x, gamma, beta) as T;
}
