import * as tf from '@tensorflow/tfjs-core';
import type { Cost, Size2 } from '@mobilenets/ops';
import type { AddWeight, LayerVariable } from './weights.js';

/** LayerScale (timm's LayerScale2d): the input times a learned per-channel γ, which starts at `initValue`. */
export class LayerScaleUnit {
  /** Its output (its input is the previous unit's). */
  readonly savedOutputs = 1;
  private gamma?: LayerVariable;

  constructor(
    readonly channels: number,
    readonly initValue: number,
  ) {}

  build(add: AddWeight): void {
    this.gamma = add('gamma', [this.channels], { constant: this.initValue }, true);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.mul(x, this.gamma!.read());
  }

  /** γ; no MACs (an element-wise scale, like BatchNorm's). */
  cost(inputSize: Size2): Cost {
    const [h, w] = typeof inputSize === 'number' ? [inputSize, inputSize] : [inputSize[0], inputSize[1]];
    return { params: this.channels, macs: 0, outputSize: [h, w], activationBytes: h * w * this.channels * 4 };
  }
}
