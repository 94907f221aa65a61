import * as tf from '@tensorflow/tfjs-core';
import { type Rng, sampleRng } from './rng.js';
import type { Transform } from './transforms.js';

/**
 * One sample: an HWC image and its class. Raw images are int32 tensors holding 0–255 (tfjs has no uint8
 * dtype); transforms such as `toTensor` make them float32. The receiver owns the image.
 */
export interface Sample {
  image: tf.Tensor3D;
  label: number;
}

/** What every dataset is: a size, class names (index = label) and random access. */
export interface Dataset {
  readonly size: number;
  readonly classes: readonly string[];
  /** The i-th sample; `rng` drives random transforms (the loader passes one per sample and epoch). */
  get(index: number, rng?: Rng): Promise<Sample>;
}

export function checkIndex(d: { size: number }, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= d.size) throw new RangeError(`sample index ${index} outside [0, ${d.size})`);
}

/** A dataset whose samples go through `transform` (seeded by the caller's rng, or by sample index). */
export function withTransform(source: Dataset, transform: Transform | undefined): Dataset {
  if (!transform) return source;
  return {
    size: source.size,
    classes: source.classes,
    async get(index, rng) {
      const { image, label } = await source.get(index);
      const out = tf.tidy(() => transform(image, rng ?? sampleRng(0, 0, index)));
      if (out !== image) image.dispose();
      return { image: out, label };
    },
  };
}

/** The samples of `source` at `indices`, in that order. */
export function subset(source: Dataset, indices: ArrayLike<number>): Dataset {
  const map = Int32Array.from(indices as ArrayLike<number>);
  return {
    size: map.length,
    classes: source.classes,
    get(index, rng) {
      checkIndex({ size: map.length }, index);
      return source.get(map[index]!, rng);
    },
  };
}
