export { Bneck } from './bneck.js';
export { BlockLayer, type LayerOptions } from './block-layer.js';
export {
  TORCH_NORM,
  V3_NORM,
  type Activation,
  type BlockConfig,
  type BneckConfig,
  type ConvNormActConfig,
  type DepthwiseSeparableConfig,
  type FusedInvertedBottleneckConfig,
  type InvertedResidualConfig,
  type MobileMQAConfig,
  type NormConfig,
  type SandglassConfig,
  type Shortcut,
  type SqueezeExciteConfig,
  type UniversalInvertedBottleneckConfig,
} from './config.js';
export { ConvNormAct } from './conv-norm-act.js';
export { DepthwiseSeparable } from './depthwise-separable.js';
export { BlockConfigError, BlockInputError } from './errors.js';
export { FusedInvertedBottleneck } from './fused-inverted-bottleneck.js';
export { InvertedResidual, roundHalfEven } from './inverted-residual.js';
export { MobileMQA } from './mobile-mqa.js';
export { Sandglass, sandglassHidden, sandglassLayout, type SandglassLayout } from './sandglass.js';
export { SqueezeExcite } from './squeeze-excite.js';
export { UniversalInvertedBottleneck } from './universal-inverted-bottleneck.js';
export { createBlock } from './create-block.js';
