import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../../arch/specs.js';
import type { ModelRecipe } from '../../build.js';
import { ModelConfigError, ModelFileError, WeightMismatchError } from '../../errors.js';
import { modelSpec } from '../../registry.js';
import { readArtifacts } from './artifacts.js';
import { readDirectoryAtomic } from './atomic.js';
import { kerasSources } from '../keras.js';
import { type WeightSource, toOurLayout } from '../layout.js';
import { paddleSources } from '../paddle.js';
import type { RawTensor } from '../safetensors.js';
import { timmSources } from '../timm.js';
import { torchvisionSources } from '../torchvision.js';
import { type WeightContainer, readWeightFile } from './weight-file.js';

/** Whose key names a weight file uses. */
export type WeightNaming = 'torchvision' | 'timm' | 'paddle' | 'keras';

export interface LoadWeightsOptions {
  /**
   * Whose key names the file uses: `torchvision`, `timm` (PyTorch state_dicts), `paddle` (PaddleClas), `keras`
   * (keras-applications); `tfjs`: a saved model directory; `auto`: told by the file (a directory is `tfjs`; for a
   * weight file, the naming whose keys the file holds). The file's format — safetensors, torch.save `.pth` / `.pt`
   * (zip or legacy), Paddle `.pdparams`, Keras `.h5` — is always told by its content.
   */
  format: WeightNaming | 'tfjs' | 'auto';
}

/** What loadWeights read. */
export interface LoadedWeights {
  format: WeightNaming | 'tfjs';
  container: WeightContainer | 'tfjs';
  /** Tensors written into the model. */
  tensors: number;
}

/** Each naming's key map: our weight name → the file's key and layout. */
export const KEY_MAPS: Record<WeightNaming, (model: tfl.LayersModel, spec: ModelSpec) => Map<string, WeightSource>> = {
  torchvision: torchvisionSources,
  timm: timmSources,
  paddle: paddleSources,
  keras: kerasSources,
};
const NAMINGS = Object.keys(KEY_MAPS) as WeightNaming[];

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

/** The architecture behind a model, for its key maps: only a logits model with its own blocks, built by createModel. */
export function mappableSpec(model: tfl.LayersModel, what: string): ModelSpec {
  const recipe = (model.getUserDefinedMetadata() as { mobilenets?: ModelRecipe } | undefined)?.mobilenets;
  const spec = recipe && modelSpec(recipe.name);
  if (!recipe || !spec) throw new ModelConfigError(`${model.name} was not built by createModel from a built-in name: no ${what} key map`);
  if (recipe.block !== null || recipe.features !== 'logits') throw new ModelConfigError(`${what} weights fit only the logits model with its own blocks`);
  return spec;
}

/** For `auto`: the naming whose keys the file holds all of (or, failing that, most of, for the error to name what is missing). */
function pickNaming(model: tfl.LayersModel, spec: ModelSpec, keys: ReadonlySet<string>, path: string): WeightNaming {
  let best: { naming: WeightNaming; found: number } | undefined;
  for (const naming of NAMINGS) {
    let sources: Map<string, WeightSource>;
    try {
      sources = KEY_MAPS[naming](model, spec);
    } catch (err) {
      if (err instanceof ModelConfigError) continue;
      throw err;
    }
    const found = [...sources.values()].filter((s) => keys.has(s.key)).length;
    if (found === sources.size) return naming;
    if (found > (best?.found ?? 0)) best = { naming, found };
  }
  if (best) return best.naming;
  const first = keys.values().next().value ?? '(no tensors)';
  throw new WeightMismatchError(first, `in ${path}: none of its keys is one torchvision, timm, PaddleClas or Keras gives a ${spec.family} weight`);
}

/** A weight file's tensors converted to our layouts and keyed by our weight names; unused keys are an error. */
async function fileWeights(model: tfl.LayersModel, path: string, format: WeightNaming | 'auto'): Promise<{ values: Map<string, RawTensor>; loaded: LoadedWeights }> {
  const spec = mappableSpec(model, format === 'auto' ? 'weight-file' : format);
  if (format !== 'auto') KEY_MAPS[format](model, spec); // an unsupported family fails before the file is read
  const { container, tensors } = await readWeightFile(path);
  const naming = format === 'auto' ? pickNaming(model, spec, new Set(tensors.keys()), path) : format;
  const used = new Set<string>();
  const values = new Map<string, RawTensor>();
  for (const [name, source] of KEY_MAPS[naming](model, spec)) {
    const t = tensors.get(source.key);
    if (!t) throw new WeightMismatchError(source.key, `missing from ${path} (needed for ${name})`);
    used.add(source.key);
    values.set(name, toOurLayout(t, source.layout, source.key));
  }
  const unexpected = [...tensors.keys()].filter((k) => !used.has(k));
  if (unexpected.length > 0) throw new WeightMismatchError(unexpected[0]!, `in ${path} but not in ${model.name} (${unexpected.length} such tensors)`);
  return { values, loaded: { format: naming, container, tensors: values.size } };
}

/**
 * Loads weights into a model: every weight must be present with its shape, and nothing extra may be in the
 * file. Everything is read and checked before anything is written, so any failure (a missing, unexpected or
 * misshapen tensor, a damaged file, a forbidden pickle global) leaves the model as it was.
 */
export async function loadWeights(model: tfl.LayersModel, path: string, options: LoadWeightsOptions): Promise<LoadedWeights> {
  const { format } = options;
  if (![...NAMINGS, 'tfjs', 'auto'].includes(format)) throw new ModelConfigError(`format must be one of ${[...NAMINGS, 'tfjs', 'auto'].join(', ')}, got ${String(format)}`);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    throw new ModelFileError(path, `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const tfjs = format === 'tfjs' || (format === 'auto' && (info.isDirectory() || basename(path) === 'model.json'));
  const { values, loaded } = tfjs
    ? { values: await tfjsWeights(path), loaded: { format: 'tfjs', container: 'tfjs', tensors: model.weights.length } as const }
    : await fileWeights(model, path, format as WeightNaming | 'auto');
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
  return loaded;
}
