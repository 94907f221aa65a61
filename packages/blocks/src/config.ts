/**
 * The blocks' configurations: plain JSON objects with a discriminating `type`, exactly what each layer's
 * `getConfig()` returns and what the zoo's architecture decoder produces (see the block-config contract).
 */

/** Activations by their paper names (`gelu`: the exact erf form, MobileNetV4-Hybrid-Large). */
export type Activation = 'relu' | 'relu6' | 'hardSwish' | 'hardSigmoid' | 'gelu' | 'none';

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

/**
 * MobileNetV4's universal inverted bottleneck (timm's `UniversalInvertedResidual`): optional start depthwise
 * (BN, no activation), 1×1 expansion (BN + act), optional middle depthwise (BN + act), optional SE, 1×1
 * projection (BN), optional end depthwise (BN), optional LayerScale; x + f(x) when stride is 1 and in = out.
 * The stride sits on the middle depthwise, else the start one, else the end one. Its named forms are
 * configurations: ExtraDW (start and middle), IB (middle only), ConvNeXt-like (start only), FFN (neither).
 */
export interface UniversalInvertedBottleneckConfig extends BlockBase {
  type: 'UniversalInvertedBottleneck';
  /** Hidden width makeDivisible(inChannels · e, 8), as timm. */
  expandRatio: number;
  /** Kernel of the depthwise before the expansion; 0 (default): none. */
  startKernel?: number;
  /** Kernel of the depthwise after the expansion; 0: none. Default 3. */
  middleKernel?: number;
  /** Kernel of the depthwise after the projection; 0 (default): none. */
  endKernel?: number;
  /** MobileNetV3's squeeze-excite on the expanded features. Default false. */
  se?: boolean;
  /** Default `'relu'`. */
  activation?: Activation;
  /** LayerScale: the branch times a learned per-channel γ starting at this value; null (default): none. */
  layerScale?: number | null;
}

/** timm's `EdgeResidual` (FusedIB, `er`): k×k expansion conv (stride) + BN + act, optional SE, 1×1 projection + BN. */
export interface FusedInvertedBottleneckConfig extends BlockBase {
  type: 'FusedInvertedBottleneck';
  /** Hidden width makeDivisible(inChannels · e, 8), as timm. */
  expandRatio: number;
  /** Default 3. */
  kernel?: number;
  /** MobileNetV3's squeeze-excite on the expanded features. Default false. */
  se?: boolean;
  /** Default `'relu'`. */
  activation?: Activation;
}

/**
 * MobileNetV4's Mobile MQA (timm's `MobileAttention` with `MultiQueryAttention2d`): BatchNorm, then attention
 * with `heads` query heads and one key and one value head shared by all, keys and values optionally
 * down-sampled by a strided depthwise conv + BN; 1×1 output projection, optional LayerScale, x + f(x) when in =
 * out. No activation anywhere. Stride must be 1 (the block keeps its resolution).
 */
export interface MobileMQAConfig extends BlockBase {
  type: 'MobileMQA';
  heads: number;
  keyDim: number;
  /** Default keyDim. */
  valueDim?: number;
  /** Stride of the key/value down-sampling depthwise conv; 1 (default): no down-sampling. */
  kvStride?: number;
  /** Kernel of that depthwise conv. Default 3. */
  kvKernel?: number;
  /** LayerScale's initial γ; null (default): none. */
  layerScale?: number | null;
}

export type BlockConfig =
  | ConvNormActConfig
  | SqueezeExciteConfig
  | DepthwiseSeparableConfig
  | InvertedResidualConfig
  | BneckConfig
  | SandglassConfig
  | UniversalInvertedBottleneckConfig
  | FusedInvertedBottleneckConfig
  | MobileMQAConfig;
