import * as tf from '@tensorflow/tfjs-core';
import { globalAvgPool, hardSigmoid, makeDivisible, pointwiseConv2d, relu, type Cost, type Size2 } from '@mobilenets/ops';
import type { AddWeight, LayerVariable } from './weights.js';

/** torchvision's squeeze width: makeDivisible(floor(channels / 4), 8). */
export function defaultSqueezeChannels(channels: number): number {
  return makeDivisible(Math.floor(channels / 4), 8);
}

/** Squeeze-and-excitation (MobileNetV3): global pool, 1×1 conv + ReLU, 1×1 conv + hard-sigmoid, channel scale. */
export class SqueezeExciteUnit {
  /** Its output; its input and the scale are kept by others or small. */
  readonly savedOutputs = 1;
  private w?: { reduce: LayerVariable; reduceBias: LayerVariable; expand: LayerVariable; expandBias: LayerVariable };

  constructor(
    readonly channels: number,
    readonly squeezeChannels: number,
  ) {}

  build(add: AddWeight): void {
    const [c, s] = [this.channels, this.squeezeChannels];
    this.w = {
      reduce: add('reduce_kernel', [1, 1, c, s], 'seNormal', true),
      reduceBias: add('reduce_bias', [s], 'zeros', true),
      expand: add('expand_kernel', [1, 1, s, c], 'seNormal', true),
      expandBias: add('expand_bias', [c], 'zeros', true),
    };
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const w = this.w!;
    const pooled = globalAvgPool(x);
    const squeezed = relu(tf.add(pointwiseConv2d(pooled, w.reduce.read() as tf.Tensor4D), w.reduceBias.read())) as tf.Tensor4D;
    const scale = hardSigmoid(tf.add(pointwiseConv2d(squeezed, w.expand.read() as tf.Tensor4D), w.expandBias.read()));
    return tf.mul(x, scale);
  }

  /** Two 1×1 convolutions with biases on the pooled 1×1 map. */
  cost(inputSize: Size2): Cost {
    const [c, s] = [this.channels, this.squeezeChannels];
    const size: [number, number] = typeof inputSize === 'number' ? [inputSize, inputSize] : [inputSize[0], inputSize[1]];
    return { params: c * s + s + s * c + c, macs: 2 * c * s, outputSize: size, activationBytes: size[0] * size[1] * c * 4 };
  }
}
