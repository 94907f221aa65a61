import { IMAGENET_RESIZE_256 } from '../arch/specs.js';
import type { ModelRecipe } from '../build.js';
import { ModelFileError } from '../errors.js';
import { modelSpec } from '../registry.js';

export const FORMAT_VERSION = 1;

/** How inputs are prepared for a model: infer reads it, nobody re-types it. */
export interface Preprocessing {
  /** Shorter side resized to this, before the center crop. */
  resize: number;
  crop: number;
  interpolation: 'bilinear' | 'bicubic' | 'nearest';
  mean: [number, number, number];
  std: [number, number, number];
  /** Pixel values are scaled into this range before normalization. */
  inputRange: [number, number];
  channelOrder: 'RGB';
}

/** `mobilenets.json`: what a saved model is (see the model-directory contract). */
export interface ModelMetadata {
  formatVersion: number;
  /** Registry name. */
  name: string;
  options: Omit<ModelRecipe, 'name'>;
  preprocessing: Preprocessing;
  /** Class names, index = class id (null when unknown). */
  labels: string[] | null;
  provenance: { dataset?: string; epochs?: number; metrics?: Record<string, number>; packages: Record<string, string>; savedAt: string };
}

/**
 * The preprocessing of the model's architecture spec (its pretrained config) at the model's input size: the
 * resize scales with the input size. A model with no spec behind its name (registered with a bare factory)
 * gets timm's default, ImageNet statistics with a 0.875 center crop.
 */
export function defaultPreprocessing(recipe: ModelRecipe): Preprocessing {
  const p = modelSpec(recipe.name)?.preprocessing ?? IMAGENET_RESIZE_256;
  return {
    resize: Math.round((recipe.inputSize * p.resize) / p.crop),
    crop: recipe.inputSize,
    interpolation: p.interpolation,
    mean: [...p.mean],
    std: [...p.std],
    inputRange: [0, 1],
    channelOrder: 'RGB',
  };
}

type Check = (value: unknown) => boolean;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positiveInt: Check = (v) => Number.isInteger(v) && (v as number) > 0;
const numbers = (n: number, ok: (x: number) => boolean = Number.isFinite): Check => (v) =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && ok(x));
const oneOf = (...values: unknown[]): Check => (v) => values.includes(v);

/** Every field of mobilenets.json a reader relies on, with what it must be. */
const FIELDS: [field: string, check: Check, expected: string][] = [
  ['name', (v) => typeof v === 'string' && v !== '', 'a model name'],
  ['options', isObject, 'an object'],
  ['options.numClasses', positiveInt, 'a positive integer'],
  ['options.inputSize', positiveInt, 'a positive integer'],
  ['options.widthMultiplier', (v) => typeof v === 'number' && v > 0, 'a positive number'],
  ['options.dropout', (v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1)'],
  ['options.block', oneOf(null, 'sandglass', 'inverted_residual'), 'null, "sandglass" or "inverted_residual"'],
  ['options.features', oneOf('logits', 'embedding', 'stages'), '"logits", "embedding" or "stages"'],
  ['preprocessing', isObject, 'an object'],
  ['preprocessing.resize', positiveInt, 'a positive integer'],
  ['preprocessing.crop', positiveInt, 'a positive integer'],
  ['preprocessing.interpolation', oneOf('bilinear', 'bicubic', 'nearest'), '"bilinear", "bicubic" or "nearest"'],
  ['preprocessing.mean', numbers(3), 'three numbers'],
  ['preprocessing.std', numbers(3, (x) => x > 0), 'three positive numbers'],
  ['preprocessing.inputRange', numbers(2), 'two numbers'],
  ['preprocessing.channelOrder', oneOf('RGB'), '"RGB"'],
  ['labels', (v) => v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string')), 'null or an array of class names'],
  ['provenance', isObject, 'an object'],
];

const field = (root: unknown, path: string) => path.split('.').reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), root);
const shown = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v).slice(0, 80));

/** mobilenets.json's content checked field by field: a typed error names the first field that is wrong. */
export function parseMetadata(path: string, json: unknown): ModelMetadata {
  if (!isObject(json)) throw new ModelFileError(path, `is ${shown(json)}, not an object`);
  if (json.formatVersion !== FORMAT_VERSION) {
    throw new ModelFileError(path, `has format version ${shown(json.formatVersion)}; this version reads ${FORMAT_VERSION}`);
  }
  for (const [name, check, expected] of FIELDS) {
    const value = field(json, name);
    if (!check(value)) throw new ModelFileError(path, `${name} is ${shown(value)}; expected ${expected}`);
  }
  const metadata = json as unknown as ModelMetadata;
  if (metadata.labels && metadata.labels.length !== metadata.options.numClasses) {
    throw new ModelFileError(path, `has ${metadata.labels.length} labels for ${metadata.options.numClasses} classes`);
  }
  return metadata;
}

/** The recipe model.json was built from (its user-defined metadata) must be the one mobilenets.json names. */
export function checkRecipe(path: string, metadata: ModelMetadata, recipe: Partial<ModelRecipe> | undefined): void {
  if (!recipe) return;
  const ours: Record<string, unknown> = { name: metadata.name, ...metadata.options };
  for (const [key, value] of Object.entries(ours)) {
    const theirs = (recipe as Record<string, unknown>)[key];
    if (theirs !== undefined && theirs !== value) {
      throw new ModelFileError(path, `says ${key} ${shown(value)}, model.json says ${shown(theirs)}; the two files are of different models`);
    }
  }
}
