import type * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { Cost, Size2 } from '@mobilenets/ops';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { type DepthwiseSeparableConfig, TORCH_NORM } from './config.js';
import { ConvUnit } from './conv-unit.js';
import { applyChain, buildChain, chainCost, type UnitChain } from './units.js';
import type { AddWeight } from './weights.js';

function resolve(c: DepthwiseSeparableConfig): Required<DepthwiseSeparableConfig> {
  const check = new Check('DepthwiseSeparable');
  return {
    type: 'DepthwiseSeparable',
    inChannels: check.positiveInt('inChannels', c.inChannels),
    outChannels: check.positiveInt('outChannels', c.outChannels),
    stride: check.stride(c.stride ?? 1),
    kernel: check.oddKernel(c.kernel ?? 3),
    activation: check.activation(c.activation ?? 'relu'),
    norm: check.norm(c.norm ?? TORCH_NORM),
  };
}

/** MobileNetV1's block: depthwise k×k (stride) + BN + act, then pointwise 1×1 + BN + act. */
export class DepthwiseSeparable extends BlockLayer<DepthwiseSeparableConfig> {
  static className = 'DepthwiseSeparable';
  private readonly chain: UnitChain;

  constructor(config: DepthwiseSeparableConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const { inChannels, outChannels, kernel, stride, activation, norm } = this.block;
    this.chain = [
      ['depthwise', new ConvUnit({ inChannels, outChannels: inChannels, kernel, stride, groups: inChannels, bias: false, norm, activation })],
      ['pointwise', new ConvUnit({ inChannels, outChannels, kernel: 1, stride: 1, groups: 1, bias: false, norm, activation })],
    ];
  }

  protected get inputChannels(): number {
    return this.block.inChannels;
  }
  protected get outputChannels(): number {
    return this.block.outChannels;
  }
  protected override get strideOf(): number {
    return this.block.stride;
  }

  protected buildUnits(add: (unit: string) => AddWeight): void {
    buildChain(this.chain, add);
  }

  protected forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return applyChain(this.chain, x, training);
  }

  cost(inputSize: Size2): Cost {
    return chainCost(this.chain, inputSize);
  }
}
serialization.registerClass(DepthwiseSeparable, 'mobilenets');
