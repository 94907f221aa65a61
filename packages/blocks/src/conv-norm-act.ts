import { serialization } from '@tensorflow/tfjs-core';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { type ConvNormActConfig, TORCH_NORM } from './config.js';
import { ConvUnit } from './conv-unit.js';

function resolve(c: ConvNormActConfig): Required<ConvNormActConfig> {
  const check = new Check('ConvNormAct');
  const inChannels = check.positiveInt('inChannels', c.inChannels);
  const outChannels = check.positiveInt('outChannels', c.outChannels);
  const groups = check.positiveInt('groups', c.groups ?? 1);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    check.fail('groups', `(${groups}) must divide inChannels (${inChannels}) and outChannels (${outChannels})`);
  }
  return {
    type: 'ConvNormAct',
    inChannels,
    outChannels,
    kernel: check.oddKernel(c.kernel),
    stride: check.stride(c.stride ?? 1),
    groups,
    activation: check.activation(c.activation ?? 'relu6'),
    normalize: c.normalize ?? true,
    bias: c.bias ?? false,
    norm: check.norm(c.norm ?? TORCH_NORM),
  };
}

/** Convolution + BatchNorm + activation as a layer (stems, heads, and torchvision's Conv2dNormActivation). */
export class ConvNormAct extends BlockLayer<ConvNormActConfig> {
  static className = 'ConvNormAct';

  constructor(config: ConvNormActConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const b = this.block;
    this.chain = [['conv', new ConvUnit({ ...b, norm: b.normalize ? b.norm : null })]];
  }
}
serialization.registerClass(ConvNormAct, 'mobilenets');
