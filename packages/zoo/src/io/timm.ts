import type { BlockConfig } from '@mobilenets/blocks';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../arch/specs.js';
import { ModelConfigError } from '../errors.js';
import { type FamilyMap, TORCH_NAMING, type UnitModules, blockIndex, mapModel, widthGroups } from './keymap.js';
import type { WeightSource } from './layout.js';

/*
 * timm's state_dict keys (timm/models/_efficientnet_blocks.py, efficientnet.py, mobilenetv3.py, timm 1.0.29).
 * V1 and V2 are timm's EfficientNet class (conv_stem/bn1, blocks, conv_head/bn2, classifier); V3 and V4 its
 * MobileNetV3 class (conv_stem/bn1, blocks, then conv_head without BatchNorm for V3 and with norm_head for V4).
 */

/** timm's ConvNormAct (`.conv`, `.bn`), as MobileNetV4's blocks hold their convolutions. */
const convNormAct = (module: string): UnitModules => ({ conv: `${module}.conv`, norm: `${module}.bn` });
const kv = (branch: 'key' | 'value') => ({ [`${branch}_down`]: { conv: `attn.${branch}.down_conv`, norm: `attn.${branch}.norm` }, [branch]: { conv: `attn.${branch}.proj` } });
const SE: UnitModules = { reduce: 'se.conv_reduce', expand: 'se.conv_expand' };
/** DepthwiseSeparableConv: V1's blocks, and V2's / V3's first block (no expansion). */
const DS: Record<string, UnitModules> = { depthwise: { conv: 'conv_dw', norm: 'bn1' }, pointwise: { conv: 'conv_pw', norm: 'bn2' }, project: { conv: 'conv_pw', norm: 'bn2' }, se: SE };
/** InvertedResidual. */
const IR: Record<string, UnitModules> = { expand: { conv: 'conv_pw', norm: 'bn1' }, depthwise: { conv: 'conv_dw', norm: 'bn2' }, project: { conv: 'conv_pwl', norm: 'bn3' }, se: SE };

/** Our units → timm's modules, by block type; a block without an expansion unit is timm's DepthwiseSeparableConv. */
const TIMM_UNITS: Partial<Record<BlockConfig['type'], Record<string, UnitModules>>> = {
  ConvNormAct: { conv: { conv: 'conv', norm: 'bn1' } }, // ConvBnAct
  DepthwiseSeparable: DS,
  InvertedResidual: IR,
  Bneck: IR,
  UniversalInvertedBottleneck: {
    start: convNormAct('dw_start'),
    expand: convNormAct('pw_exp'),
    middle: convNormAct('dw_mid'),
    project: convNormAct('pw_proj'),
    end: convNormAct('dw_end'),
    se: SE,
    layer_scale: { param: 'layer_scale.gamma' },
  },
  FusedInvertedBottleneck: { expand: { conv: 'conv_exp', norm: 'bn1' }, project: { conv: 'conv_pwl', norm: 'bn2' } }, // EdgeResidual
  MobileMQA: {
    norm: { norm: 'norm' },
    query: { conv: 'attn.query.proj' },
    ...kv('key'),
    ...kv('value'),
    output: { conv: 'attn.output.proj' },
    layer_scale: { param: 'layer_scale.gamma' },
  }, // MobileAttention
};

interface TimmFamily {
  /** Our stem / head / hidden layers → timm's modules; `head: 'block'`: our head conv is timm's last block (V3). */
  layers: Record<string, UnitModules | 'block'>;
  /** `spec`: timm's stages are our stages (V4); `width`: timm starts a stage at each change of output width (V1–V3). */
  stages: 'spec' | 'width';
}

const TIMM_FAMILIES: Partial<Record<ModelSpec['family'], TimmFamily>> = {
  mobilenetv1: { layers: { stem: { conv: 'conv_stem', norm: 'bn1' } }, stages: 'width' },
  mobilenetv2: { layers: { stem: { conv: 'conv_stem', norm: 'bn1' }, head: { conv: 'conv_head', norm: 'bn2' } }, stages: 'width' },
  mobilenetv3: { layers: { stem: { conv: 'conv_stem', norm: 'bn1' }, head: 'block', hidden: { conv: 'conv_head' } }, stages: 'width' },
  mobilenetv4: { layers: { stem: { conv: 'conv_stem', norm: 'bn1' }, hidden: { conv: 'conv_head', norm: 'norm_head' } }, stages: 'spec' },
};

const prefixed = (prefix: string, m: UnitModules | undefined): UnitModules | undefined =>
  m && Object.fromEntries(Object.entries(m).map(([k, v]) => [k, `${prefix}${v}`]));

/**
 * timm's state_dict key for every weight of a model built by the zoo (MobileNetV1, V2, V3, V4), keyed by the
 * weight's name in the model (`<layer>/<unit>/<weight>`).
 */
export function timmSources(model: tfl.LayersModel, spec: ModelSpec): Map<string, WeightSource> {
  const family = TIMM_FAMILIES[spec.family];
  if (!family) throw new ModelConfigError(`no timm key map for ${spec.family} (timm has no MobileNeXt)`);
  const groups = family.stages === 'width' ? widthGroups(spec) : undefined;
  const lastStage = groups ? Math.max(...[...groups.values()].map((g) => g.group)) : 0;
  const map: FamilyMap = {
    classifier: { module: 'classifier', layout: 'linear' },
    modules: (layer, unit, units, block) => {
      const fixed = family.layers[layer];
      if (fixed === 'block') return prefixed(`blocks.${lastStage + 1}.0.`, TIMM_UNITS.ConvNormAct![unit]);
      if (fixed) return unit === 'conv' ? fixed : undefined;
      const index = blockIndex(layer);
      if (!index) return undefined;
      const g = groups?.get(layer);
      const [stage, inStage] = g ? [g.group, g.inGroup] : index;
      const table = !units.includes('expand') && (block.type === 'InvertedResidual' || block.type === 'Bneck') ? DS : TIMM_UNITS[block.type];
      return prefixed(`blocks.${stage}.${inStage}.`, table?.[unit]);
    },
  };
  return mapModel(model, TORCH_NAMING, map, 'timm');
}
