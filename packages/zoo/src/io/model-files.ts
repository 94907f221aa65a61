import * as tf from '@tensorflow/tfjs-core';
import { ModelFileError } from '../errors.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const METADATA_JSON = 'mobilenets.json';

/** model.json and mobilenets.json are far smaller; a larger "JSON file" is refused before it is read. */
export const JSON_LIMIT = 64 * 2 ** 20;
/** Bytes per stored value, by dtype (a quantized weight's by its quantization dtype). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * Where a model directory's files come from (disk, a URL, files a user picked): `read` returns a whole file,
 * refusing one larger than `maxBytes` and a path that leaves the directory (`referrer`: the file naming it);
 * `name` is how errors call a file.
 */
export interface ModelFiles {
  read(file: string, maxBytes: number, referrer: string): Promise<Uint8Array>;
  name(file: string): string;
}

/** A JSON file of a model directory from an untrusted source: read bounded. */
export async function readJson(files: ModelFiles, file: string): Promise<unknown> {
  const text = new TextDecoder().decode(await files.read(file, JSON_LIMIT, files.name(file)));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(files.name(file), 'is not valid JSON', { cause: err });
  }
}

/** Bytes a weight of model.json's manifest occupies in its weight file. */
function storedBytes(modelJson: string, spec: tf.io.WeightsManifestEntry): number {
  const bytes = DTYPE_BYTES[spec?.quantization?.dtype ?? spec?.dtype];
  const shapeOk = Array.isArray(spec?.shape) && spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
  if (typeof spec?.name !== 'string' || !shapeOk || bytes === undefined) {
    throw new ModelFileError(modelJson, `weight ${JSON.stringify(spec?.name)}: shape ${JSON.stringify(spec?.shape)}, dtype ${JSON.stringify(spec?.dtype)} cannot be read`);
  }
  return spec.shape.reduce((a, b) => a * b, 1) * bytes;
}

/**
 * The TF.js artifacts of a saved model directory, from wherever its files are (topology, weight specs, weight data). Every weight path stays
 * inside the directory and every weight file is read only up to the bytes model.json declares for it.
 */
export async function readModelArtifacts(files: ModelFiles): Promise<tf.io.ModelArtifacts> {
  const modelJson = files.name(MODEL_JSON);
  const json = (await readJson(files, MODEL_JSON)) as Partial<tf.io.ModelJSON> | null;
  if (!json?.modelTopology || !Array.isArray(json.weightsManifest)) throw new ModelFileError(modelJson, 'is not a TF.js layers model.json');
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights) || !group.paths.every((p) => typeof p === 'string')) {
      throw new ModelFileError(modelJson, 'weightsManifest: every group needs a list of paths and a list of weights');
    }
    const declared = group.weights.reduce((n, spec) => n + storedBytes(modelJson, spec), 0);
    let read = 0;
    for (const p of group.paths) {
      const b = await files.read(p, declared - read, modelJson);
      buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      read += b.byteLength;
    }
    if (read !== declared) {
      const where = group.paths.length === 1 ? files.name(group.paths[0]!) : `${modelJson} (${group.paths.join(', ')})`;
      throw new ModelFileError(where, `holds ${read} bytes; model.json declares ${declared}`);
    }
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: tf.io.CompositeArrayBuffer.join(buffers),
    userDefinedMetadata: json.userDefinedMetadata,
  };
}
