import { type BlockConfig, BlockLayer } from '@mobilenets/blocks';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../arch/specs.js';
import { parseToken } from '../arch/tokens.js';
import { ModelConfigError } from '../errors.js';
import type { Layout, WeightSource } from './layout.js';

/*
 * The shared machinery of the key maps (timm.ts, paddle.ts, keras.ts): each family's map says which module of the
 * other framework holds each of our units; a Naming says how that framework names a module's parameters.
 */

/** The modules behind one of our units: its convolution and BatchNorm, or squeeze-excite's two convolutions, or one parameter. */
export interface UnitModules {
  conv?: string;
  norm?: string;
  reduce?: string;
  expand?: string;
  /** A unit that is one parameter (LayerScale's gamma): its full key. */
  param?: string;
}

/** How a framework names the parameters of a convolution, a BatchNorm and a classifier, and lays them out. */
export interface Naming {
  join: (module: string, parameter: string) => string;
  kernel: string;
  depthwiseKernel: string;
  bias: string;
  norm: Record<'gamma' | 'beta' | 'moving_mean' | 'moving_variance', string>;
  conv: Layout;
  depthwise: Layout;
}

const dot = (m: string, p: string) => `${m}.${p}`;
export const TORCH_NAMING: Naming = {
  join: dot,
  kernel: 'weight',
  depthwiseKernel: 'weight',
  bias: 'bias',
  norm: { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' },
  conv: 'conv',
  depthwise: 'depthwise',
};
/** Paddle: PyTorch's conv layout; BatchNorm's statistics are `_mean` / `_variance`. */
export const PADDLE_NAMING: Naming = { ...TORCH_NAMING, norm: { gamma: 'weight', beta: 'bias', moving_mean: '_mean', moving_variance: '_variance' } };
/** Keras 2's h5 weight names (`<layer>/kernel:0`); its tensors are in our layout already. */
export const KERAS_NAMING: Naming = {
  join: (m, p) => `${m}/${p}`,
  kernel: 'kernel:0',
  depthwiseKernel: 'depthwise_kernel:0',
  bias: 'bias:0',
  norm: { gamma: 'gamma:0', beta: 'beta:0', moving_mean: 'moving_mean:0', moving_variance: 'moving_variance:0' },
  conv: 'same',
  depthwise: 'same',
};

/** A family's map: the modules of each unit of each of our layers, and the classifier. */
export interface FamilyMap {
  /**
   * `layer`: stem, blocks_S_B, head or hidden; `units`: the layer's units in build order. Undefined: the other
   * framework has no such unit.
   */
  modules: (layer: string, unit: string, units: readonly string[], block: BlockConfig) => UnitModules | undefined;
  classifier: { module: string; layout: Layout };
}

/** Our weight names are `<layer>/<unit>/<weight>` inside a model; this is `<unit>/<weight>`. */
export function localName(layer: tfl.layers.Layer, w: tfl.LayerVariable): string {
  return w.originalName.startsWith(`${layer.name}/`) ? w.originalName.slice(layer.name.length + 1) : w.originalName;
}

function weightSource(naming: Naming, modules: UnitModules, weight: string, shape: readonly (number | null)[]): WeightSource | undefined {
  if (modules.param) return { key: modules.param, layout: 'vector' };
  const [part, param] = /^(reduce|expand)_(kernel|bias)$/.exec(weight)?.slice(1) ?? [undefined, weight];
  const conv = part ? modules[part as 'reduce' | 'expand'] : modules.conv;
  if (param === 'kernel' && conv) {
    const depthwise = shape[3] === 1 && shape[0]! > 1;
    return { key: naming.join(conv, depthwise ? naming.depthwiseKernel : naming.kernel), layout: depthwise ? naming.depthwise : naming.conv };
  }
  if (param === 'bias' && conv) return { key: naming.join(conv, naming.bias), layout: 'vector' };
  const norm = naming.norm[weight as keyof Naming['norm']];
  if (norm && modules.norm) return { key: naming.join(modules.norm, norm), layout: 'vector' };
  return undefined;
}

/** The other framework's key for every weight of a model built by the zoo, keyed by the weight's name in the model. */
export function mapModel(model: tfl.LayersModel, naming: Naming, family: FamilyMap, source: string): Map<string, WeightSource> {
  const sources = new Map<string, WeightSource>();
  for (const layer of model.layers) {
    if (layer.name === 'classifier') {
      for (const w of layer.weights) {
        const kernel = w.shape.length === 2;
        const { module, layout } = family.classifier;
        sources.set(w.originalName, { key: naming.join(module, kernel ? naming.kernel : naming.bias), layout: kernel ? layout : 'vector' });
      }
      continue;
    }
    if (!(layer instanceof BlockLayer)) continue;
    const units = [...new Set(layer.trainableWeights.map((w) => localName(layer, w).split('/')[0]!))];
    for (const w of layer.weights) {
      const local = localName(layer, w);
      const slash = local.indexOf('/');
      const modules = family.modules(layer.name, local.slice(0, slash), units, layer.block as BlockConfig);
      const found = modules && weightSource(naming, modules, local.slice(slash + 1), w.shape);
      if (!found) throw new ModelConfigError(`no ${source} key for ${w.originalName} (${layer.getClassName()})`);
      sources.set(w.originalName, found);
    }
  }
  return sources;
}

/** `blocks_3_2` → [3, 2]; undefined for the stem, head and hidden layers. */
export function blockIndex(layer: string): [number, number] | undefined {
  const m = /^blocks_(\d+)_(\d+)$/.exec(layer);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * Our blocks in build order, each with the group it falls in when blocks are grouped by output width at width
 * 1.0 (a new group at each change): timm's V1–V3 arch_defs and PaddleClas's MobileNetV2 group them so, where
 * our specs group by stride. `blocks_S_B` → { flat: index over all blocks, group, inGroup: index in its group }.
 */
export function widthGroups(spec: ModelSpec): Map<string, { flat: number; group: number; inGroup: number }> {
  const out = new Map<string, { flat: number; group: number; inGroup: number }>();
  let flat = 0;
  let group = -1;
  let inGroup = 0;
  let width: number | undefined;
  spec.stages.forEach((stage, s) => {
    let b = 0;
    for (const token of stage) {
      const { repeats, outChannels } = parseToken(token);
      for (let r = 0; r < repeats; r++) {
        if (outChannels !== width) [group, inGroup, width] = [group + 1, 0, outChannels];
        out.set(`blocks_${s}_${b++}`, { flat: flat++, group, inGroup: inGroup++ });
      }
    }
  });
  return out;
}
