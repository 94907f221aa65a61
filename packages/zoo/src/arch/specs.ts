import { type Activation, type NormConfig, V3_NORM } from '@mobilenets/blocks';
import { makeDivisible } from '@mobilenets/ops';

/** Where a channel count sits: the width rules of the families differ by role. */
export type ChannelRole = 'stem' | 'block' | 'head' | 'hidden';
export type WidthRule = (channels: number, widthMultiplier: number, role: ChannelRole) => number;

/**
 * How the architecture's weights expect their inputs (timm's pretrained cfg): the shorter side resized, then a
 * center crop of the input size, then normalised with mean and std (on values in [0, 1]).
 */
export interface SpecPreprocessing {
  /** The shorter side is resized to `resize` for a `crop`-sized input; other input sizes scale it alike. */
  resize: number;
  crop: number;
  /** `bicubic`: the pretrained configs that ask for it (timm's MobileNetV4). */
  interpolation: 'bilinear' | 'bicubic' | 'nearest';
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

const IMAGENET_STATS = { interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;
/**
 * torchvision's `ImageClassification(crop_size=224)` (its defaults: resize 256, bilinear, ImageNet mean/std),
 * the preset of every torchvision IMAGENET1K_V1 MobileNet weight (torchvision/models/mobilenetv2.py and
 * mobilenetv3.py) and timm's default (crop_pct 0.875). Also used where no weights were published.
 */
export const IMAGENET_RESIZE_256: SpecPreprocessing = { resize: 256, crop: 224, ...IMAGENET_STATS };
/** torchvision's IMAGENET1K_V2 weights of MobileNetV2 and V3-Large, its DEFAULT: `ImageClassification(crop_size=224, resize_size=232)`. */
export const IMAGENET_RESIZE_232: SpecPreprocessing = { resize: 232, crop: 224, ...IMAGENET_STATS };
/** Seed 000's CIFAR-10 statistics, on 32×32 images used whole. */
export const CIFAR10: SpecPreprocessing = { resize: 32, crop: 32, interpolation: 'bilinear', mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] };

/** One architecture: block strings plus what surrounds them. Channel counts are at width 1.0. */
export interface ModelSpec {
  family: 'mobilenetv1' | 'mobilenetv2' | 'mobilenetv3' | 'mobilenext' | 'mobilenetv4';
  /** One `cn` token. */
  stem: string;
  /** Block strings, one list per stage. */
  stages: string[][];
  /** A `cn` token after the stages (V2's and V3's last 1×1 conv). */
  head?: string;
  /**
   * V3: a 1×1 conv with bias and an activation on the pooled features before the classifier; `normalize`
   * (V4): BatchNorm between them instead of the bias.
   */
  hidden?: { channels: number; activation: Activation; normalize?: boolean };
  dropout: number;
  norm?: NormConfig;
  width: WidthRule;
  inputSize: number;
  numClasses: number;
  widthMultiplier: number;
  preprocessing: SpecPreprocessing;
  /** Where the numbers come from. */
  source: string;
}

/** TF-slim / Keras MobileNetV1: floor(c · α), at least 8. */
const v1Width: WidthRule = (c, a) => Math.max(Math.floor(c * a), 8);
/** torchvision MobileNetV2: makeDivisible(c · α, 8); the last conv never narrows: 1280 · max(1, α). */
const v2Width: WidthRule = (c, a, role) => makeDivisible(c * (role === 'head' ? Math.max(1, a) : a), 8);
/** torchvision MobileNetV3: makeDivisible(c · α, 8) everywhere. */
const v3Width: WidthRule = (c, a) => makeDivisible(c * a, 8);
/** Official MobileNeXt: makeDivisible(c · α, 8) (divisor 4 at α = 0.1), but the 1280-wide last stage stays 1280 below width 1. */
const nextWidth: WidthRule = (c, a, role) => (role === 'block' && c === 1280 && a < 1 ? 1280 : makeDivisible(c * a, a === 0.1 ? 4 : 8));

const V1_STAGES = [
  ['ds_r1_k3_s1_c64'],
  ['ds_r1_k3_s2_c128', 'ds_r1_k3_s1_c128'],
  ['ds_r1_k3_s2_c256', 'ds_r1_k3_s1_c256'],
  ['ds_r1_k3_s2_c512', 'ds_r5_k3_s1_c512'],
  ['ds_r1_k3_s2_c1024', 'ds_r1_k3_s1_c1024'],
];

export function mobilenetV1(widthMultiplier: number): ModelSpec {
  return {
    family: 'mobilenetv1',
    stem: 'cn_r1_k3_s2_c32_nre',
    stages: V1_STAGES,
    dropout: 0.001,
    width: v1Width,
    inputSize: 224,
    numClasses: 1000,
    widthMultiplier,
    preprocessing: IMAGENET_RESIZE_256,
    source: 'MobileNets paper, Table 1; TF-slim / Keras width rule',
  };
}

/** Seed 000: 32×32 input, stem stride 1, one 512-wide stride-1 block instead of five, 10 classes. */
export function mobilenetV1Cifar(): ModelSpec {
  return {
    ...mobilenetV1(1),
    stem: 'cn_r1_k3_s1_c32_nre',
    stages: [
      ['ds_r1_k3_s1_c64'],
      ['ds_r1_k3_s2_c128', 'ds_r1_k3_s1_c128'],
      ['ds_r1_k3_s2_c256', 'ds_r1_k3_s1_c256'],
      ['ds_r1_k3_s2_c512', 'ds_r1_k3_s1_c512'],
      ['ds_r1_k3_s2_c1024', 'ds_r1_k3_s1_c1024'],
    ],
    dropout: 0,
    inputSize: 32,
    numClasses: 10,
    preprocessing: CIFAR10,
    source: 'seed 000 (CIFAR-10 MobileNetV1 in PyTorch)',
  };
}

/** torchvision's (t, c, n, s) table as block strings. */
const V2_STAGES = [
  ['ir_r1_k3_s1_e1_c16'],
  ['ir_r2_k3_s2_e6_c24'],
  ['ir_r3_k3_s2_e6_c32'],
  ['ir_r4_k3_s2_e6_c64', 'ir_r3_k3_s1_e6_c96'],
  ['ir_r3_k3_s2_e6_c160', 'ir_r1_k3_s1_e6_c320'],
];

export function mobilenetV2(widthMultiplier: number): ModelSpec {
  return {
    family: 'mobilenetv2',
    stem: 'cn_r1_k3_s2_c32_nr6',
    stages: V2_STAGES,
    head: 'cn_r1_k1_s1_c1280_nr6',
    dropout: 0.2,
    width: v2Width,
    inputSize: 224,
    numClasses: 1000,
    widthMultiplier,
    // torchvision's DEFAULT weights (IMAGENET1K_V2); its IMAGENET1K_V1 weights were evaluated at IMAGENET_RESIZE_256.
    preprocessing: IMAGENET_RESIZE_232,
    source: 'torchvision mobilenet_v2',
  };
}

/** Seed 004's variant: a 1×1 conv + BN shortcut on every stride-1 block, biases everywhere, expansion even at t = 1. */
export function mobilenetV2Conv1x1Shortcut(widthMultiplier: number): ModelSpec {
  const spec = mobilenetV2(widthMultiplier);
  return {
    ...spec,
    stem: `${spec.stem}_b`,
    stages: spec.stages.map((stage) => stage.map((t) => `${t}_sc1x1_b_fx`)),
    head: `${spec.head}_b`,
    preprocessing: IMAGENET_RESIZE_256, // no published weights: torchvision's classic evaluation
    source: 'seed 004 (MobileNetV2 with 1×1 conv shortcuts)',
  };
}

/** torchvision's bneck tables: (kernel, expansion, out, SE, activation, stride) as block strings. */
const V3_LARGE = [
  ['ir_r1_k3_s1_x16_c16_nre'],
  ['ir_r1_k3_s2_x64_c24_nre', 'ir_r1_k3_s1_x72_c24_nre'],
  ['ir_r1_k5_s2_x72_c40_se0.25_nre', 'ir_r2_k5_s1_x120_c40_se0.25_nre'],
  ['ir_r1_k3_s2_x240_c80_nhs', 'ir_r1_k3_s1_x200_c80_nhs', 'ir_r2_k3_s1_x184_c80_nhs'],
  ['ir_r1_k3_s1_x480_c112_se0.25_nhs', 'ir_r1_k3_s1_x672_c112_se0.25_nhs'],
  ['ir_r1_k5_s2_x672_c160_se0.25_nhs', 'ir_r2_k5_s1_x960_c160_se0.25_nhs'],
];
const V3_SMALL = [
  ['ir_r1_k3_s2_x16_c16_se0.25_nre'],
  ['ir_r1_k3_s2_x72_c24_nre', 'ir_r1_k3_s1_x88_c24_nre'],
  ['ir_r1_k5_s2_x96_c40_se0.25_nhs', 'ir_r2_k5_s1_x240_c40_se0.25_nhs', 'ir_r1_k5_s1_x120_c48_se0.25_nhs', 'ir_r1_k5_s1_x144_c48_se0.25_nhs'],
  ['ir_r1_k5_s2_x288_c96_se0.25_nhs', 'ir_r2_k5_s1_x576_c96_se0.25_nhs'],
];

/** The minimalistic V3s: no squeeze-excite, no hard-swish, 3×3 kernels only (TF-slim's `_minimalistic`). */
function minimal(stages: string[][]): string[][] {
  return stages.map((s) => s.map((t) => t.replace('_se0.25', '').replace('_nhs', '_nre').replace('_k5_', '_k3_')));
}

export function mobilenetV3(size: 'large' | 'small', widthMultiplier: number, minimalistic = false): ModelSpec {
  const large = size === 'large';
  const act = minimalistic ? 'nre' : 'nhs';
  const stages = large ? V3_LARGE : V3_SMALL;
  return {
    family: 'mobilenetv3',
    stem: `cn_r1_k3_s2_c16_${act}`,
    stages: minimalistic ? minimal(stages) : stages,
    head: `cn_r1_k1_s1_c${large ? 960 : 576}_${act}`,
    hidden: { channels: large ? 1280 : 1024, activation: minimalistic ? 'relu' : 'hardSwish' },
    dropout: 0.2,
    norm: V3_NORM,
    width: v3Width,
    inputSize: 224,
    numClasses: 1000,
    widthMultiplier,
    // torchvision's V3-Small has IMAGENET1K_V1 weights only; the minimalistic V3s have none in torchvision.
    preprocessing: large && !minimalistic ? IMAGENET_RESIZE_232 : IMAGENET_RESIZE_256,
    source: `torchvision mobilenet_v3_${size}${minimalistic ? ' (TF-slim minimalistic rules)' : ''}`,
  };
}

/** The official cfg (t, c, n, s), as in seed 001; `keep` marks the stages whose single stride-1 block keeps both 3×3s. */
const NEXT_STAGES = [
  ['sg_r1_k3_s2_e2_c96'],
  ['sg_r1_k3_s1_e6_c144_keep'],
  ['sg_r3_k3_s2_e6_c192'],
  ['sg_r3_k3_s2_e6_c288'],
  ['sg_r4_k3_s1_e6_c384'],
  ['sg_r4_k3_s2_e6_c576'],
  ['sg_r3_k3_s1_e6_c960'],
  ['sg_r1_k3_s1_e6_c1280_keep'],
];

export function mobilenext(widthMultiplier: number): ModelSpec {
  return {
    family: 'mobilenext',
    stem: 'cn_r1_k3_s2_c32_nr6',
    stages: NEXT_STAGES,
    dropout: 0.2,
    width: nextWidth,
    inputSize: 224,
    numClasses: 1000,
    widthMultiplier,
    preprocessing: IMAGENET_RESIZE_256,
    source: 'official MobileNeXt (yitu-opensource/MobileNeXt mnext.py; seed 001)',
  };
}

/** timm MobileNetV4: makeDivisible(c · α, 8); below width 1 the stem keeps its width (fix_stem); the 1280-wide head conv never scales. */
const v4Width: WidthRule = (c, a, role) => (role === 'hidden' || (role === 'stem' && a < 1) ? c : makeDivisible(c * a, 8));

export type V4Variant = 'conv_small' | 'conv_medium' | 'conv_large' | 'hybrid_medium' | 'hybrid_large';

/**
 * timm's `_gen_mobilenet_v4` arch_defs, token for token (timm's grammar; the model-wide activation and the hybrids'
 * LayerScale are added by `mobilenetV4`). The last stage's 1×1 conv to 960 is a block, as in timm (blocks.4.0 / 5.0).
 */
const V4_STAGES: Record<V4Variant, string[][]> = {
  conv_small: [
    ['cn_r1_k3_s2_e1_c32', 'cn_r1_k1_s1_e1_c32'],
    ['cn_r1_k3_s2_e1_c96', 'cn_r1_k1_s1_e1_c64'],
    ['uir_r1_a5_k5_s2_e3_c96', 'uir_r4_a0_k3_s1_e2_c96', 'uir_r1_a3_k0_s1_e4_c96'],
    ['uir_r1_a3_k3_s2_e6_c128', 'uir_r1_a5_k5_s1_e4_c128', 'uir_r1_a0_k5_s1_e4_c128', 'uir_r1_a0_k5_s1_e3_c128', 'uir_r2_a0_k3_s1_e4_c128'],
    ['cn_r1_k1_s1_c960'],
  ],
  conv_medium: [
    ['er_r1_k3_s2_e4_c48'],
    ['uir_r1_a3_k5_s2_e4_c80', 'uir_r1_a3_k3_s1_e2_c80'],
    [
      'uir_r1_a3_k5_s2_e6_c160',
      'uir_r2_a3_k3_s1_e4_c160',
      'uir_r1_a3_k5_s1_e4_c160',
      'uir_r1_a3_k3_s1_e4_c160',
      'uir_r1_a3_k0_s1_e4_c160',
      'uir_r1_a0_k0_s1_e2_c160',
      'uir_r1_a3_k0_s1_e4_c160',
    ],
    [
      'uir_r1_a5_k5_s2_e6_c256',
      'uir_r1_a5_k5_s1_e4_c256',
      'uir_r2_a3_k5_s1_e4_c256',
      'uir_r1_a0_k0_s1_e4_c256',
      'uir_r1_a3_k0_s1_e4_c256',
      'uir_r1_a3_k5_s1_e2_c256',
      'uir_r1_a5_k5_s1_e4_c256',
      'uir_r2_a0_k0_s1_e4_c256',
      'uir_r1_a5_k0_s1_e2_c256',
    ],
    ['cn_r1_k1_s1_c960'],
  ],
  conv_large: [
    ['er_r1_k3_s2_e4_c48'],
    ['uir_r1_a3_k5_s2_e4_c96', 'uir_r1_a3_k3_s1_e4_c96'],
    ['uir_r1_a3_k5_s2_e4_c192', 'uir_r3_a3_k3_s1_e4_c192', 'uir_r1_a3_k5_s1_e4_c192', 'uir_r5_a5_k3_s1_e4_c192', 'uir_r1_a3_k0_s1_e4_c192'],
    [
      'uir_r4_a5_k5_s2_e4_c512',
      'uir_r1_a5_k0_s1_e4_c512',
      'uir_r1_a5_k3_s1_e4_c512',
      'uir_r2_a5_k0_s1_e4_c512',
      'uir_r1_a5_k3_s1_e4_c512',
      'uir_r1_a5_k5_s1_e4_c512',
      'uir_r3_a5_k0_s1_e4_c512',
    ],
    ['cn_r1_k1_s1_c960'],
  ],
  hybrid_medium: [
    ['er_r1_k3_s2_e4_c48'],
    ['uir_r1_a3_k5_s2_e4_c80', 'uir_r1_a3_k3_s1_e2_c80'],
    [
      'uir_r1_a3_k5_s2_e6_c160',
      'uir_r1_a0_k0_s1_e2_c160',
      'uir_r1_a3_k3_s1_e4_c160',
      'uir_r1_a3_k5_s1_e4_c160',
      'mqa_r1_k3_h4_s1_v2_d64_c160',
      'uir_r1_a3_k3_s1_e4_c160',
      'mqa_r1_k3_h4_s1_v2_d64_c160',
      'uir_r1_a3_k0_s1_e4_c160',
      'mqa_r1_k3_h4_s1_v2_d64_c160',
      'uir_r1_a3_k3_s1_e4_c160',
      'mqa_r1_k3_h4_s1_v2_d64_c160',
      'uir_r1_a3_k0_s1_e4_c160',
    ],
    [
      'uir_r1_a5_k5_s2_e6_c256',
      'uir_r1_a5_k5_s1_e4_c256',
      'uir_r2_a3_k5_s1_e4_c256',
      'uir_r1_a0_k0_s1_e2_c256',
      'uir_r1_a3_k5_s1_e2_c256',
      'uir_r1_a0_k0_s1_e2_c256',
      'uir_r1_a0_k0_s1_e4_c256',
      'mqa_r1_k3_h4_s1_d64_c256',
      'uir_r1_a3_k0_s1_e4_c256',
      'mqa_r1_k3_h4_s1_d64_c256',
      'uir_r1_a5_k5_s1_e4_c256',
      'mqa_r1_k3_h4_s1_d64_c256',
      'uir_r1_a5_k0_s1_e4_c256',
      'mqa_r1_k3_h4_s1_d64_c256',
      'uir_r1_a5_k0_s1_e4_c256',
    ],
    ['cn_r1_k1_s1_c960'],
  ],
  hybrid_large: [
    ['er_r1_k3_s2_e4_c48'],
    ['uir_r1_a3_k5_s2_e4_c96', 'uir_r1_a3_k3_s1_e4_c96'],
    [
      'uir_r1_a3_k5_s2_e4_c192',
      'uir_r3_a3_k3_s1_e4_c192',
      'uir_r1_a3_k5_s1_e4_c192',
      'uir_r2_a5_k3_s1_e4_c192',
      'mqa_r1_k3_h8_s1_v2_d48_c192',
      'uir_r1_a5_k3_s1_e4_c192',
      'mqa_r1_k3_h8_s1_v2_d48_c192',
      'uir_r1_a5_k3_s1_e4_c192',
      'mqa_r1_k3_h8_s1_v2_d48_c192',
      'uir_r1_a5_k3_s1_e4_c192',
      'mqa_r1_k3_h8_s1_v2_d48_c192',
      'uir_r1_a3_k0_s1_e4_c192',
    ],
    [
      'uir_r4_a5_k5_s2_e4_c512',
      'uir_r1_a5_k0_s1_e4_c512',
      'uir_r1_a5_k3_s1_e4_c512',
      'uir_r2_a5_k0_s1_e4_c512',
      'uir_r1_a5_k3_s1_e4_c512',
      'uir_r1_a5_k5_s1_e4_c512',
      'mqa_r1_k3_h8_s1_d64_c512',
      'uir_r1_a5_k0_s1_e4_c512',
      'mqa_r1_k3_h8_s1_d64_c512',
      'uir_r1_a5_k0_s1_e4_c512',
      'mqa_r1_k3_h8_s1_d64_c512',
      'uir_r1_a5_k0_s1_e4_c512',
      'mqa_r1_k3_h8_s1_d64_c512',
      'uir_r1_a5_k0_s1_e4_c512',
    ],
    ['cn_r1_k1_s1_c960'],
  ],
};

/** The rest of `_gen_mobilenet_v4` and each variant's default pretrained config (timm's default_cfgs). */
const V4_MODELS: Record<V4Variant, { stem: number; activation: 'relu' | 'gelu'; inputSize: number; cropPct: number }> = {
  conv_small: { stem: 32, activation: 'relu', inputSize: 224, cropPct: 0.875 }, // e2400_r224_in1k
  conv_medium: { stem: 32, activation: 'relu', inputSize: 256, cropPct: 0.95 }, // e500_r256_in1k
  conv_large: { stem: 24, activation: 'relu', inputSize: 384, cropPct: 0.95 }, // e600_r384_in1k
  hybrid_medium: { stem: 32, activation: 'relu', inputSize: 256, cropPct: 0.95 }, // e200_r256_in12k_ft_in1k
  hybrid_large: { stem: 24, activation: 'gelu', inputSize: 384, cropPct: 0.95 }, // ix_e600_r384_in1k
};

/**
 * timm's MobileNetV4 (`_gen_mobilenet_v4`): stem 3×3 conv + BN + act, the arch_def's blocks with the model's
 * activation (ReLU; GELU for Hybrid-Large) and, in the hybrids, LayerScale from 1e-5 on every `uir` and `mqa`
 * block; head: global pool, 1×1 conv to 1280 + BN + act, classifier. No dropout by default (timm's drop_rate).
 */
export function mobilenetV4(variant: V4Variant, widthMultiplier: number): ModelSpec {
  const m = V4_MODELS[variant];
  const act = m.activation === 'gelu' ? 'nge' : 'nre';
  const layerScale = variant.startsWith('hybrid');
  const token = (t: string) => `${t}_${act}${layerScale && /^(uir|mqa)_/.test(t) ? '_ls' : ''}`;
  return {
    family: 'mobilenetv4',
    stem: token(`cn_r1_k3_s2_c${m.stem}`),
    stages: V4_STAGES[variant].map((stage) => stage.map(token)),
    hidden: { channels: 1280, activation: m.activation, normalize: true },
    dropout: 0,
    width: v4Width,
    inputSize: m.inputSize,
    numClasses: 1000,
    widthMultiplier,
    source: `timm mobilenetv4_${variant}`,
    // timm's eval transform: the shorter side to floor(size / crop_pct), bicubic, then a center crop of the size.
    preprocessing: { ...IMAGENET_STATS, resize: Math.floor(m.inputSize / m.cropPct), crop: m.inputSize, interpolation: 'bicubic' },
  };
}
