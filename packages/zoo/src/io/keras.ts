import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../arch/specs.js';
import { ModelConfigError } from '../errors.js';
import { type FamilyMap, KERAS_NAMING, type UnitModules, mapModel, widthGroups } from './keymap.js';
import type { WeightSource } from './layout.js';

/*
 * Layer names of keras-applications (keras/applications/mobilenet.py, mobilenet_v2.py, mobilenet_v3.py, Keras 2),
 * from our knowledge of those files (not read here). Keras's tensors are in our layout; its classifiers of V1
 * (`conv_preds`) and V3 (`Logits`) are 1×1 convolutions, read into our Dense.
 * - MobileNet: `conv1` + `conv1_bn`, then per block n = 1…13 `conv_dw_<n>` + `conv_dw_<n>_bn`, `conv_pw_<n>` +
 *   `conv_pw_<n>_bn`, `conv_preds`. Keras uses ReLU6 where our V1 uses ReLU.
 * - MobileNetV2: `Conv1` + `bn_Conv1`, block 0 `expanded_conv_depthwise` / `expanded_conv_project` (+ `_BN`),
 *   blocks n ≥ 1 `block_<n>_expand` / `_depthwise` / `_project` (+ `_BN`), `Conv_1` + `Conv_1_bn`, `predictions`.
 * - MobileNetV3Small / Large: `Conv` + `Conv/BatchNorm`, block 0 `expanded_conv/…`, block n `expanded_conv_<n>/…`
 *   with `expand`, `depthwise`, `squeeze_excite/Conv` / `Conv_1`, `project` (+ `/BatchNorm`), `Conv_1` +
 *   `Conv_1/BatchNorm`, `Conv_2` (with bias), `Logits`. Keras keeps the 16-wide stem and the 1024 / 1280 `Conv_2`
 *   at every alpha ≤ 1 and widens `Conv_1` from the last block's rounded width: only alpha 1.0 has our shapes.
 * Keras pads stride-2 convolutions asymmetrically (ZeroPadding2D + 'valid', TF's 'same') and uses BatchNorm eps 1e-3;
 * the weights load, but logits equal Keras's only where padding and eps agree.
 */

const keras = (layer: string, norm: string): UnitModules => ({ conv: layer, norm });

function familyMap(spec: ModelSpec): FamilyMap {
  const groups = widthGroups(spec);
  const flat = (layer: string) => groups.get(layer)?.flat;
  switch (spec.family) {
    case 'mobilenetv1':
      return {
        classifier: { module: 'conv_preds', layout: 'squeeze' },
        modules: (layer, unit) => {
          if (layer === 'stem') return keras('conv1', 'conv1_bn');
          const i = flat(layer);
          const kind = { depthwise: 'dw', pointwise: 'pw' }[unit];
          return i === undefined || !kind ? undefined : keras(`conv_${kind}_${i + 1}`, `conv_${kind}_${i + 1}_bn`);
        },
      };
    case 'mobilenetv2':
      return {
        classifier: { module: 'predictions', layout: 'same' },
        modules: (layer, unit) => {
          if (layer === 'stem') return keras('Conv1', 'bn_Conv1');
          if (layer === 'head') return keras('Conv_1', 'Conv_1_bn');
          const i = flat(layer);
          if (i === undefined || !['expand', 'depthwise', 'project'].includes(unit)) return undefined;
          const name = i === 0 ? `expanded_conv_${unit}` : `block_${i}_${unit}`;
          return keras(name, `${name}_BN`);
        },
      };
    case 'mobilenetv3':
      return {
        classifier: { module: 'Logits', layout: 'squeeze' },
        modules: (layer, unit) => {
          if (layer === 'stem') return keras('Conv', 'Conv/BatchNorm');
          if (layer === 'head') return keras('Conv_1', 'Conv_1/BatchNorm');
          if (layer === 'hidden') return { conv: 'Conv_2' };
          const i = flat(layer);
          if (i === undefined) return undefined;
          const block = i === 0 ? 'expanded_conv' : `expanded_conv_${i}`;
          if (unit === 'se') return { reduce: `${block}/squeeze_excite/Conv`, expand: `${block}/squeeze_excite/Conv_1` };
          return ['expand', 'depthwise', 'project'].includes(unit) ? keras(`${block}/${unit}`, `${block}/${unit}/BatchNorm`) : undefined;
        },
      };
    default:
      throw new ModelConfigError(`no Keras key map for ${spec.family} (keras-applications has MobileNet, MobileNetV2 and MobileNetV3)`);
  }
}

/** keras-applications' weight name (`<layer>/<weight>:0`) for every weight of a model built by the zoo (MobileNet V1, V2, V3). */
export function kerasSources(model: tfl.LayersModel, spec: ModelSpec): Map<string, WeightSource> {
  return mapModel(model, KERAS_NAMING, familyMap(spec), 'Keras');
}
