import * as tf from '@tensorflow/tfjs-core';
import {
  batchNormInference,
  batchNormTrain,
  conv2d,
  convCost,
  depthwiseConv2d,
  groupedConv2d,
  pointwiseConv2d,
  type Cost,
  type Size2,
} from '@mobilenets/ops';
import { activate } from './activation.js';
import type { Activation, NormConfig } from './config.js';
import { isTapeOn, type Mode } from './units.js';
import type { AddWeight, LayerVariable } from './weights.js';

export interface ConvUnitSpec {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  groups: number;
  bias: boolean;
  /** null: no BatchNorm. */
  norm: NormConfig | null;
  activation: Activation;
}

/**
 * The slope of the PReLU fused into the folded inference kernel: 0 gives ReLU (ReLU6 then clips at 6), 1 the
 * identity. The fused kernels' own ReLU / ReLU6 return 0 for NaN on wasm and webgpu, and wasm's fused depthwise
 * kernel returns −∞ for NaN with no activation; PReLU keeps NaN on every backend.
 */
const PRELU_SLOPE: Record<Activation, 0 | 1> = { relu: 0, relu6: 0, hardSwish: 1, hardSigmoid: 1, gelu: 1, none: 1 };

/** Activations batchNormTrain applies in its own op (one pass on wasm, and no tensor of their own for the gradient). */
const FUSED_TRAINING: Partial<Record<Activation, 'none' | 'relu' | 'relu6' | 'hardSwish'>> = {
  relu: 'relu',
  relu6: 'relu6',
  hardSwish: 'hardSwish',
  none: 'none',
};

/** Output-sized tensors an activation batchNormTrain does not fuse keeps for its gradient (GELU: its input and Φ). */
const UNFUSED_SAVED: Partial<Record<Activation, number>> = { hardSigmoid: 3, gelu: 2 };

interface NormWeights {
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/**
 * Convolution + BatchNorm + activation: the one primitive every block is built from (torchvision's
 * Conv2dNormActivation). Padding is PyTorch's kernel >> 1. Depthwise kernels are stored `[k, k, C, 1]`,
 * others `[k, k, in / groups, out]`.
 */
export class ConvUnit {
  private kernel?: LayerVariable;
  private bias?: LayerVariable;
  private normWeights?: NormWeights;
  private folded?: { sources: object[]; filter: tf.Tensor4D; bias: tf.Tensor1D; slope: tf.Tensor1D };

  constructor(readonly spec: ConvUnitSpec) {}

  /**
   * With BatchNorm: the convolution's output and the unit's output (the gradient of the fused BatchNorm +
   * activation reads the first, the next unit keeps the second), and what an unfused activation keeps (see
   * UNFUSED_SAVED). Without: the output.
   */
  get savedOutputs(): number {
    const s = this.spec;
    if (!s.norm) return s.activation === 'none' ? 1 : 2;
    return 2 + (UNFUSED_SAVED[s.activation] ?? 0);
  }

  get depthwise(): boolean {
    const s = this.spec;
    return s.groups > 1 && s.groups === s.inChannels && s.groups === s.outChannels;
  }

  build(add: AddWeight): void {
    const s = this.spec;
    const shape = this.depthwise ? [s.kernel, s.kernel, s.inChannels, 1] : [s.kernel, s.kernel, s.inChannels / s.groups, s.outChannels];
    this.kernel = add('kernel', shape, this.depthwise ? 'depthwiseKernel' : 'convKernel', true);
    if (s.bias) this.bias = add('bias', [s.outChannels], 'zeros', true);
    if (s.norm) {
      this.normWeights = {
        gamma: add('gamma', [s.outChannels], 'ones', true),
        beta: add('beta', [s.outChannels], 'zeros', true),
        movingMean: add('moving_mean', [s.outChannels], 'zeros', false),
        movingVariance: add('moving_variance', [s.outChannels], 'ones', false),
      };
    }
  }

  apply(x: tf.Tensor4D, mode: Mode): tf.Tensor4D {
    return tf.tidy(() => {
      if (mode === 'inference' && this.normWeights && this.spec.groups === (this.depthwise ? this.spec.inChannels : 1) && !isTapeOn()) {
        return this.foldedInference(x, this.normWeights);
      }
      let y = this.convolve(x);
      if (this.bias) y = tf.add(y, this.bias.read());
      if (!this.normWeights) return activate(y, this.spec.activation);
      if (mode === 'inference') return activate(this.normalizeInference(y, this.normWeights), this.spec.activation);
      return this.normalizeTrain(y, this.normWeights, mode);
    });
  }

