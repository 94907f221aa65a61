import { BlockLayer } from '@mobilenets/blocks';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../arch/specs.js';
import { ModelConfigError } from '../errors.js';
import { localName } from './keymap.js';
import type { WeightSource } from './layout.js';

const NORM: Record<string, string> = { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' };
const SE: Record<string, string> = { reduce_kernel: 'fc1.weight', reduce_bias: 'fc1.bias', expand_kernel: 'fc2.weight', expand_bias: 'fc2.bias' };

/** Unit names of a block in build order (trainable weights come first, in the order the units made them). */
function units(layer: tfl.layers.Layer): string[] {
  return [...new Set(layer.trainableWeights.map((w) => localName(layer, w).split('/')[0]!))];
}

/** A weight of a Conv2dNormActivation-style unit at `prefix` (`.0` conv, `.1` BatchNorm), or of SE. */
function unitSource(prefix: string, weight: string, depthwise: boolean, plainConvBn?: string): WeightSource {
  if (SE[weight]) return { key: `${prefix}.${SE[weight]}`, layout: weight.endsWith('kernel') ? 'conv' : 'vector' };
  if (weight === 'kernel') return { key: plainConvBn ? `${prefix}.weight` : `${prefix}.0.weight`, layout: depthwise ? 'depthwise' : 'conv' };
  if (weight === 'bias') return { key: plainConvBn ? `${prefix}.bias` : `${prefix}.0.bias`, layout: 'vector' };
  return { key: `${plainConvBn ?? `${prefix}.1`}.${NORM[weight]}`, layout: 'vector' };
}

/**
 * torchvision's state_dict key for every weight of a model built by the zoo (MobileNetV2, V3-Large,
 * V3-Small), keyed by the weight's name in the model (`<layer>/<unit>/<weight>`).
 */
export function torchvisionSources(model: tfl.LayersModel, spec: ModelSpec): Map<string, WeightSource> {
  if (spec.family !== 'mobilenetv2' && spec.family !== 'mobilenetv3') {
    throw new ModelConfigError(`torchvision weights exist for MobileNetV2 and V3 only, not ${spec.family}`);
  }
  if (spec.stages.flat().some((t) => /_(sc1x1|b|fx)(_|$)/.test(t))) {
    throw new ModelConfigError('torchvision has no weights for seed 004\'s shortcut variant');
  }
  const v2 = spec.family === 'mobilenetv2';
  const sources = new Map<string, WeightSource>();
  let feature = 0;
  for (const layer of model.layers) {
    const names = units(layer);
    const add = (unit: string, source: (weight: string, depthwise: boolean) => WeightSource) => {
      for (const w of layer.weights.filter((v) => localName(layer, v).startsWith(`${unit}/`))) {
        const weight = localName(layer, w).slice(unit.length + 1);
        const depthwise = weight === 'kernel' && w.shape[3] === 1 && w.shape[0]! > 1;
        sources.set(w.originalName, source(weight, depthwise));
      }
    };
    if (layer.name === 'hidden') {
      add('conv', (weight) => ({ key: `classifier.0.${weight === 'kernel' ? 'weight' : 'bias'}`, layout: weight === 'kernel' ? 'linearAsConv' : 'vector' }));
    } else if (layer.name === 'classifier') {
      const index = v2 ? 1 : 3;
      for (const w of layer.weights) {
        const kernel = w.shape.length === 2;
        sources.set(w.originalName, { key: `classifier.${index}.${kernel ? 'weight' : 'bias'}`, layout: kernel ? 'linear' : 'vector' });
      }
    } else if (layer instanceof BlockLayer) {
      const f = feature++;
      if (layer.name === 'stem' || layer.name === 'head') {
        add('conv', (weight, dw) => unitSource(`features.${f}`, weight, dw));
      } else {
        names.forEach((unit, j) => {
          // V2's projection is a bare Conv2d then BatchNorm2d (conv.j, conv.j+1); everything else is Conv2dNormActivation.
          const project = v2 && unit === 'project';
          add(unit, (weight, dw) =>
            unitSource(`features.${f}.${v2 ? 'conv' : 'block'}.${j}`, weight, dw, project ? `features.${f}.conv.${j + 1}` : undefined),
          );
        });
      }
    }
  }
  return sources;
}
