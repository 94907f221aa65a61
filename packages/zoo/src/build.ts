import { type BlockConfig, type BlockLayer, createBlock } from '@mobilenets/blocks';
import type { Size2 } from '@mobilenets/ops';
import * as tfl from '@tensorflow/tfjs-layers';
import { decodeArch } from './arch/decode.js';
import type { ChannelRole, ModelSpec } from './arch/specs.js';
import { ModelConfigError } from './errors.js';
import { ZooModel } from './model.js';
import { closest } from './suggest.js';

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
  /** Rebuild the layout from another block family (same strides, widths and ratios); null: the architecture's own. */
  block?: BlockFamily | null;
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

const OPTIONS: readonly (keyof CreateModelOptions)[] = ['numClasses', 'inputSize', 'widthMultiplier', 'dropout', 'block', 'features'];
/** Widths the zoo builds: every published MobileNet lies in [0.25, 1.4]; 4 leaves room, 100 (for a `_100` name) does not. */
export const MAX_WIDTH_MULTIPLIER = 4;
/** Labels are int32 (the data loader's `y`), so class ids stop at 2³¹ − 1. */
const MAX_CLASSES = 2 ** 31 - 1;
/** Weights `createModel` allocates at most (float32): 2 GiB, half of what a wasm module can address. */
export const MAX_WEIGHT_BYTES = 2 * 1024 ** 3;

