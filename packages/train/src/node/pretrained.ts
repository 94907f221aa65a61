import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type CreateModelOptions, createModel, loadWeights, type ModelMetadata } from '@mobilenets/zoo';
import { PretrainedMismatchError } from '../errors.js';

export interface Pretrained {
  model: tfl.LayersModel;
  /** The source's class names (a model directory's), null for a torchvision file. */
  labels: string[] | null;
}

async function metadataOf(dir: string): Promise<ModelMetadata> {
  try {
    return JSON.parse(await readFile(join(dir, 'mobilenets.json'), 'utf8')) as ModelMetadata;
  } catch (err) {
    const hint = (await stat(join(dir, 'best')).then(() => true, () => false)) ? ` (a training output folder? pass ${join(dir, 'best')})` : '';
    throw new PretrainedMismatchError(dir, `is not a model directory: no readable mobilenets.json${hint}`, { cause: err });
  }
}

/**
 * Builds `name` and loads starting weights from `path`: a model directory (`saveModel`, or a checkpoint's
 * `best` / `last`) of the same architecture, or a torchvision state_dict as safetensors. The model keeps the
 * source's class count; replace its head when the classes differ. Another architecture is a
 * `PretrainedMismatchError` naming what differs, before anything is trained.
 */
export async function loadPretrained(path: string, name: string, options: Omit<CreateModelOptions, 'numClasses'> = {}): Promise<Pretrained> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new PretrainedMismatchError(path, `cannot read it (${err.code ?? err.message})`, { cause: err });
  });
  let model: tfl.LayersModel;
  let labels: string[] | null = null;
  if (info.isDirectory()) {
    const metadata = await metadataOf(path);
    if (metadata.name !== name) throw new PretrainedMismatchError(path, `holds a ${metadata.name} model, not ${name}`);
    const block = options.block ?? null;
    if (metadata.options.block !== block) throw new PretrainedMismatchError(path, `was built with block ${metadata.options.block ?? 'default'}, not ${block ?? 'default'}`);
    if (options.widthMultiplier !== undefined && options.widthMultiplier !== metadata.options.widthMultiplier) {
      throw new PretrainedMismatchError(path, `has width ${metadata.options.widthMultiplier}, not ${options.widthMultiplier}`);
    }
    model = createModel(name, { ...options, numClasses: metadata.options.numClasses, widthMultiplier: metadata.options.widthMultiplier });
    labels = metadata.labels;
  } else {
    model = createModel(name, options);
  }
  try {
    await loadWeights(model, path, { format: info.isDirectory() ? 'tfjs' : 'torchvision' });
  } catch (err) {
    model.dispose();
    throw new PretrainedMismatchError(path, `does not fit ${name}: ${(err as Error).message}`, { cause: err });
  }
  return { model, labels };
}
