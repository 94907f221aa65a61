import { type BlockConfig, BlockLayer } from '@mobilenets/blocks';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../arch/specs.js';
import { ModelConfigError } from '../errors.js';
import { type TorchSource, localName } from './torchvision.js';

/** The timm modules behind one of our units: its convolution and its BatchNorm (either may be absent). */
interface TimmUnit {
  conv?: string;
  norm?: string;
}

/** timm's ConvNormAct (`.conv`, `.bn`), as MobileNetV4's blocks hold their convolutions. */
const convNormAct = (module: string): TimmUnit => ({ conv: `${module}.conv`, norm: `${module}.bn` });
const kv = (branch: 'key' | 'value') => ({ [`${branch}_down`]: { conv: `attn.${branch}.down_conv`, norm: `attn.${branch}.norm` }, [branch]: { conv: `attn.${branch}.proj` } });

/**
 * Our units → timm's modules, by block type (timm's `_efficientnet_blocks`); each block sits at `blocks.<stage>.<index>`.
 * The timm maps of the V1 / V2 / V3 blocks (DepthwiseSeparableConv, InvertedResidual) belong here too.
 */
const TIMM_UNITS: Partial<Record<BlockConfig['type'], Record<string, TimmUnit>>> = {
  ConvNormAct: { conv: { conv: 'conv', norm: 'bn1' } }, // ConvBnAct
  UniversalInvertedBottleneck: {
    start: convNormAct('dw_start'),
    expand: convNormAct('pw_exp'),
    middle: convNormAct('dw_mid'),
    project: convNormAct('pw_proj'),
    end: convNormAct('dw_end'),
  },
  FusedInvertedBottleneck: { expand: { conv: 'conv_exp', norm: 'bn1' }, project: { conv: 'conv_pwl', norm: 'bn2' } }, // EdgeResidual
  MobileMQA: { norm: { norm: 'norm' }, query: { conv: 'attn.query.proj' }, ...kv('key'), ...kv('value'), output: { conv: 'attn.output.proj' } }, // MobileAttention
};

/** The layers around the blocks, by family: our layer name → timm's modules. */
const TIMM_LAYERS: Partial<Record<ModelSpec['family'], Record<string, TimmUnit>>> = {
  mobilenetv4: { stem: { conv: 'conv_stem', norm: 'bn1' }, hidden: { conv: 'conv_head', norm: 'norm_head' } },
};

/** Weights of units with fixed timm names: squeeze-excite (timm's SqueezeExcite) and LayerScale2d. */
const FIXED: Record<string, string> = {
  'se/reduce_kernel': 'se.conv_reduce.weight',
  'se/reduce_bias': 'se.conv_reduce.bias',
  'se/expand_kernel': 'se.conv_expand.weight',
  'se/expand_bias': 'se.conv_expand.bias',
  'layer_scale/gamma': 'layer_scale.gamma',
};
const NORM: Record<string, string> = { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' };

function weightSource(prefix: string, local: string, shape: readonly (number | null)[], units: Record<string, TimmUnit>): TorchSource | undefined {
  const fixed = FIXED[local];
  if (fixed) return { key: `${prefix}${fixed}`, layout: local.endsWith('kernel') ? 'conv' : 'vector' };
  const [unit, weight] = local.split('/') as [string, string];
  const modules = units[unit];
  if (weight === 'kernel' && modules?.conv) {
    const depthwise = shape[3] === 1 && shape[0]! > 1;
    return { key: `${prefix}${modules.conv}.weight`, layout: depthwise ? 'depthwise' : 'conv' };
  }
  if (weight === 'bias' && modules?.conv) return { key: `${prefix}${modules.conv}.bias`, layout: 'vector' };
  if (NORM[weight] && modules?.norm) return { key: `${prefix}${modules.norm}.${NORM[weight]}`, layout: 'vector' };
  return undefined;
}

/**
 * timm's state_dict key for every weight of a model built by the zoo, keyed by the weight's name in the model
 * (`<layer>/<unit>/<weight>`): MobileNetV4 for now.
 */
export function timmSources(model: tfl.LayersModel, spec: ModelSpec): Map<string, TorchSource> {
  const layers = TIMM_LAYERS[spec.family];
  if (!layers) throw new ModelConfigError(`no timm key map for ${spec.family} yet (MobileNetV4 has one)`);
  const sources = new Map<string, TorchSource>();
  for (const layer of model.layers) {
    if (layer.name === 'classifier') {
      for (const w of layer.weights) {
        const kernel = w.shape.length === 2;
        sources.set(w.originalName, { key: `classifier.${kernel ? 'weight' : 'bias'}`, layout: kernel ? 'linear' : 'vector' });
      }
      continue;
    }
    if (!(layer instanceof BlockLayer)) continue;
    const block = /^blocks_(\d+)_(\d+)$/.exec(layer.name);
    const prefix = block ? `blocks.${block[1]}.${block[2]}.` : '';
    const units = block ? TIMM_UNITS[layer.block.type as BlockConfig['type']] : layers[layer.name] && { conv: layers[layer.name]! };
    if (!units) throw new ModelConfigError(`no timm key map for ${layer.name} (${layer.getClassName()})`);
    for (const w of layer.weights) {
      const source = weightSource(prefix, localName(layer, w), w.shape, units);
      if (!source) throw new ModelConfigError(`no timm key for ${w.originalName}`);
      sources.set(w.originalName, source);
    }
  }
  return sources;
}
