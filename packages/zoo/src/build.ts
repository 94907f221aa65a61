import { type BlockConfig, createBlock } from '@mobilenets/blocks';
import * as tfl from '@tensorflow/tfjs-layers';
import { decodeArch } from './arch/decode.js';
import type { ChannelRole, ModelSpec } from './arch/specs.js';
import { ModelConfigError } from './errors.js';

/** Which block family to build a layout from: the MobileNeXt paper's swap of V2's blocks for sandglass ones. */
export type BlockFamily = 'sandglass' | 'inverted_residual';
export type FeatureOutput = 'logits' | 'embedding' | 'stages';

export interface CreateModelOptions {
  numClasses?: number;
  /** Square input side. */
  inputSize?: number;
  widthMultiplier?: number;
  /** Dropout before the classifier (default: the architecture's). */
  dropout?: number;
  /** Rebuild the layout from another block family (same strides, widths and ratios). */
  block?: BlockFamily;
  /**
   * `logits` (default); `embedding`: the classifier's input; `stages`: one output per stride 2/4/8/16/32
   * (the last block output at that stride, before any head conv, as timm's feature maps; their channel counts
   * are the outputs' last dimension).
   */
  features?: FeatureOutput;
}

/** What a built model was made from: stored in the model's user-defined metadata and in mobilenets.json. */
export interface ModelRecipe {
  name: string;
  numClasses: number;
  inputSize: number;
  widthMultiplier: number;
  dropout: number;
  block: BlockFamily | null;
  features: FeatureOutput;
}

/**
 * Rewrites `ir` tokens as `sg` (or back), flipping where the width sits: V2's block of width c and expansion
 * t becomes a sandglass block of width c·t and reduction t, whose narrow middle is c — the wide ends now carry
 * the shortcut, as in the MobileNeXt paper's comparison. Repeats, kernels and strides are kept.
 */
function swapBlocks(stages: string[][], to: BlockFamily): string[][] {
  const [from, into, drop] = to === 'sandglass' ? ['ir_', 'sg_', /_(sc1x1|nosc|b|fx|n\w+)(?=_|$)/g] : ['sg_', 'ir_', /_(keep|i\d+)(?=_|$)/g];
  return stages.map((stage) =>
    stage.map((token) => {
      if (/^(uir|er|mqa)_/.test(token)) throw new ModelConfigError(`block: '${token}' is a MobileNetV4 block; only V2-style blocks can be swapped`);
      if (!token.startsWith(from)) return token;
      if (/_x\d+|_se/.test(token)) throw new ModelConfigError(`block: '${token}' is a V3 bneck; only V2-style blocks can be swapped`);
      const ratio = Number(/_e(\d+(?:\.\d+)?)/.exec(token)?.[1] ?? 1);
      const swapped = into + token.slice(from.length).replace(drop, '');
      return swapped.replace(/_c(\d+)/, (_, c: string) => `_c${to === 'sandglass' ? Number(c) * ratio : Math.round(Number(c) / ratio)}`);
    }),
  );
}

export function resolveRecipe(name: string, spec: ModelSpec, options: CreateModelOptions): ModelRecipe {
  const recipe: ModelRecipe = {
    name,
    numClasses: options.numClasses ?? spec.numClasses,
    inputSize: options.inputSize ?? spec.inputSize,
    widthMultiplier: options.widthMultiplier ?? spec.widthMultiplier,
    dropout: options.dropout ?? spec.dropout,
    block: options.block ?? null,
    features: options.features ?? 'logits',
  };
  const positiveInt = (k: 'numClasses' | 'inputSize') => {
    if (!Number.isInteger(recipe[k]) || recipe[k] < 1) throw new ModelConfigError(`${k} must be a positive integer, got ${recipe[k]}`);
  };
  positiveInt('numClasses');
  positiveInt('inputSize');
  if (!(recipe.widthMultiplier > 0)) throw new ModelConfigError(`widthMultiplier must be positive, got ${recipe.widthMultiplier}`);
  if (!(recipe.dropout >= 0 && recipe.dropout < 1)) throw new ModelConfigError(`dropout must be in [0, 1), got ${recipe.dropout}`);
  if (!['logits', 'embedding', 'stages'].includes(recipe.features)) throw new ModelConfigError(`features must be logits, embedding or stages, got ${recipe.features}`);
  if (recipe.block !== null && !['sandglass', 'inverted_residual'].includes(recipe.block)) {
    throw new ModelConfigError(`block must be sandglass or inverted_residual, got ${recipe.block}`);
  }
  return recipe;
}

