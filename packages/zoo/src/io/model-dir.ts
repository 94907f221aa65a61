import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelRecipe } from '../build.js';
import { ModelFileError } from '../errors.js';
import { modelSpec } from '../registry.js';

export const FORMAT_VERSION = 1;
const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
const METADATA_JSON = 'mobilenets.json';

/** How inputs are prepared for a model: infer reads it, nobody re-types it. */
export interface Preprocessing {
  /** Shorter side resized to this, before the center crop. */
  resize: number;
  crop: number;
  /** `bicubic`: the pretrained configs that ask for it (timm's MobileNetV4). */
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

export interface SaveModelOptions {
  labels?: string[];
  preprocessing?: Partial<Preprocessing>;
  provenance?: { dataset?: string; epochs?: number; metrics?: Record<string, number> };
}

export interface LoadedModel {
  model: tfl.LayersModel;
  metadata: ModelMetadata;
}

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;
/** Seed 000's CIFAR-10 statistics. */
const CIFAR10 = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] } as const;

export function defaultPreprocessing(recipe: ModelRecipe): Preprocessing {
  const spec = modelSpec(recipe.name)?.preprocessing;
  if (spec) {
    // timm's eval transform: resize the shorter side to floor(size / crop_pct), center-crop size.
    const { cropPct, interpolation, mean, std } = spec;
    return { resize: Math.floor(recipe.inputSize / cropPct), crop: recipe.inputSize, interpolation, mean: [...mean], std: [...std], inputRange: [0, 1], channelOrder: 'RGB' };
  }
  const cifar = recipe.name.includes('cifar');
  const stats = cifar ? CIFAR10 : IMAGENET;
  return {
    resize: cifar ? recipe.inputSize : Math.round(recipe.inputSize / 0.875),
    crop: recipe.inputSize,
    interpolation: 'bilinear',
    mean: [...stats.mean],
    std: [...stats.std],
    inputRange: [0, 1],
    channelOrder: 'RGB',
  };
}

function recipeOf(model: tfl.LayersModel): ModelRecipe {
  const recipe = (model.getUserDefinedMetadata() as { mobilenets?: ModelRecipe } | undefined)?.mobilenets;
  if (!recipe) throw new ModelFileError(model.name, 'was not built by createModel: it has no mobilenets recipe to save');
  return recipe;
}

/**
 * Saves a model as a directory: TF.js `model.json` + `weights.bin`, and `mobilenets.json`. Written to a
 * temporary sibling first and renamed into place, so a failed save leaves nothing half-written.
 */
export async function saveModel(model: tfl.LayersModel, dir: string, options: SaveModelOptions = {}): Promise<ModelMetadata> {
  const recipe = recipeOf(model);
  const { name, ...recipeOptions } = recipe;
  if (options.labels && options.labels.length !== recipe.numClasses) {
    throw new ModelFileError(dir, `${options.labels.length} labels for a model with ${recipe.numClasses} classes`);
  }
  const metadata: ModelMetadata = {
    formatVersion: FORMAT_VERSION,
    name,
    options: recipeOptions,
    preprocessing: { ...defaultPreprocessing(recipe), ...options.preprocessing },
    labels: options.labels ?? null,
    provenance: { ...options.provenance, packages: { '@tensorflow/tfjs-core': tf.version_core, '@tensorflow/tfjs-layers': tfl.version_layers }, savedAt: new Date().toISOString() },
  };
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
        const json = {
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: null,
          weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
          userDefinedMetadata: artifacts.userDefinedMetadata,
        };
        await writeFile(join(tmp, MODEL_JSON), JSON.stringify(json));
        await writeFile(join(tmp, WEIGHTS_BIN), new Uint8Array(data));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    await writeFile(join(tmp, METADATA_JSON), `${JSON.stringify(metadata, null, 2)}\n`);
    await mkdir(dirname(dir), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return metadata;
}

async function readJson<T>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelFileError(path, `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ModelFileError(path, 'is not valid JSON');
  }
}

/** The TF.js artifacts of a saved model directory (topology, weight specs, weight data). */
export async function readArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const json = await readJson<tf.io.ModelJSON>(join(dir, MODEL_JSON));
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new ModelFileError(join(dir, MODEL_JSON), 'is not a TF.js layers model.json');
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      try {
        const b = await readFile(join(dir, p));
        buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      } catch (err) {
        throw new ModelFileError(join(dir, p), `cannot read the weights (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    }
  }
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const weightData = tf.io.CompositeArrayBuffer.join(buffers);
  const expected = weightSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (weightData.byteLength !== expected) {
    throw new ModelFileError(join(dir, WEIGHTS_BIN), `holds ${weightData.byteLength} bytes; model.json describes ${expected}`);
  }
  return { modelTopology: json.modelTopology, weightSpecs, weightData, userDefinedMetadata: json.userDefinedMetadata };
}

/** Loads a directory written by `saveModel`: the model and its `mobilenets.json`. */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const metadata = await readJson<ModelMetadata>(join(dir, METADATA_JSON));
  if (metadata.formatVersion !== FORMAT_VERSION) {
    throw new ModelFileError(join(dir, METADATA_JSON), `has format version ${metadata.formatVersion}; this version reads ${FORMAT_VERSION}`);
  }
  const artifacts = await readArtifacts(dir);
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  return { model, metadata };
}
