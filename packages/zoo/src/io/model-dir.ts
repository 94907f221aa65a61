import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelRecipe } from '../build.js';
import { ModelFileError } from '../errors.js';
import { METADATA_JSON, MODEL_JSON, WEIGHTS_BIN, readArtifacts, readJsonFile } from './artifacts.js';
import { readDirectoryAtomic, writeDirectoryAtomic } from './atomic.js';
import { FORMAT_VERSION, type ModelMetadata, type Preprocessing, checkRecipe, defaultPreprocessing, parseMetadata } from './metadata.js';

export interface SaveModelOptions {
  labels?: string[];
  preprocessing?: Partial<Preprocessing>;
  provenance?: { dataset?: string; epochs?: number; metrics?: Record<string, number> };
  /** Replace whatever is at the path. Without it only a model directory (mobilenets.json + model.json) is replaced. */
  overwrite?: boolean;
}

export interface LoadedModel {
  model: tfl.LayersModel;
  metadata: ModelMetadata;
}

function recipeOf(model: tfl.LayersModel): ModelRecipe {
  const recipe = (model.getUserDefinedMetadata() as { mobilenets?: ModelRecipe } | undefined)?.mobilenets;
  if (!recipe) throw new ModelFileError(model.name, 'was not built by createModel: it has no mobilenets recipe to save');
  return recipe;
}

/** Whether `dir` holds a saved model (mobilenets.json and model.json): what saveModel may replace. */
export async function isModelDirectory(dir: string): Promise<boolean> {
  const files = await Promise.all([METADATA_JSON, MODEL_JSON].map((f) => stat(join(dir, f)).catch(() => null)));
  return files.every((s) => s?.isFile());
}

/** The model's TF.js artifacts in memory (its weights read once, before anything is written). */
async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  return artifacts!;
}

type ModelFiles = { metadata: ModelMetadata; files: [name: string, data: string | Uint8Array][] };

/** A model directory's files in memory (the weights read once, before anything is written); `dir` names errors. */
async function modelFiles(model: tfl.LayersModel, dir: string, options: Omit<SaveModelOptions, 'overwrite'>): Promise<ModelFiles> {
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
  const artifacts = await artifactsOf(model);
  const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const json = {
    modelTopology: artifacts.modelTopology,
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  return {
    metadata,
    files: [
      [MODEL_JSON, JSON.stringify(json)],
      [WEIGHTS_BIN, new Uint8Array(data)],
      [METADATA_JSON, `${JSON.stringify(metadata, null, 2)}\n`],
    ],
  };
}

async function writeFiles(dir: string, { files }: ModelFiles): Promise<void> {
  for (const [name, data] of files) await writeFile(join(dir, name), data);
}

/**
 * Writes a model's files (those of `saveModel`) into the existing directory `dir`, without an atomic swap of
 * its own: for writers that put a model directory inside their own atomic write (training checkpoints, through
 * writeDirectoryAtomic). Resolves to the metadata written.
 */
export async function writeModelFiles(model: tfl.LayersModel, dir: string, options: Omit<SaveModelOptions, 'overwrite'> = {}): Promise<ModelMetadata> {
  const files = await modelFiles(model, dir, options);
  await writeFiles(dir, files);
  return files.metadata;
}

/**
 * Saves a model as a directory: TF.js `model.json` + `weights.bin`, and `mobilenets.json`, with
 * writeDirectoryAtomic: the path is normalised, a directory that is not a saved model (or a file) is never
 * replaced without `overwrite`, and a reader finds the old model or the new one, whole, at every moment.
 */
export async function saveModel(model: tfl.LayersModel, dir: string, options: SaveModelOptions = {}): Promise<ModelMetadata> {
  const { overwrite, ...rest } = options;
  const files = await modelFiles(model, dir, rest);
  await writeDirectoryAtomic(dir, (tmp) => writeFiles(tmp, files), { overwrite, isReplaceable: isModelDirectory });
  return files.metadata;
}

/** The built model must have the input size and class count mobilenets.json states. */
function checkShapes(path: string, model: tfl.LayersModel, metadata: ModelMetadata): void {
  const { inputSize, numClasses, features } = metadata.options;
  const input = model.inputs[0]?.shape;
  if (input?.[1] !== inputSize || input[2] !== inputSize) {
    throw new ModelFileError(path, `says inputSize ${inputSize}; model.json's input is [${input}]`);
  }
  const output = model.outputs[0]?.shape;
  if (features === 'logits' && (model.outputs.length !== 1 || output?.[1] !== numClasses)) {
    throw new ModelFileError(path, `says numClasses ${numClasses}; model.json's output is [${output}]`);
  }
}

/**
 * Loads a directory written by `saveModel`: the model and its `mobilenets.json`, as one version even while
 * another process saves over it. The directory may come from anywhere: weight paths must stay inside it,
 * files are read only up to their declared sizes, and mobilenets.json must describe the model of model.json.
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const { path, metadata, artifacts } = await readDirectoryAtomic(dir, async (d) => {
    const path = join(d, METADATA_JSON);
    const metadata = parseMetadata(path, await readJsonFile(d, METADATA_JSON));
    return { path, metadata, artifacts: await readArtifacts(d) };
  });
  checkRecipe(path, metadata, (artifacts.userDefinedMetadata as { mobilenets?: Partial<ModelRecipe> } | undefined)?.mobilenets);
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new ModelFileError(join(dir, MODEL_JSON), `cannot build the model it describes (${(err as Error).message})`, { cause: err });
  }
  try {
    checkShapes(path, model, metadata);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, metadata };
}
