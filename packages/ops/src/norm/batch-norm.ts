import * as tf from '@tensorflow/tfjs-core';
import { keepNaN } from '../activations.js';
import { customOp } from '../custom-op.js';
import { OpsInputError } from '../errors.js';
import { SIMD_ACTIVATIONS, type SimdActivation, type SimdKernels, simdKernels } from '../kernels/wasm-simd.js';
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

export interface BatchNormTrainOptions extends BatchNormOptions {
  /**
   * An activation applied in the same op (default `none`): ReLU, ReLU6 or hard-swish. Its gradient then needs no
   * tensor of its own (ReLU / ReLU6 read the output, which the next convolution keeps anyway; on wasm hard-swish
   * recomputes its input from x), and on wasm the normalization, the activation and their gradients are one
   * pass each (kernels/simd.c).
   */
  activation?: SimdActivation;
}

/**
 * Training-mode BatchNorm over every axis but the last (channels-last input of any rank), optionally followed
 * by an activation, with a fused gradient: dx = γ/σ · (dh − mean(dh) − x̂ · mean(dh · x̂)), dh = dy · act'.
 * On wasm the statistics, the normalization and the gradient are SIMD kernels that read x where tfjs keeps it;
 * the gradient keeps x and y (y also being the next convolution's saved input). Elsewhere per-channel sums
 * are average pools (tfjs' own BatchNorm gradient tiles and sums, 10x slower on wasm).
 */
export function batchNormTrain<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  options: BatchNormTrainOptions = {},
): BatchNormTrainResult<T> {
  checkChannels('batchNormTrain', x, gamma, beta);
  const epsilon = options.epsilon ?? 1e-5;
  const activation = options.activation ?? 'none';
  if (!(activation in SIMD_ACTIVATIONS)) {
    throw new OpsInputError(`batchNormTrain: activation must be one of ${Object.keys(SIMD_ACTIVATIONS).join(', ')}, got ${activation}`);
  }
  const simd = simdKernels();
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const y = customOp<T>(
    [x, gamma, beta],
    (save) => {
      const out = simd ? simdForward(simd, x, gamma, beta, epsilon, activation, save) : compositeForward(x, gamma, beta, epsilon, activation, save);
      // The forward runs in the engine's own tidy, which keeps only its result: keep the statistics through it.
      stats = { mean: tf.keep(out.mean), variance: tf.keep(out.variance) };
      return out.y;
    },
    (dy, saved) => {
      const [dx, dGamma, dBeta] = simd ? simdBackward(simd, dy, saved, activation) : compositeBackward(dy, saved, activation);
      return [() => dx, () => dGamma, () => dBeta];
    },
  );
  // Hand them over as ordinary tensors of the caller's scope (a copy of C floats), so tidy disposes them.
  const { mean, variance } = stats!;
  const result = { y, mean: mean.clone(), variance: variance.clone() };
  tf.dispose([mean, variance]);
  return result;
}

type Save = (tensors: tf.Tensor[]) => void;
interface Forward<T> {
  y: T;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

function simdForward<T extends tf.Tensor>(
  simd: SimdKernels, x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, activation: SimdActivation, save: Save,
): Forward<T> {
  const { mean, variance } = simd.batchStats(x);
  const invStd = tf.rsqrt(tf.add(variance, epsilon)) as tf.Tensor1D;
  const scale = tf.mul(gamma, invStd) as tf.Tensor1D;
  const y = simd.normAct(x, scale, tf.sub(beta, tf.mul(mean, scale)) as tf.Tensor1D, activation);
  save([x, mean, invStd, gamma, beta, ...(activation === 'relu' || activation === 'relu6' ? [y] : [])]);
  return { y, mean, variance };
}

type Grads = [dx: tf.Tensor, dGamma: tf.Tensor, dBeta: tf.Tensor];

function simdBackward(simd: SimdKernels, dy: tf.Tensor, saved: tf.Tensor[], activation: SimdActivation): Grads {
  const [x, mean, invStd, gamma, beta, y] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor | undefined];
  const { dx, dGamma, dBeta } = simd.normActGrad(dy, y ?? null, x, mean, invStd, gamma, beta, activation);
  return [dx, dGamma, dBeta];
}

function compositeForward<T extends tf.Tensor>(
  x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, activation: SimdActivation, save: Save,
): Forward<T> {
  const mean = channelMean(x);
  const centered = tf.sub(x, mean);
  const variance = channelMean(tf.square(centered));
  const invStd = tf.rsqrt(tf.add(variance, epsilon)) as tf.Tensor1D;
  const normalized = tf.mul(centered, invStd);
  const h = tf.add(tf.mul(normalized, gamma), beta) as T;
  const y = ACTIVATE[activation](h);
  // What act' is computed from: ReLU's and ReLU6's output, hard-swish's input.
  save([normalized, invStd, gamma, ...(activation === 'none' ? [] : [activation === 'hardSwish' ? h : y])]);
  return { y, mean, variance };
}

/** The activations on tfjs kernels, NaN for NaN (see activations.ts). */
const ACTIVATE: Record<SimdActivation, <T extends tf.Tensor>(h: T) => T> = {
  none: (h) => h,
  relu: (h) => keepNaN('Relu', h, tf.relu(h)),
  relu6: (h) => keepNaN('Relu6', h, tf.relu6(h)),
  hardSwish: (h) => {
    const t = tf.add(h, 3);
    return tf.mul(h, tf.div(keepNaN('Relu6', t, tf.relu6(t)), 6));
  },
};

/**
 * act' from what the forward pass saved: 0 where ReLU / ReLU6 clipped, else 1; hard-swish's PyTorch derivative
 * (0 below −3, h / 3 + 1/2 up to 3, 1 above). NaN at NaN.
 */
function derivative(activation: Exclude<SimdActivation, 'none'>, t: tf.Tensor): tf.Tensor {
  if (activation === 'relu') return tf.step(t);
  if (activation === 'relu6') return tf.step(tf.mul(t, tf.sub(6, t)));
  const slope = tf.where(tf.less(t, -3), 0, tf.where(tf.greater(t, 3), 1, tf.add(tf.div(t, 3), 0.5)));
  return tf.add(slope, tf.mul(t, 0));
}

function compositeBackward(dy: tf.Tensor, saved: tf.Tensor[], activation: SimdActivation): Grads {
  const [normalized, invStd, g, t] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor | undefined];
  const dh = activation === 'none' ? dy : tf.mul(dy, derivative(activation, t!));
  const dBetaMean = channelMean(dh);
  const dGammaMean = channelMean(tf.mul(dh, normalized));
  const centeredDh = tf.sub(tf.sub(dh, dBetaMean), tf.mul(normalized, dGammaMean));
  const dx = tf.mul(centeredDh, tf.mul(g, invStd));
  const rows = normalized.size / normalized.shape[normalized.rank - 1]!;
  return [dx, tf.mul(dGammaMean, rows), tf.mul(dBetaMean, rows)];
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
