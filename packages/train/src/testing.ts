import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { BlockLayer } from '@mobilenets/blocks';
import type { Dataset } from '@mobilenets/data';
import { mulberry32 } from '@mobilenets/data';

/** A seeded in-memory dataset of `size` random [side, side, 3] images in `classes` classes (tests only). */
export function randomDataset(size: number, classes: number, side = 32, seed = 1): Dataset {
  const rng = mulberry32(seed);
  const images = Array.from({ length: size }, () => Int32Array.from({ length: side * side * 3 }, () => Math.floor(rng() * 256)));
  const labels = Array.from({ length: size }, (_, i) => i % classes);
  return {
    size,
    classes: Array.from({ length: classes }, (_, i) => `c${i}`),
    async get(i) {
      return { image: tf.tensor3d(images[i]!, [side, side, 3], 'int32'), label: labels[i]! };
    },
  };
}

/** Every weight's values by name. */
export function snapshot(model: tfl.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
}

/** Frees the blocks' folded inference weights, so a tensor count sees only what a run leaked. */
export function releaseCaches(model: tfl.LayersModel): void {
  for (const l of model.layers) if (l instanceof BlockLayer) l.releaseInferenceCache();
}

export function maxDifference(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let max = 0;
  for (const [name, va] of a) {
    const vb = b.get(name)!;
    for (let i = 0; i < va.length; i++) max = Math.max(max, Math.abs(va[i]! - vb[i]!));
  }
  return max;
}
