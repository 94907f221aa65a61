import { Bneck } from './bneck.js';
import type { BlockLayer, LayerOptions } from './block-layer.js';
import type { BlockConfig } from './config.js';
import { ConvNormAct } from './conv-norm-act.js';
import { DepthwiseSeparable } from './depthwise-separable.js';
import { BlockConfigError } from './errors.js';
import { FusedInvertedBottleneck } from './fused-inverted-bottleneck.js';
import { InvertedResidual } from './inverted-residual.js';
import { MobileMQA } from './mobile-mqa.js';
import { Sandglass } from './sandglass.js';
import { SqueezeExcite } from './squeeze-excite.js';
import { UniversalInvertedBottleneck } from './universal-inverted-bottleneck.js';

/** The layer for a block config, by its `type` (how the zoo builds a decoded architecture). */
export function createBlock(config: BlockConfig & LayerOptions): BlockLayer<BlockConfig> {
  switch (config.type) {
    case 'ConvNormAct':
      return new ConvNormAct(config);
    case 'SqueezeExcite':
      return new SqueezeExcite(config);
    case 'DepthwiseSeparable':
      return new DepthwiseSeparable(config);
    case 'InvertedResidual':
      return new InvertedResidual(config);
    case 'Bneck':
      return new Bneck(config);
    case 'Sandglass':
      return new Sandglass(config);
    case 'UniversalInvertedBottleneck':
      return new UniversalInvertedBottleneck(config);
    case 'FusedInvertedBottleneck':
      return new FusedInvertedBottleneck(config);
    case 'MobileMQA':
      return new MobileMQA(config);
    default:
      throw new BlockConfigError(String((config as { type?: unknown }).type), 'type', 'is not a block type');
  }
}
