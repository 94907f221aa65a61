import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { useBackend } from '@mobilenets/ops/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, cifar10 } from './cifar10.js';
import { FormatError, OptionError } from '../errors.js';
import { fashionMnist, mnist } from './fashion-mnist.js';
import { readIdx } from './idx.js';

let dir: string;
beforeAll(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-formats-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** An IDX file: magic 0x000008<rank>, big-endian dims, bytes. */
function idx(dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x00000800 | dims.length, 0);
  for (const [i, d] of dims.entries()) header.writeUInt32BE(d, 4 + 4 * i);
  return Buffer.concat([header, Buffer.from(data)]);
}

/** A CIFAR-10 record: label, then the red, green and blue planes of a 32×32 image. */
function record(label: number, rgb: (y: number, x: number) => [number, number, number]): Buffer {
  const r = Buffer.alloc(3073);
  r[0] = label;
  for (let p = 0; p < 1024; p++) {
    const [red, green, blue] = rgb(Math.floor(p / 32), p % 32);
    r[1 + p] = red;
    r[1025 + p] = green;
    r[2049 + p] = blue;
  }
  return r;
}

describe('IDX', () => {
  it('reads gzipped and plain files into an MNIST-layout dataset', async () => {
    const images = Array.from({ length: 2 * 28 * 28 }, (_, i) => i % 251);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([2, 28, 28], images)));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), idx([2], [7, 3]));
    const ds = await mnist({ dir, split: 'train' });
    expect(ds.size).toBe(2);
    const s = await ds.get(1);
    expect(s.label).toBe(3);
    expect(Array.from((await s.image.data()).subarray(0, 3))).toEqual([784 % 251, 785 % 251, 786 % 251]);
    s.image.dispose();
  });

  it('a wrong magic number, a short file, a missing file: a FormatError naming the file', async () => {
    const bad = join(dir, 'bad.idx');
    await writeFile(bad, Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 5]));
    await expect(readIdx(bad)).rejects.toThrow(/bad\.idx: wrong IDX magic number 0x00000d01/);
    await writeFile(bad, idx([4], [1, 2]));
    await expect(readIdx(bad)).rejects.toThrow(/bad\.idx: holds 2 data bytes; its header says 4/);
    await expect(mnist({ dir: join(dir, 'nowhere'), split: 'test' })).rejects.toThrow(FormatError);
  });
});

describe('CIFAR-10 binary batches', () => {
  it('reads records into HWC images with their labels, train from five files, test from one', async () => {
    const pixel = (y: number, x: number): [number, number, number] => [y, x, (y * 32 + x) % 256];
    for (let i = 1; i <= 5; i++) await writeFile(join(dir, `data_batch_${i}.bin`), Buffer.concat([record(i, pixel), record(9, pixel)]));
    await writeFile(join(dir, 'test_batch.bin'), record(4, () => [1, 2, 3]));
    const train = await cifar10({ dir, split: 'train' });
    const test = await cifar10({ dir, split: 'test' });
    expect([train.size, test.size]).toEqual([10, 1]);
    expect(train.classes).toEqual(CIFAR10_CLASSES);
    const s = await train.get(4); // data_batch_3, first record
    expect(s.label).toBe(3);
    expect(s.image.shape).toEqual([32, 32, 3]);
    const v = await s.image.data();
    expect(Array.from(v.subarray((5 * 32 + 7) * 3, (5 * 32 + 7) * 3 + 3))).toEqual([5, 7, (5 * 32 + 7) % 256]);
    const t = await test.get(0);
    expect([t.label, ...Array.from((await t.image.data()).subarray(0, 3))]).toEqual([4, 1, 2, 3]);
    tf.dispose([s.image, t.image]);
  });

  it('a file of the wrong size: a FormatError naming it', async () => {
    await writeFile(join(dir, 'test_batch.bin'), Buffer.alloc(3073 + 10));
    await expect(cifar10({ dir, split: 'test' })).rejects.toThrow(/test_batch\.bin: is 3083 bytes, not a whole number of 3073-byte CIFAR-10 records/);
  });
});

describe('dataset options', () => {
  it("a split other than 'train' or 'test' is an OptionError, never the test split", async () => {
    await expect(mnist({ dir, split: 'valid' } as never)).rejects.toThrow(OptionError);
    await expect(mnist({ dir, split: 'valid' } as never)).rejects.toThrow(/^mnist: split must be 'train' or 'test', got 'valid'$/);
    await expect(fashionMnist({ dir, split: 'Train' } as never)).rejects.toThrow(/^fashionMnist: split must be 'train' or 'test', got 'Train'$/);
    await expect(cifar10({ dir, split: 'validation' } as never)).rejects.toThrow(/^cifar10: split must be 'train' or 'test', got 'validation'$/);
    await expect(cifar10({ dir } as never)).rejects.toThrow(/split must be 'train' or 'test', got undefined/);
  });

  it('a misspelled option is an OptionError suggesting the right one', async () => {
    await expect(cifar10({ dir, split: 'test', transfrom: () => {} } as never)).rejects.toThrow(/^cifar10: unknown option 'transfrom' \(did you mean 'transform'\?\); the options are dir, split, transform$/);
    await expect(mnist({ directory: dir, split: 'test' } as never)).rejects.toThrow(/^mnist: unknown option 'directory'; the options are dir, split, transform$/);
    await expect(cifar10({ dir: '', split: 'test' })).rejects.toThrow(/^cifar10: dir must be a non-empty string, got ''$/);
  });
});
