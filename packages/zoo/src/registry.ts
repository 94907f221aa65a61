import type * as tfl from '@tensorflow/tfjs-layers';
import {
  type ModelSpec,
  mobilenetV1,
  mobilenetV1Cifar,
  mobilenetV2,
  mobilenetV2Conv1x1Shortcut,
  mobilenetV3,
  mobilenetV4,
  mobilenext,
} from './arch/specs.js';
import { type CreateModelOptions, buildModel, resolveRecipe } from './build.js';
import { ModelConfigError } from './errors.js';

/** Builds a model of a registered name. */
export type ModelFactory = (options: CreateModelOptions) => tfl.LayersModel;

const factories = new Map<string, ModelFactory>();
const specs = new Map<string, ModelSpec>();

/**
 * Registers a model under `name` (timm style: family_width×100): a factory, or an architecture spec, whose
 * preprocessing then becomes the default of the models saved under that name. Replacing a name is an error.
 */
export function registerModel(name: string, model: ModelFactory | ModelSpec): void {
  if (factories.has(name)) throw new ModelConfigError(`a model named '${name}' is already registered`);
  if (typeof model === 'function') factories.set(name, model);
  else registerSpec(name, model);
}

function registerSpec(name: string, spec: ModelSpec): void {
  registerModel(name, (options) => buildModel(spec, resolveRecipe(name, spec, options)));
  specs.set(name, spec);
}

/** The registered names, sorted; with `filter`, those containing it or matching it. */
export function listModels(filter?: string | RegExp): string[] {
  const names = [...factories.keys()].sort();
  if (filter === undefined) return names;
  return names.filter((n) => (typeof filter === 'string' ? n.includes(filter) : filter.test(n)));
}

export function createModel(name: string, options: CreateModelOptions = {}): tfl.LayersModel {
  const factory = factories.get(name);
  if (!factory) throw new ModelConfigError(`unknown model '${name}'; registered: ${listModels().join(', ')}`);
  return factory(options);
}

/** The architecture behind a built-in name (undefined for models registered with a bare factory). */
export function modelSpec(name: string): ModelSpec | undefined {
  return specs.get(name);
}

const widths = (list: number[]) => list.map((w) => [w, String(Math.round(w * 100)).padStart(3, '0')] as const);

for (const [w, tag] of widths([1, 0.75, 0.5, 0.25])) registerSpec(`mobilenetv1_${tag}`, mobilenetV1(w));
registerSpec('mobilenetv1_cifar', mobilenetV1Cifar());
for (const [w, tag] of widths([0.35, 0.5, 0.75, 1, 1.3, 1.4])) registerSpec(`mobilenetv2_${tag}`, mobilenetV2(w));
registerSpec('mobilenetv2_100_conv1x1shortcut', mobilenetV2Conv1x1Shortcut(1));
for (const size of ['large', 'small'] as const) {
  for (const [w, tag] of widths([0.75, 1])) registerSpec(`mobilenetv3_${size}_${tag}`, mobilenetV3(size, w));
  registerSpec(`mobilenetv3_${size}_minimal_100`, mobilenetV3(size, 1, true));
}
for (const [w, tag] of widths([0.35, 0.5, 0.75, 1, 1.4])) registerSpec(`mobilenext_${tag}`, mobilenext(w));
for (const variant of ['conv_small', 'conv_medium', 'conv_large', 'hybrid_medium', 'hybrid_large'] as const) registerSpec(`mobilenetv4_${variant}`, mobilenetV4(variant, 1));
