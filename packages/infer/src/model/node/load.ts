import { readFile, stat } from 'node:fs/promises';
import { createModel, defaultPreprocessing, listModels, loadModel, loadWeights, type ModelMetadata, type ModelRecipe, ModelFileError } from '@mobilenets/zoo';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ClassifierError } from '../../errors.js';
import { decodeModel } from '../../onnx/proto.js';

/** What infer knows of a model: `mobilenets.json`'s fields that matter here. */
export type ModelInfo = Pick<ModelMetadata, 'name' | 'options' | 'preprocessing' | 'labels'>;

/** A model to run: a tfjs model (directory or registry name) or an ONNX file written by `mobilenets-export`. */
export type LoadedSource = { kind: 'tfjs'; model: tfl.LayersModel; info: ModelInfo; path: string } | { kind: 'onnx'; onnx: Uint8Array; info: ModelInfo; path: string };

/** The key under which the ONNX export stores `mobilenets.json` in metadata_props. */
export const ONNX_METADATA_KEY = 'mobilenets';

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
    // The zoo's reader: confined, bounded reads; float16 / uint8 weights (quantizeModelDir's) dequantized by tfjs.
    const loaded = await loadModel(dirOrName);
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
