import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelRecipe } from '../build.js';
import { ModelFileError } from '../errors.js';
import { FORMAT_VERSION, type ModelMetadata, type Preprocessing, checkRecipe, defaultPreprocessing, parseMetadata } from './metadata.js';
import { METADATA_JSON, MODEL_JSON, type ModelFiles, WEIGHTS_BIN, readJson, readModelArtifacts } from './model-files.js';

// A saved model directory's content, wherever it is kept (disk, a URL, IndexedDB, downloads, picked files).

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

/** The three files of a model directory, in memory. */
export interface SavedModelFiles {
  [MODEL_JSON]: string;
  [WEIGHTS_BIN]: Uint8Array;
  [METADATA_JSON]: string;
  metadata: ModelMetadata;
}

function recipeOf(model: tfl.LayersModel): ModelRecipe {
  const recipe = (model.getUserDefinedMetadata() as { mobilenets?: ModelRecipe } | undefined)?.mobilenets;
  if (!recipe) throw new ModelFileError(model.name, 'was not built by createModel: it has no mobilenets recipe to save');
  return recipe;
}

/** The model's TF.js artifacts in memory: topology, float32 weight specs and weight data, read once. */
export async function modelArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  return artifacts!;
}

/** A model's directory files: `where` names the destination in errors. */
export async function savedModelFiles(model: tfl.LayersModel, where: string, options: SaveModelOptions): Promise<SavedModelFiles> {
  const recipe = recipeOf(model);
  const { name, ...recipeOptions } = recipe;
  if (options.labels && options.labels.length !== recipe.numClasses) {
    throw new ModelFileError(where, `${options.labels.length} labels for a model with ${recipe.numClasses} classes`);
  }
  const metadata: ModelMetadata = {
    formatVersion: FORMAT_VERSION,
    name,
    options: recipeOptions,
    preprocessing: { ...defaultPreprocessing(recipe), ...options.preprocessing },
    labels: options.labels ?? null,
    provenance: { ...options.provenance, packages: { '@tensorflow/tfjs-core': tf.version_core, '@tensorflow/tfjs-layers': tfl.version_layers }, savedAt: new Date().toISOString() },
  };
  const artifacts = await modelArtifacts(model);
  const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const json = {
    modelTopology: artifacts.modelTopology,
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  return { [MODEL_JSON]: JSON.stringify(json), [WEIGHTS_BIN]: new Uint8Array(data), [METADATA_JSON]: `${JSON.stringify(metadata, null, 2)}\n`, metadata };
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

/** Reads mobilenets.json and the TF.js artifacts of a model directory (weights bounded by model.json). */
export async function readSavedModel(files: ModelFiles): Promise<{ path: string; metadata: ModelMetadata; artifacts: tf.io.ModelArtifacts }> {
  const path = files.name(METADATA_JSON);
  const metadata = parseMetadata(path, await readJson(files, METADATA_JSON));
  return { path, metadata, artifacts: await readModelArtifacts(files) };
}

/** Builds the model of read artifacts; mobilenets.json (`path`) must describe the model of model.json. */
export async function buildSavedModel(
  path: string,
  modelJson: string,
  metadata: ModelMetadata,
  artifacts: tf.io.ModelArtifacts,
): Promise<LoadedModel> {
  checkRecipe(path, metadata, (artifacts.userDefinedMetadata as { mobilenets?: Partial<ModelRecipe> } | undefined)?.mobilenets);
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new ModelFileError(modelJson, `cannot build the model it describes (${(err as Error).message})`, { cause: err });
  }
  try {
    checkShapes(path, model, metadata);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, metadata };
}
