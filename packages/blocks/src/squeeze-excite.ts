import { serialization } from '@tensorflow/tfjs-core';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import type { SqueezeExciteConfig } from './config.js';
import { SqueezeExciteUnit, defaultSqueezeChannels } from './se-unit.js';

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

  constructor(config: SqueezeExciteConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    this.chain = [['se', new SqueezeExciteUnit(this.block.channels, this.block.squeezeChannels)]];
  }
}
serialization.registerClass(SqueezeExcite, 'mobilenets');
