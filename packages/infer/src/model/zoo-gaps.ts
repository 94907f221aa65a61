/**
 * What infer needs from `@mobilenets/zoo` that the zoo does not export yet. Each piece goes when the zoo has it:
 * - `defaultPreprocessing(recipe)`: the zoo computes it in `io/model-dir.ts` (for `saveModel`) without
 *   exporting it; this is the same function, for a model built from a registry name. It moves into each
 *   architecture's spec in the zoo, and this copy is then replaced by the zoo's export.
 * - `METADATA_FORMAT_VERSION`: the `mobilenets.json` format version the zoo writes and reads (its FORMAT_VERSION).
 * - `writeDirAtomically`: the zoo's save swaps a temporary directory into place; infer's writers (quantized model
 *   directories) do the same here until the zoo exports its atomic writer.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ModelRecipe, Preprocessing } from '@mobilenets/zoo';

export const METADATA_FORMAT_VERSION = 1;

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;
const CIFAR10 = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] } as const;

export function defaultPreprocessing(recipe: ModelRecipe): Preprocessing {
  const cifar = recipe.name.includes('cifar');
  const stats = cifar ? CIFAR10 : IMAGENET;
  return {
    resize: cifar ? recipe.inputSize : Math.round(recipe.inputSize / 0.875),
    crop: recipe.inputSize,
    interpolation: 'bilinear',
    mean: [...stats.mean],
    std: [...stats.std],
    inputRange: [0, 1],
    channelOrder: 'RGB',
  };
}

/** Writes a directory through `write(tmp)` into a temporary sibling, then swaps it into place: never half-written. */
export async function writeDirAtomically(dir: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir.replace(/[\\/]+$/, '')}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await write(tmp);
    await mkdir(dirname(tmp), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
