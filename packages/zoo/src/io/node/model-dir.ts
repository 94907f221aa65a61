import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { diskFiles, METADATA_JSON, MODEL_JSON, WEIGHTS_BIN } from './artifacts.js';
import { readDirectoryAtomic, writeDirectoryAtomic } from './atomic.js';
import type { ModelMetadata } from '../metadata.js';
import { buildSavedModel, type LoadedModel, readSavedModel, type SaveModelOptions, type SavedModelFiles, savedModelFiles } from '../saved-model.js';
import { isUrl, urlFiles } from '../url-files.js';

export type { LoadedModel, SaveModelOptions } from '../saved-model.js';

/** Whether `dir` holds a saved model (mobilenets.json and model.json): what saveModel may replace. */
export async function isModelDirectory(dir: string): Promise<boolean> {
  const files = await Promise.all([METADATA_JSON, MODEL_JSON].map((f) => stat(join(dir, f)).catch(() => null)));
  return files.every((s) => s?.isFile());
}

/**
 * Saves a model as a directory: TF.js `model.json` + `weights.bin`, and `mobilenets.json`, with
 * writeDirectoryAtomic: the path is normalised, a directory that is not a saved model (or a file) is never
 * replaced without `overwrite`, and a reader finds the old model or the new one, whole, at every moment.
 */
export async function saveModel(model: tfl.LayersModel, dir: string, options: SaveModelOptions = {}): Promise<ModelMetadata> {
  const { overwrite, ...rest } = options;
  const files = await savedModelFiles(model, dir, rest);
  await writeDirectoryAtomic(dir, (tmp) => writeFiles(tmp, files), { overwrite, isReplaceable: isModelDirectory });
  return files.metadata;
}

/**
 * Writes a model's files (those of `saveModel`) into the existing directory `dir`, without an atomic swap of
 * its own: for writers that put a model directory inside their own atomic write (training checkpoints, through
 * writeDirectoryAtomic). Resolves to the metadata written.
 */
export async function writeModelFiles(model: tfl.LayersModel, dir: string, options: Omit<SaveModelOptions, 'overwrite'> = {}): Promise<ModelMetadata> {
  const files = await savedModelFiles(model, dir, options);
  await writeFiles(dir, files);
  return files.metadata;
}

async function writeFiles(dir: string, files: SavedModelFiles): Promise<void> {
  for (const name of [MODEL_JSON, WEIGHTS_BIN, METADATA_JSON] as const) await writeFile(join(dir, name), files[name]);
}

/**
 * Loads a directory written by `saveModel`: the model and its `mobilenets.json`, as one version even while
 * another process saves over it. The directory may come from anywhere: weight paths must stay inside it,
 * files are read only up to their declared sizes, and mobilenets.json must describe the model of model.json.
 * An http(s) URL (a string or a URL) is fetched the same way: every file below that URL, read bounded.
 */
export async function loadModel(dir: string | URL): Promise<LoadedModel> {
  if (typeof dir !== 'string' || isUrl(dir)) {
    const files = urlFiles(dir);
    const { path, metadata, artifacts } = await readSavedModel(files);
    return buildSavedModel(path, files.name(MODEL_JSON), metadata, artifacts);
  }
  const { path, metadata, artifacts } = await readDirectoryAtomic(dir, (d) => readSavedModel(diskFiles(d)));
  return buildSavedModel(path, join(dir, MODEL_JSON), metadata, artifacts);
}
