import { serialization } from '@tensorflow/tfjs-core';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { type DepthwiseSeparableConfig, TORCH_NORM } from './config.js';
import { ConvUnit } from './conv-unit.js';

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

  constructor(config: DepthwiseSeparableConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const { inChannels, outChannels, kernel, stride, activation, norm } = this.block;
    this.chain = [
      ['depthwise', new ConvUnit({ inChannels, outChannels: inChannels, kernel, stride, groups: inChannels, bias: false, norm, activation })],
      ['pointwise', new ConvUnit({ inChannels, outChannels, kernel: 1, stride: 1, groups: 1, bias: false, norm, activation })],
    ];
  }
}
serialization.registerClass(DepthwiseSeparable, 'mobilenets');