/** The architecture's blocks as configs: stem, stages, head. */
export function modelBlocks(spec: ModelSpec, recipe: ModelRecipe): { stem: BlockConfig; stages: BlockConfig[][]; head: BlockConfig | null } {
  const width = (role: ChannelRole) => (c: number) => spec.width(c, recipe.widthMultiplier, role);
  const norm = spec.norm ? { norm: spec.norm } : {};
  const stem = decodeArch([spec.stem], { inChannels: 3, channels: width('stem'), ...norm });
  const stagesTokens = recipe.block ? swapBlocks(spec.stages, recipe.block) : spec.stages;
  const body = decodeArch(stagesTokens, { inChannels: stem.outChannels, channels: width('block'), ...norm });
  const head = spec.head ? decodeArch([spec.head], { inChannels: body.outChannels, channels: width('head'), ...norm }) : null;
  return { stem: stem.stages[0]![0]!, stages: body.stages, head: head ? head.stages[0]![0]! : null };
}

const outChannels = (c: BlockConfig) => (c.type === 'SqueezeExcite' ? c.channels : c.outChannels);

/** Builds the tfjs model of an architecture: stem, blocks, head, pooling, classifier. */
export function buildModel(spec: ModelSpec, recipe: ModelRecipe): tfl.LayersModel {
  const { stem, stages, head } = modelBlocks(spec, recipe);
  const input = tfl.input({ shape: [recipe.inputSize, recipe.inputSize, 3], name: 'input' });
  const byStride = new Map<number, tfl.SymbolicTensor>();
  let stride = 1;
  const add = (config: BlockConfig, name: string, x: tfl.SymbolicTensor) => {
    const y = createBlock({ ...config, name }).apply(x) as tfl.SymbolicTensor;
    stride *= 'stride' in config ? (config.stride ?? 1) : 1;
    byStride.set(stride, y);
    return y;
  };
  let x = add(stem, 'stem', input);
  stages.forEach((stage, si) => {
    stage.forEach((config, bi) => {
      x = add(config, `blocks_${si}_${bi}`, x);
    });
  });
  if (head) x = createBlock({ ...head, name: 'head' }).apply(x) as tfl.SymbolicTensor;
  let channels = outChannels(head ?? stages.at(-1)!.at(-1)!);

  let outputs: tfl.SymbolicTensor | tfl.SymbolicTensor[];
  if (recipe.features === 'stages') {
    outputs = [2, 4, 8, 16, 32].filter((s) => byStride.has(s)).map((s) => byStride.get(s)!);
  } else {
    let features = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
    if (spec.hidden) {
      const hidden = spec.width(spec.hidden.channels, recipe.widthMultiplier, 'hidden');
      const asMap = tfl.layers.reshape({ targetShape: [1, 1, channels], name: 'pool_map' }).apply(features) as tfl.SymbolicTensor;
      const conv = createBlock({
        type: 'ConvNormAct',
        name: 'hidden',
        inChannels: channels,
        outChannels: hidden,
        kernel: 1,
        bias: !spec.hidden.normalize,
        normalize: spec.hidden.normalize ?? false,
        activation: spec.hidden.activation,
      }).apply(asMap) as tfl.SymbolicTensor;
      features = tfl.layers.flatten({ name: 'hidden_flat' }).apply(conv) as tfl.SymbolicTensor;
      channels = hidden;
    }
    if (recipe.features === 'embedding') {
      outputs = features;
    } else {
      if (recipe.dropout > 0) features = tfl.layers.dropout({ rate: recipe.dropout, name: 'dropout' }).apply(features) as tfl.SymbolicTensor;
      outputs = tfl.layers.dense({ units: recipe.numClasses, name: 'classifier' }).apply(features) as tfl.SymbolicTensor;
    }
  }
  const model = tfl.model({ inputs: input, outputs, name: recipe.name });
  model.setUserDefinedMetadata({ mobilenets: recipe as unknown as Record<string, unknown> });
  return model;
}
