import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { type ModelFiles, readJson, readModelArtifacts } from '../model-files.js';
import { confinedPath, readRegularFile } from './read-file.js';

export { METADATA_JSON, MODEL_JSON, WEIGHTS_BIN } from '../model-files.js';

/** A model directory on disk: every path confined to it, every file read bounded (see read-file.ts). */
export function diskFiles(dir: string): ModelFiles {
  return {
    read: async (file, maxBytes, referrer) => readRegularFile(await confinedPath(dir, file, referrer), maxBytes),
    name: (file) => join(dir, file),
  };
}

/** A JSON file of a model directory from an untrusted source: confined to the directory, read bounded. */
export function readJsonFile(dir: string, file: string): Promise<unknown> {
  return readJson(diskFiles(dir), file);
}

/**
 * The TF.js artifacts of a saved model directory (topology, weight specs, weight data). Every weight path stays
 * inside the directory and every weight file is read only up to the bytes model.json declares for it.
 */
export function readArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  return readModelArtifacts(diskFiles(dir));
}
