import type * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { Cost, Size2 } from '@mobilenets/ops';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import type { SqueezeExciteConfig } from './config.js';
import { SqueezeExciteUnit, defaultSqueezeChannels } from './se-unit.js';
import type { AddWeight } from './weights.js';

function resolve(c: SqueezeExciteConfig): Required<SqueezeExciteConfig> {
  const check = new Check('SqueezeExcite');
  const channels = check.positiveInt('channels', c.channels);
  return {
    type: 'SqueezeExcite',
    channels,
    squeezeChannels: check.positiveInt('squeezeChannels', c.squeezeChannels ?? defaultSqueezeChannels(channels)),
  };
}

/** MobileNetV3's squeeze-and-excitation as a layer: squeeze = makeDivisible(channels / 4, 8), ReLU, hard-sigmoid. */
export class SqueezeExcite extends BlockLayer<SqueezeExciteConfig> {
  static className = 'SqueezeExcite';
  private readonly unit: SqueezeExciteUnit;

  constructor(config: SqueezeExciteConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    this.unit = new SqueezeExciteUnit(this.block.channels, this.block.squeezeChannels);
  }

  protected get inputChannels(): number {
    return this.block.channels;
  }
  protected get outputChannels(): number {
    return this.block.channels;
  }

  protected buildUnits(add: (unit: string) => AddWeight): void {
    this.unit.build(add('se'));
  }

  protected forward(x: tf.Tensor4D): tf.Tensor4D {
    return this.unit.apply(x);
  }

  cost(inputSize: Size2): Cost {
    return this.unit.cost(inputSize);
  }
}
serialization.registerClass(SqueezeExcite, 'mobilenets');
