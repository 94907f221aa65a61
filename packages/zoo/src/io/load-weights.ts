import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelRecipe } from '../build.js';
import { ModelConfigError, ModelFileError, WeightMismatchError } from '../errors.js';
import { modelSpec } from '../registry.js';
import { fromTorch } from './layout.js';
import { readArtifacts } from './artifacts.js';
import { readDirectoryAtomic } from './atomic.js';
import { type RawTensor, readSafetensors } from './safetensors.js';
import { timmSources } from './timm.js';
import { torchvisionSources } from './torchvision.js';

export interface LoadWeightsOptions {
  /**
   * `torchvision` / `timm`: a PyTorch state_dict saved as safetensors with torchvision's / timm's key names
   * (timm: MobileNetV4). `tfjs`: a saved model directory.
   */
  format: 'torchvision' | 'timm' | 'tfjs';
}

/** Our weights' values from a saved TF.js model directory (or its model.json), by weight name. */
async function tfjsWeights(path: string): Promise<Map<string, RawTensor>> {
  const dir = basename(path) === 'model.json' ? dirname(path) : path;
  const { weightSpecs = [], weightData } = await readDirectoryAtomic(dir, readArtifacts);
  const data = weightData as ArrayBuffer;
  const out = new Map<string, RawTensor>();
  let offset = 0;
  for (const spec of weightSpecs) {
    if (spec.dtype !== 'float32' || spec.quantization) throw new ModelFileError(path, `weight ${spec.name}: only unquantized float32 weights are read`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    out.set(spec.name, { shape: spec.shape, values: new Float32Array(data.slice(offset, offset + size * 4)) });
    offset += size * 4;
  }
  return out;
}

const KEY_MAPS = { torchvision: torchvisionSources, timm: timmSources };

/** A PyTorch state_dict's tensors converted to our layouts and keyed by our weight names; unused keys are an error. */
async function torchWeights(model: tfl.LayersModel, path: string, format: keyof typeof KEY_MAPS): Promise<Map<string, RawTensor>> {
  const recipe = (model.getUserDefinedMetadata() as { mobilenets?: ModelRecipe } | undefined)?.mobilenets;
  const spec = recipe && modelSpec(recipe.name);
  if (!recipe || !spec) throw new ModelConfigError(`${model.name} was not built by createModel from a built-in name: no ${format} key map`);
  if (recipe.block !== null || recipe.features !== 'logits') throw new ModelConfigError(`${format} weights fit only the logits model with its own blocks`);
  const sources = KEY_MAPS[format](model, spec);
  const { tensors } = await readSafetensors(path);
  const used = new Set<string>();
  const out = new Map<string, RawTensor>();
  for (const [name, source] of sources) {
    const t = tensors.get(source.key);
    if (!t) throw new WeightMismatchError(source.key, `missing from ${path} (needed for ${name})`);
    used.add(source.key);
    out.set(name, fromTorch(t, source.layout));
  }
  const unexpected = [...tensors.keys()].filter((k) => !used.has(k));
  if (unexpected.length > 0) throw new WeightMismatchError(unexpected[0]!, `in ${path} but not in ${model.name} (${unexpected.length} such tensors)`);
  return out;
}

/**
 * Loads weights into a model: every weight must be present with its shape, and nothing extra may be in the
 * file. Everything is checked before anything is written, so a mismatch leaves the model as it was.
 */
export async function loadWeights(model: tfl.LayersModel, path: string, options: LoadWeightsOptions): Promise<void> {
  try {
    await stat(path);
  } catch (err) {
    throw new ModelFileError(path, `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const values = options.format === 'tfjs' ? await tfjsWeights(path) : await torchWeights(model, path, options.format);
  for (const w of model.weights) {
    const v = values.get(w.originalName);
    if (!v) throw new WeightMismatchError(w.originalName, `missing from ${path}`);
    if (v.shape.length !== w.shape.length || v.shape.some((d, i) => d !== w.shape[i])) {
      throw new WeightMismatchError(w.originalName, `shape [${v.shape}] in ${path}, [${w.shape}] in the model`);
    }
  }
  const names = new Set(model.weights.map((w) => w.originalName));
  const extra = [...values.keys()].find((k) => !names.has(k));
  if (extra) throw new WeightMismatchError(extra, `in ${path} but not in ${model.name}`);
  tf.tidy(() => {
    for (const w of model.weights) {
      const v = values.get(w.originalName)!;
      w.write(tf.tensor(v.values, v.shape));
    }
  });
}