/** Unknown keys are typed errors (a misspelt option would otherwise be ignored in silence). */
function checkOptionKeys(options: CreateModelOptions): void {
  if (options === null || typeof options !== 'object') throw new ModelConfigError(`options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if ((OPTIONS as readonly string[]).includes(key)) continue;
    const guess = closest(key, OPTIONS);
    throw new ModelConfigError(`unknown option '${key}'${guess ? `; did you mean '${guess}'?` : ''} (options: ${OPTIONS.join(', ')})`);
  }
}

export function resolveRecipe(name: string, spec: ModelSpec, options: CreateModelOptions): ModelRecipe {
  checkOptionKeys(options);
  const recipe: ModelRecipe = {
    name,
    numClasses: options.numClasses ?? spec.numClasses,
    inputSize: options.inputSize ?? spec.inputSize,
    widthMultiplier: options.widthMultiplier ?? spec.widthMultiplier,
    dropout: options.dropout ?? spec.dropout,
    block: options.block ?? null,
    features: options.features ?? 'logits',
  };
  const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));
  const positiveInt = (k: 'numClasses' | 'inputSize', max = Number.POSITIVE_INFINITY) => {
    if (!Number.isInteger(recipe[k]) || recipe[k] < 1 || recipe[k] > max) {
      throw new ModelConfigError(`${k} must be a positive integer${max < Number.POSITIVE_INFINITY ? ` up to ${max}` : ''}, got ${show(recipe[k])}`);
    }
  };
  positiveInt('numClasses', MAX_CLASSES);
  positiveInt('inputSize');
  const w = recipe.widthMultiplier;
  if (typeof w !== 'number' || !(w > 0 && w <= MAX_WIDTH_MULTIPLIER)) {
    const hint = typeof w === 'number' && w >= 10 ? ` (a name's suffix is the width × 100: ${name} has ${spec.widthMultiplier})` : '';
    throw new ModelConfigError(`widthMultiplier must be in (0, ${MAX_WIDTH_MULTIPLIER}], got ${show(w)}${hint}`);
  }
  if (typeof recipe.dropout !== 'number' || !(recipe.dropout >= 0 && recipe.dropout < 1)) {
    throw new ModelConfigError(`dropout must be in [0, 1), got ${show(recipe.dropout)}`);
  }
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
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(bytes < 1024 ** 4 ? 2 : 0)} GiB`;

/**
 * Trainable weights of the model about to be built, from the blocks' cost model (nothing allocated yet): blocks,
 * then the V3 hidden conv and the classifier when the model has them. Refused above `MAX_WEIGHT_BYTES`.
 */
function checkWeightMemory(spec: ModelSpec, recipe: ModelRecipe, blocks: BlockLayer<BlockConfig>[], channels: number): void {
  let size: Size2 = recipe.inputSize;
  let params = 0;
  for (const block of blocks) {
    const cost = block.cost(size);
    params += cost.params;
    size = cost.outputSize;
  }
  if (recipe.features !== 'stages') {
    const hidden = spec.hidden ? spec.width(spec.hidden.channels, recipe.widthMultiplier, 'hidden') : 0;
    if (hidden > 0) params += channels * hidden + hidden;
    if (recipe.features === 'logits') params += (hidden || channels) * recipe.numClasses + recipe.numClasses;
  }
  if (params * 4 > MAX_WEIGHT_BYTES) {
    throw new ModelConfigError(
      `${recipe.name} with numClasses ${recipe.numClasses} and widthMultiplier ${recipe.widthMultiplier} would hold ` +
        `${params.toLocaleString('en-US')} weights, ${gib(params * 4)} as float32; the zoo builds at most ${gib(MAX_WEIGHT_BYTES)} of weights`,
    );
  }
}

/** Builds the tfjs model of an architecture: stem, blocks, head, pooling, classifier. */
export function buildModel(spec: ModelSpec, recipe: ModelRecipe): tfl.LayersModel {
  const { stem, stages, head } = modelBlocks(spec, recipe);
  const configs: [BlockConfig, string][] = [[stem, 'stem'], ...stages.flatMap((stage, si) => stage.map((c, bi): [BlockConfig, string] => [c, `blocks_${si}_${bi}`]))];
  // The stages' features end at the last block: a head would be built and then left out of the model.
  if (head && recipe.features !== 'stages') configs.push([head, 'head']);
  const blocks = configs.map(([config, name]) => createBlock({ ...config, name })); // no weights until wired
  const channels = outChannels(configs.at(-1)![0]);
  checkWeightMemory(spec, recipe, blocks, channels);
  const layers: tfl.layers.Layer[] = [...blocks];
  try {
    return wire(spec, recipe, blocks, channels, layers);
  } catch (err) {
    for (const layer of layers) for (const w of layer.weights) w.dispose(); // a model that failed to build owns nothing
    throw err;
  }
}

/**
 * Connects the blocks (building them: their weights are made here), then pooling and the classifier; every layer
 * with weights is added to `layers`.
 */
function wire(spec: ModelSpec, recipe: ModelRecipe, blocks: BlockLayer<BlockConfig>[], channels: number, layers: tfl.layers.Layer[]): tfl.LayersModel {
  const input = tfl.input({ shape: [recipe.inputSize, recipe.inputSize, 3], name: 'input' });
  const byStride = new Map<number, tfl.SymbolicTensor>();
  let stride = 1;
  let x = input;
  for (const block of blocks) {
    x = block.apply(x) as tfl.SymbolicTensor;
    stride *= 'stride' in block.block ? block.block.stride : 1;
    byStride.set(stride, x);
  }
  const withWeights = <L extends tfl.layers.Layer>(layer: L) => {
    layers.push(layer);
    return layer;
  };

  let outputs: tfl.SymbolicTensor | tfl.SymbolicTensor[];
  if (recipe.features === 'stages') {
    outputs = [2, 4, 8, 16, 32].filter((s) => byStride.has(s)).map((s) => byStride.get(s)!);
  } else {
    let features = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
    if (spec.hidden) {
      const hidden = spec.width(spec.hidden.channels, recipe.widthMultiplier, 'hidden');
      const asMap = tfl.layers.reshape({ targetShape: [1, 1, channels], name: 'pool_map' }).apply(features) as tfl.SymbolicTensor;
      const conv = withWeights(
        createBlock({
          type: 'ConvNormAct',
          name: 'hidden',
          inChannels: channels,
          outChannels: hidden,
          kernel: 1,
          bias: !spec.hidden.normalize,
          normalize: spec.hidden.normalize ?? false,
          activation: spec.hidden.activation,
        }),
      ).apply(asMap) as tfl.SymbolicTensor;
      features = tfl.layers.flatten({ name: 'hidden_flat' }).apply(conv) as tfl.SymbolicTensor;
    }
    if (recipe.features === 'embedding') {
      outputs = features;
    } else {
      if (recipe.dropout > 0) features = tfl.layers.dropout({ rate: recipe.dropout, name: 'dropout' }).apply(features) as tfl.SymbolicTensor;
      // torchvision's (and MobileNeXt's) classifier init: N(0, 0.01), zero bias — not tfjs' Glorot default.
      const classifier = tfl.layers.dense({ units: recipe.numClasses, name: 'classifier', kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 0.01 }) });
      outputs = withWeights(classifier).apply(features) as tfl.SymbolicTensor;
    }
  }
  const model = new ZooModel({ inputs: input, outputs, name: recipe.name });
  model.setUserDefinedMetadata({ mobilenets: recipe as unknown as Record<string, unknown> });
  return model;
}
