import type * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { Cost, Size2 } from '@mobilenets/ops';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { type ConvNormActConfig, TORCH_NORM } from './config.js';
import { ConvUnit } from './conv-unit.js';
import type { AddWeight } from './weights.js';

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
  private readonly unit: ConvUnit;

  constructor(config: ConvNormActConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const b = this.block;
    this.unit = new ConvUnit({ ...b, norm: b.normalize ? b.norm : null });
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
    this.unit.build(add('conv'));
  }

  protected forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.unit.apply(x, training);
  }

  cost(inputSize: Size2): Cost {
    return this.unit.cost(inputSize);
  }
}
serialization.registerClass(ConvNormAct, 'mobilenets');
