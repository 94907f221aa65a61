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
  interpolation: 'bilinear' | 'nearest';
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
  family: 'mobilenetv1' | 'mobilenetv2' | 'mobilenetv3' | 'mobilenext';
  /** One `cn` token. */
  stem: string;
  /** Block strings, one list per stage. */
  stages: string[][];
  /** A `cn` token after the stages (V2's and V3's last 1×1 conv). */
  head?: string;
  /** V3: a 1×1 conv with bias and an activation on the pooled features before the classifier. */
  hidden?: { channels: number; activation: Activation };
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
