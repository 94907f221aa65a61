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

/** Activations tfjs can fuse into a convolution kernel. */
const FUSED_ACTIVATIONS: Partial<Record<Activation, 'relu' | 'relu6' | 'linear'>> = { relu: 'relu', relu6: 'relu6', none: 'linear' };

/** Whether gradients are being recorded: fused kernels have no gradient on wasm, so they serve pure inference only. */
function isTapeOn(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

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
  private folded?: { sources: object[]; filter: tf.Tensor4D; bias: tf.Tensor1D };

  constructor(readonly spec: ConvUnitSpec) {}

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

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (!training && this.normWeights && this.spec.groups === (this.depthwise ? this.spec.inChannels : 1) && !isTapeOn()) {
      return this.foldedInference(x, this.normWeights);
    }
    let y = this.convolve(x);
    if (this.bias) y = tf.add(y, this.bias.read());
    if (this.normWeights) y = this.normalize(y, this.normWeights, training);
    return activate(y, this.spec.activation);
  }

  /**
   * Inference with nothing to differentiate: BatchNorm folded into the kernel and a bias, and ReLU / ReLU6 fused
   * into the same kernel call — one pass over the activations instead of five. The folded weights are kept
   * until a weight changes (XNNPACK re-packs a kernel it has not seen), and freed by `releaseFolded`.
   */
  private foldedInference(x: tf.Tensor4D, n: NormWeights): tf.Tensor4D {
    const s = this.spec;
    const sources = [this.kernel!, n.gamma, n.beta, n.movingMean, n.movingVariance, ...(this.bias ? [this.bias] : [])].map((w) => w.read().dataId);
    if (!this.folded || this.folded.sources.some((id, i) => id !== sources[i])) {
      this.releaseFolded();
      this.folded = { sources, ...tf.tidy(() => this.fold(n)) };
      tf.keep(this.folded.filter);
      tf.keep(this.folded.bias);
    }
    const activation = FUSED_ACTIVATIONS[s.activation];
    const args = { x, filter: this.folded.filter, bias: this.folded.bias, activation: activation ?? 'linear', strides: s.stride, pad: s.kernel >> 1 } as const;
    const y = this.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
    return activation ? y : activate(y, s.activation);
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
    if (this.folded) tf.dispose([this.folded.filter, this.folded.bias]);
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

  private normalize(x: tf.Tensor4D, n: NormWeights, training: boolean): tf.Tensor4D {
    const { epsilon, momentum } = this.spec.norm!;
    const gamma = n.gamma.read() as tf.Tensor1D;
    const beta = n.beta.read() as tf.Tensor1D;
    if (!training) {
      return batchNormInference(x, n.movingMean.read() as tf.Tensor1D, n.movingVariance.read() as tf.Tensor1D, gamma, beta, { epsilon });
    }
    const { y, mean, variance } = batchNormTrain(x, gamma, beta, { epsilon });
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
