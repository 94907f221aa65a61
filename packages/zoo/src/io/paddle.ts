import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../arch/specs.js';
import { ModelConfigError } from '../errors.js';
import { type FamilyMap, PADDLE_NAMING, type UnitModules, blockIndex, mapModel, widthGroups } from './keymap.js';
import type { WeightSource } from './layout.js';

/*
 * PaddleClas's state_dict keys (`paddle.save(model.state_dict())`: structured names, BatchNorm `_mean` /
 * `_variance`, Linear weights [in, out]). Sources, from PaddleClas 2.x as we know it (not read here: no copy of
 * PaddleClas could be fetched, so each is as certain as that knowledge):
 * - MobileNetV1: ppcls/arch/backbone/legendary_models/mobilenet_v1.py — `conv` (ConvBNLayer: `.conv`, `.bn`),
 *   `blocks.<i>.depthwise_conv` / `.pointwise_conv`, `fc`. Same network as ours (ReLU, int(c · scale) widths).
 * - MobileNetV2: ppcls/arch/backbone/model_zoo/mobilenet_v2.py — `conv1` (`._conv`, `._batch_norm`), groups
 *   `conv2`…`conv8` of `_first_block` then `conv<g>_<k>`, each `_expand_conv` / `_bottleneck_conv` /
 *   `_linear_conv`, `conv9`, `out`. Its first block keeps a 1×1 expansion at t = 1 and its widths are int(c · scale)
 *   without rounding to 8, so its files fit our mobilenetv2 only as registered with `_fx` on the first block, at 1.0.
 * - MobileNetV3: ppcls/arch/backbone/legendary_models/mobilenet_v3.py — `conv`, `blocks.<i>.expand_conv` /
 *   `bottleneck_conv` / `mid_se.conv1` / `mid_se.conv2` / `linear_conv`, `last_second_conv`, `last_conv`, `fc`.
 *   A different network from torchvision's: an expansion in the first block, SE at c / 4 with hard-sigmoid slope
 *   0.2, a 1280-wide `last_conv` without bias: its files are refused by our V3s with a WeightMismatchError.
 * - MobileNeXt: seed 001 (the PaddleClas port of the official code): `features.0` (conv, BN), `features.<i>.conv.<j>`
 *   in its nn.Sequential (conv, BN, ReLU6 after the first depthwise and the expansion), `classifier.1`.
 */

/** PaddleClas's ConvBNLayer of the legendary models (`.conv`, `.bn`) and of the model zoo's MobileNetV2 (`._conv`, `._batch_norm`). */
const convBn = (m: string): UnitModules => ({ conv: `${m}.conv`, norm: `${m}.bn` });
const convBn2 = (m: string): UnitModules => ({ conv: `${m}._conv`, norm: `${m}._batch_norm` });

const V2_UNITS: Record<string, string> = { expand: '_expand_conv', depthwise: '_bottleneck_conv', project: '_linear_conv' };
const V3_UNITS: Record<string, string> = { expand: 'expand_conv', depthwise: 'bottleneck_conv', project: 'linear_conv' };
/** MobileNeXt's units in their nn.Sequential order; `true`: a ReLU6 follows the BatchNorm (and takes an index). */
const SANDGLASS_UNITS: [string, boolean][] = [
  ['depthwise_in', true],
  ['reduce', false],
  ['expand', true],
  ['depthwise_out', false],
];

function sandglassUnit(prefix: string, unit: string, units: readonly string[]): UnitModules | undefined {
  let index = 0;
  for (const [name, activated] of SANDGLASS_UNITS) {
    if (!units.includes(name)) continue;
    if (name === unit) return { conv: `${prefix}.conv.${index}`, norm: `${prefix}.conv.${index + 1}` };
    index += activated ? 3 : 2;
  }
  return undefined;
}

function familyMap(spec: ModelSpec): FamilyMap {
  const groups = widthGroups(spec);
  const flat = (layer: string) => groups.get(layer)?.flat;
  switch (spec.family) {
    case 'mobilenetv1':
      return {
        classifier: { module: 'fc', layout: 'same' },
        modules: (layer, unit) => {
          if (layer === 'stem') return convBn('conv');
          const i = flat(layer);
          return i === undefined ? undefined : convBn(`blocks.${i}.${unit}_conv`);
        },
      };
    case 'mobilenetv2':
      return {
        classifier: { module: 'out', layout: 'same' },
        modules: (layer, unit) => {
          if (layer === 'stem') return convBn2('conv1');
          if (layer === 'head') return convBn2('conv9');
          const g = groups.get(layer);
          const name = V2_UNITS[unit];
          if (!g || !name) return undefined;
          const group = `conv${g.group + 2}`;
          return convBn2(`${group}.${g.inGroup === 0 ? '_first_block' : `${group}_${g.inGroup + 1}`}.${name}`);
        },
      };
    case 'mobilenetv3':
      return {
        classifier: { module: 'fc', layout: 'same' },
        modules: (layer, unit) => {
          if (layer === 'stem') return convBn('conv');
          if (layer === 'head') return convBn('last_second_conv');
          if (layer === 'hidden') return { conv: 'last_conv' };
          const i = flat(layer);
          if (i === undefined) return undefined;
          if (unit === 'se') return { reduce: `blocks.${i}.mid_se.conv1`, expand: `blocks.${i}.mid_se.conv2` };
          return V3_UNITS[unit] ? convBn(`blocks.${i}.${V3_UNITS[unit]}`) : undefined;
        },
      };
    case 'mobilenext':
      return {
        classifier: { module: 'classifier.1', layout: 'same' },
        modules: (layer, unit, units) => {
          if (layer === 'stem') return { conv: 'features.0.0', norm: 'features.0.1' };
          const i = flat(layer);
          return i === undefined || !blockIndex(layer) ? undefined : sandglassUnit(`features.${i + 1}`, unit, units);
        },
      };
    case 'mobilenetv4':
      throw new ModelConfigError('no PaddleClas key map for mobilenetv4');
  }
}

/** PaddleClas's state_dict key for every weight of a model built by the zoo (MobileNetV1, V2, V3, MobileNeXt). */
export function paddleSources(model: tfl.LayersModel, spec: ModelSpec): Map<string, WeightSource> {
  return mapModel(model, PADDLE_NAMING, familyMap(spec), 'PaddleClas');
}
