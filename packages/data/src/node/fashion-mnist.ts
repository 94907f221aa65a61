import { access } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkIndex, type Dataset, withTransform } from '../dataset.js';
import { FormatError } from '../errors.js';
import { readIdx } from './idx.js';
import { checkOptions, func, nonEmptyString, oneOf, required, type Rules } from '../options.js';
import type { Transform } from '../transforms.js';

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export interface IdxDatasetOptions {
  /** The folder holding `train-images-idx3-ubyte[.gz]` and friends. */
  dir?: string;
  split: 'train' | 'test';
  transform?: Transform;
}

const RULES: Rules<IdxDatasetOptions> = { dir: nonEmptyString, split: required(oneOf('train', 'test')), transform: func };

async function find(dir: string, base: string): Promise<string> {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (await access(path).then(() => true, () => false)) return path;
  }
  throw new FormatError(join(dir, base), 'not found (nor its .gz)');
}

/** An MNIST-layout dataset (IDX images and labels); samples are [28, 28, 1] images. */
export async function idxDataset(where: string, options: IdxDatasetOptions, classes: readonly string[], defaultDir?: string): Promise<Dataset> {
  checkOptions(where, options, RULES);
  const dir = options.dir ?? defaultDir;
  if (!dir) throw new FormatError('(no dir)', 'pass the folder holding the IDX files as `dir`');
  const prefix = options.split === 'train' ? 'train' : 't10k';
  const imagesFile = await find(dir, `${prefix}-images-idx3-ubyte`);
  const labelsFile = await find(dir, `${prefix}-labels-idx1-ubyte`);
  const [images, labels] = await Promise.all([readIdx(imagesFile, 3), readIdx(labelsFile, 1)]);
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) throw new FormatError(labelsFile, `${labels.dims[0]} labels for ${count} images in ${imagesFile}`);
  const bad = labels.data.findIndex((l) => l >= classes.length);
  if (bad >= 0) throw new FormatError(labelsFile, `label ${labels.data[bad]} at ${bad} is not one of ${classes.length} classes`);
  const pixels = rows * cols;
  const raw: Dataset = {
    size: count,
    classes,
    async get(index) {
      checkIndex(raw, index);
      const data = Int32Array.from(images.data.subarray(index * pixels, (index + 1) * pixels));
      return { image: tf.tensor3d(data, [rows, cols, 1], 'int32'), label: labels.data[index]! };
    },
  };
  return withTransform(raw, options.transform);
}

/** Fashion-MNIST from its IDX files (default: Debian's package). 60,000 train / 10,000 test images. */
export function fashionMnist(options: IdxDatasetOptions): Promise<Dataset> {
  return idxDataset('fashionMnist', options, FASHION_MNIST_CLASSES, DEBIAN_FASHION_MNIST);
}

/** MNIST from its IDX files (same layout as Fashion-MNIST). */
export function mnist(options: IdxDatasetOptions): Promise<Dataset> {
  return idxDataset('mnist', options, MNIST_CLASSES);
}
