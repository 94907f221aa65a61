/**
 * The blocks' configurations: plain JSON objects with a discriminating `type`, exactly what each layer's
 * `getConfig()` returns and what the zoo's architecture decoder produces (see the block-config contract).
 */

/** Activations by their paper names. */
export type Activation = 'relu' | 'relu6' | 'hardSwish' | 'hardSigmoid' | 'none';

/** BatchNorm settings, PyTorch's convention: running = (1 − momentum) · running + momentum · batch. */
export interface NormConfig {
  epsilon: number;
  momentum: number;
}

/** PyTorch's BatchNorm2d defaults (MobileNetV1, V2, MobileNeXt). */
export const TORCH_NORM: NormConfig = { epsilon: 1e-5, momentum: 0.1 };
/** torchvision's MobileNetV3 BatchNorm. */
export const V3_NORM: NormConfig = { epsilon: 1e-3, momentum: 0.01 };

interface BlockBase {
  inChannels: number;
  outChannels: number;
  /** Default 1. */
  stride?: number;
  /** Default `TORCH_NORM`. */
  norm?: NormConfig;
}

/** One convolution, BatchNorm (unless `normalize` is false) and an activation: what every block is made of. */
export interface ConvNormActConfig extends BlockBase {
  type: 'ConvNormAct';
  kernel: number;
  /** Default 1; `inChannels` makes it depthwise. */
  groups?: number;
  /** Default `'relu6'`. */
  activation?: Activation;
  /** Default true. */
  normalize?: boolean;
  /** Default false (the BatchNorm shift plays its role). */
  bias?: boolean;
}

/** MobileNetV3's squeeze-and-excitation: pool, 1×1 conv + ReLU, 1×1 conv + hard-sigmoid, scale. */
export interface SqueezeExciteConfig {
  type: 'SqueezeExcite';
  channels: number;
  /** Default makeDivisible(floor(channels / 4), 8), as torchvision. */
  squeezeChannels?: number;
}

/** MobileNetV1: depthwise k×k (stride) + BN + act, pointwise + BN + act. */
export interface DepthwiseSeparableConfig extends BlockBase {
  type: 'DepthwiseSeparable';
  /** Default 3. */
  kernel?: number;
  /** Default `'relu'` (the paper and seed 000); MobileNet implementations in TF use `'relu6'`. */
  activation?: Activation;
}

/** How a residual block's input reaches its output. */
export type Shortcut = 'identity' | 'conv1x1' | 'none';

/** MobileNetV2: expand 1×1 (skipped when t = 1), depthwise, linear projection. */
export interface InvertedResidualConfig extends BlockBase {
  type: 'InvertedResidual';
  /** t: hidden = round(inChannels · t). */
  expandRatio: number;
  /** Default 3. */
  kernel?: number;
  /**
   * `identity` (default): x + f(x) when stride is 1 and in = out, as the paper. `conv1x1`: seed 004's
   * variant, a 1×1 conv + BN on x whenever stride is 1. `none`: no shortcut.
   */
  shortcut?: Shortcut;
  /** Default `'relu6'`. */
  activation?: Activation;
  /** Biases on every convolution (seed 004's variant). Default false. */
  bias?: boolean;
  /** Keep the expansion conv even when t = 1 (seed 004's variant). Default false. */
  forceExpand?: boolean;
}

/** MobileNetV3's bneck: expand 1×1 to an explicit width, depthwise 3×3 or 5×5, optional SE, linear projection. */
export interface BneckConfig extends BlockBase {
  type: 'Bneck';
  expandChannels: number;
  kernel: 3 | 5;
  /** Squeeze-and-excitation on the expanded features. */
  se: boolean;
  /** `relu` (RE) or `hardSwish` (HS). */
  activation: Activation;
}

/** MobileNeXt's sandglass block (seed 001's `SGBlock`). */
export interface SandglassConfig extends BlockBase {
  type: 'Sandglass';
  /** t: the hidden width is inChannels / t (see `sandglassHidden`). */
  reduction: number;
  /** Keep both 3×3 depthwise convolutions even where in ≠ out (the first block of a stage). Default false. */
  keep3x3?: boolean;
  /** Add the shortcut to only the first channels / identityDiv channels. Default 1 (all). */
  identityDiv?: number;
}

export type BlockConfig =
  | ConvNormActConfig
  | SqueezeExciteConfig
  | DepthwiseSeparableConfig
  | InvertedResidualConfig
  | BneckConfig
  | SandglassConfig;
