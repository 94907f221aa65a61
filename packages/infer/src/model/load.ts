import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createModel, listModels, loadModel, loadWeights, type ModelMetadata, type ModelRecipe, ModelFileError } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ClassifierError } from '../errors.js';
import { decodeModel } from '../onnx/proto.js';
import { defaultPreprocessing, METADATA_FORMAT_VERSION } from './zoo-gaps.js';

/** What infer knows of a model: `mobilenets.json`'s fields that matter here. */
export type ModelInfo = Pick<ModelMetadata, 'name' | 'options' | 'preprocessing' | 'labels'>;

/** A model to run: a tfjs model (directory or registry name) or an ONNX file written by `mobilenets-export`. */
export type LoadedSource = { kind: 'tfjs'; model: tfl.LayersModel; info: ModelInfo; path: string } | { kind: 'onnx'; onnx: Uint8Array; info: ModelInfo; path: string };

/** The key under which the ONNX export stores `mobilenets.json` in metadata_props. */
export const ONNX_METADATA_KEY = 'mobilenets';

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

/**
 * A model directory whose weights tfjs stores quantized (float16 / uint8, written by `quantizeModelDir`): the
 * zoo's `loadModel` reads float32 weights only, so this reads the artifacts and lets tfjs dequantize them.
 */
async function loadQuantizedDir(dir: string, json: tf.io.ModelJSON): Promise<{ model: tfl.LayersModel; metadata: ModelMetadata }> {
  const metadata = await readJson<ModelMetadata>(join(dir, 'mobilenets.json'));
  if (metadata.formatVersion !== METADATA_FORMAT_VERSION) {
    throw new ModelFileError(join(dir, 'mobilenets.json'), `has format version ${metadata.formatVersion}; this version reads ${METADATA_FORMAT_VERSION}`);
  }
  const buffers = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
  const data = Buffer.concat(buffers);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const artifacts = { modelTopology: json.modelTopology, weightSpecs, weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer };
  try {
    return { model: await tfl.loadLayersModel(tf.io.fromMemory(artifacts)), metadata };
  } catch (err) {
    throw new ModelFileError(dir, `its quantized weights do not load (${(err as Error).message})`);
  }
}

/** `loadModel` of the zoo, or the quantized reader when model.json says the weights are quantized. */
export async function loadModelDir(dir: string): Promise<{ model: tfl.LayersModel; metadata: ModelMetadata }> {
  const json = await readJson<tf.io.ModelJSON>(join(dir, 'model.json'));
  const quantized = (json.weightsManifest ?? []).some((g) => g.weights.some((w) => w.quantization));
  return quantized ? loadQuantizedDir(dir, json) : loadModel(dir);
}

function onnxInfo(path: string, onnx: Uint8Array): ModelInfo {
  const entry = decodeModel(onnx).metadataProps?.find((p) => p.key === ONNX_METADATA_KEY);
  if (!entry) throw new ClassifierError(`${path}: has no '${ONNX_METADATA_KEY}' metadata (preprocessing, labels); export it with mobilenets-export`);
  return JSON.parse(entry.value) as ModelInfo;
}

const isDirectory = (path: string) => stat(path).then((s) => s.isDirectory(), () => false);

/**
 * A model directory, an `.onnx` file from `mobilenets-export`, or a registry name (built with its default options;
 * `weights`: a torchvision safetensors file or a saved model directory to load into it).
 */
export async function loadSource(dirOrName: string, weights?: string): Promise<LoadedSource> {
  if (dirOrName.endsWith('.onnx')) {
    if (weights) throw new ClassifierError(`${dirOrName}: an ONNX file carries its weights; 'weights' applies to model directories and names`);
    let onnx: Uint8Array;
    try {
      onnx = await readFile(dirOrName);
    } catch (err) {
      throw new ModelFileError(dirOrName, `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    return { kind: 'onnx', onnx, info: onnxInfo(dirOrName, onnx), path: dirOrName };
  }
  let model: tfl.LayersModel;
  let info: ModelInfo;
  if (await isDirectory(dirOrName)) {
    const loaded = await loadModelDir(dirOrName);
    ({ model } = loaded);
    info = loaded.metadata;
  } else if (listModels().includes(dirOrName)) {
    model = createModel(dirOrName);
    const recipe = (model.getUserDefinedMetadata() as { mobilenets: ModelRecipe }).mobilenets;
    const { name, ...options } = recipe;
    info = { name, options, preprocessing: defaultPreprocessing(recipe), labels: null };
  } else {
    throw new ClassifierError(`'${dirOrName}' is not a model directory, an .onnx file or a registered model name`);
  }
  if (weights) {
    try {
      await loadWeights(model, weights, { format: (await isDirectory(weights)) ? 'tfjs' : 'torchvision' });
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
  return { kind: 'tfjs', model, info, path: dirOrName };
}