  /**
   * Inference with nothing to differentiate: BatchNorm folded into the kernel and a bias, and ReLU fused into
   * the same kernel call (as a PReLU, see PRELU_SLOPE). The folded weights are kept until a weight changes
   * (XNNPACK re-packs a kernel it has not seen), and freed by `releaseFolded`.
   */
  private foldedInference(x: tf.Tensor4D, n: NormWeights): tf.Tensor4D {
    const s = this.spec;
    const sources = [this.kernel!, n.gamma, n.beta, n.movingMean, n.movingVariance, ...(this.bias ? [this.bias] : [])].map((w) => w.read().dataId);
    if (!this.folded || this.folded.sources.some((id, i) => id !== sources[i])) {
      this.releaseFolded();
      const folded = tf.tidy(() => ({ ...this.fold(n), slope: tf.fill([s.outChannels], PRELU_SLOPE[s.activation]) as tf.Tensor1D }));
      for (const t of Object.values(folded)) tf.keep(t);
      this.folded = { sources, ...folded };
    }
    const { filter, bias, slope } = this.folded;
    const args = { x, filter, bias, activation: 'prelu', preluActivationWeights: slope, strides: s.stride, pad: s.kernel >> 1 } as const;
    const y = this.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
    return s.activation === 'relu' ? y : activate(y, s.activation);
  }

  private fold(n: NormWeights): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
    const s = this.spec;
    const scale = tf.mul(n.gamma.read(), tf.rsqrt(tf.add(n.movingVariance.read(), s.norm!.epsilon))) as tf.Tensor1D;
    let bias = tf.sub(n.beta.read(), tf.mul(n.movingMean.read(), scale)) as tf.Tensor1D;
    if (this.bias) bias = tf.add(bias, tf.mul(this.bias.read(), scale));
    const kernel = this.kernel!.read() as tf.Tensor4D;
    const filter = tf.mul(kernel, this.depthwise ? tf.reshape(scale, [s.inChannels, 1]) : scale) as tf.Tensor4D;
    return { filter, bias };
  }

  /** Frees the folded inference weights (the layer's disposeWeights calls it). */
  releaseFolded(): void {
    if (this.folded) tf.dispose([this.folded.filter, this.folded.bias, this.folded.slope]);
    this.folded = undefined;
  }

  private convolve(x: tf.Tensor4D): tf.Tensor4D {
    const s = this.spec;
    const w = this.kernel!.read() as tf.Tensor4D;
    const opts = { stride: s.stride, padding: s.kernel >> 1 };
    if (this.depthwise) return depthwiseConv2d(x, w, opts);
    if (s.groups > 1) return groupedConv2d(x, w, s.groups, opts);
    if (s.kernel === 1) return pointwiseConv2d(x, w, { stride: s.stride });
    return conv2d(x, w, opts);
  }

  private normalizeInference(x: tf.Tensor4D, n: NormWeights): tf.Tensor4D {
    const { movingMean, movingVariance, gamma, beta } = n;
    const read = (w: LayerVariable) => w.read() as tf.Tensor1D;
    return batchNormInference(x, read(movingMean), read(movingVariance), read(gamma), read(beta), { epsilon: this.spec.norm!.epsilon });
  }

  /** Batch statistics, with the activation in the same op where it can be (see FUSED_TRAINING). */
  private normalizeTrain(x: tf.Tensor4D, n: NormWeights, mode: Mode): tf.Tensor4D {
    const { epsilon, momentum } = this.spec.norm!;
    const fused = FUSED_TRAINING[this.spec.activation];
    const { y: normalized, mean, variance } = batchNormTrain(x, n.gamma.read() as tf.Tensor1D, n.beta.read() as tf.Tensor1D, {
      epsilon,
      activation: fused ?? 'none',
    });
    const y = fused ? normalized : activate(normalized, this.spec.activation);
    if (mode === 'recompute') return y;
    // PyTorch keeps the unbiased batch variance in its running estimate.
    const count = x.size / x.shape[3];
    const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
    n.movingMean.write(tf.add(tf.mul(n.movingMean.read(), 1 - momentum), tf.mul(mean, momentum)));
    n.movingVariance.write(tf.add(tf.mul(n.movingVariance.read(), 1 - momentum), tf.mul(unbiased, momentum)));
    return y;
  }

  /** Trainable weights (BatchNorm: γ and β) and MACs for one sample. */
  cost(inputSize: Size2): Cost {
    const s = this.spec;
    const conv = convCost({ ...s, inputSize, padding: s.kernel >> 1 });
    return { ...conv, params: conv.params + (s.norm ? 2 * s.outChannels : 0) };
  }
}
