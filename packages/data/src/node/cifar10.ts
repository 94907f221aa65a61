import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkIndex, type Dataset, withTransform } from '../dataset.js';
import { errnoCode, FormatError } from '../errors.js';
import { checkOptions, func, nonEmptyString, oneOf, required, type Rules } from '../options.js';
import type { Transform } from '../transforms.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
/** One record: a label byte, then 1024 red, 1024 green and 1024 blue bytes of a 32×32 image. */
const RECORD = 1 + 3 * 32 * 32;

export interface Cifar10Options {
  /** The `cifar-10-batches-bin` folder. */
  dir: string;
  split: 'train' | 'test';
  transform?: Transform;
}

const RULES: Rules<Cifar10Options> = { dir: required(nonEmptyString), split: required(oneOf('train', 'test')), transform: func };

async function read(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new FormatError(file, `cannot read it (${errnoCode(err)})`);
  }
}

/** CIFAR-10's binary batches (`data_batch_1.bin`…`data_batch_5.bin`, `test_batch.bin`); samples are [32, 32, 3]. */
export async function cifar10(options: Cifar10Options): Promise<Dataset> {
  checkOptions('cifar10', options, RULES);
  const names = options.split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  const files = names.map((n) => join(options.dir, n));
  const buffers = await Promise.all(files.map(read));
  buffers.forEach((b, i) => {
    if (b.byteLength === 0 || b.byteLength % RECORD !== 0) {
      throw new FormatError(files[i]!, `is ${b.byteLength} bytes, not a whole number of ${RECORD}-byte CIFAR-10 records`);
    }
  });
  const meta = await readFile(join(options.dir, 'batches.meta.txt'), 'utf8').catch(() => null);
  const classes = meta ? meta.split('\n').map((s) => s.trim()).filter(Boolean) : [...CIFAR10_CLASSES];
  const records = buffers.flatMap((b) => Array.from({ length: b.byteLength / RECORD }, (_, i) => b.subarray(i * RECORD, (i + 1) * RECORD)));
  records.forEach((r, i) => {
    if (r[0]! >= classes.length) throw new FormatError(files[Math.floor(i / 10000)] ?? files[0]!, `record ${i} has label ${r[0]}`);
  });
  const raw: Dataset = {
    size: records.length,
    classes,
    async get(index) {
      checkIndex(raw, index);
      const r = records[index]!;
      const hwc = new Int32Array(3 * 1024);
      for (let p = 0; p < 1024; p++) {
        for (let c = 0; c < 3; c++) hwc[p * 3 + c] = r[1 + c * 1024 + p]!;
      }
      return { image: tf.tensor3d(hwc, [32, 32, 3], 'int32'), label: r[0]! };
    },
  };
  return withTransform(raw, options.transform);
}
