import { useBackend } from '@mobilenets/ops/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.js';
import { OptionError } from './errors.js';
import { loader, splitDataset } from './loader.js';

beforeAll(() => useBackend('cpu'));

/** n samples; sample i is a 2×2×1 image filled with i, labelled i mod 3. */
function counting(n: number): Dataset {
  return {
    size: n,
    classes: ['a', 'b', 'c'],
    async get(i) {
      return { image: tf.fill([2, 2, 1], i, 'int32') as tf.Tensor3D, label: i % 3 };
    },
  };
}

async function epoch(l: AsyncIterable<{ x: tf.Tensor4D; y: tf.Tensor1D }>): Promise<{ ids: number[][]; labels: number[][]; dtypes: string[] }> {
  const ids: number[][] = [];
  const labels: number[][] = [];
  const dtypes: string[] = [];
  for await (const { x, y } of l) {
    const v = await x.data();
    ids.push(Array.from({ length: x.shape[0] }, (_, i) => v[i * 4]!));
    labels.push(Array.from(await y.data()));
    dtypes.push(`${x.dtype}/${y.dtype}/${x.shape.slice(1)}`);
    tf.dispose([x, y]);
  }
  return { ids, labels, dtypes };
}

describe('loader', () => {
  it('batches in order, float32 NHWC x and int32 y; the last batch kept or dropped', async () => {
    const before = tf.memory().numTensors;
    const l = loader(counting(10), { batchSize: 4 });
    expect(l.batchesPerEpoch).toBe(3);
    const e = await epoch(l);
    expect(e.ids).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(e.labels).toEqual([[0, 1, 2, 0], [1, 2, 0, 1], [2, 0]]);
    expect(e.dtypes[0]).toBe('float32/int32/2,2,1');
    expect((await epoch(loader(counting(10), { batchSize: 4, dropLast: true }))).ids).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('shuffles with the seed: the same order for the same seed and epoch, a new one each epoch, every sample once', async () => {
    const a = loader(counting(12), { batchSize: 5, shuffle: true, seed: 3 });
    const b = loader(counting(12), { batchSize: 5, shuffle: true, seed: 3 });
    const [a0, b0] = [(await epoch(a)).ids.flat(), (await epoch(b)).ids.flat()];
    const a1 = (await epoch(a)).ids.flat();
    expect(a0).toEqual(b0);
    expect(a1).not.toEqual(a0);
    expect([...a0].sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    expect([...a1].sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    expect(a.epoch).toBe(2);
    const other = (await epoch(loader(counting(12), { batchSize: 5, shuffle: true, seed: 4 }))).ids.flat();
    expect(other).not.toEqual(a0);
  });

  it('prefetching keeps the order; stopping early leaves no tensor behind', async () => {
    for (const prefetch of [0, 1, 4]) {
      expect((await epoch(loader(counting(9), { batchSize: 2, prefetch }))).ids.flat()).toEqual([...Array(9).keys()]);
    }
    const before = tf.memory().numTensors;
    for await (const { x, y } of loader(counting(40), { batchSize: 2, prefetch: 3 })) {
      tf.dispose([x, y]);
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad options are OptionErrors naming the option: typos, missing, out of range', () => {
    const bad = (options: object) => () => loader(counting(3), options as never);
    expect(bad({ batchSize: 2, shufle: true })).toThrow(OptionError);
    expect(bad({ batchSize: 2, shufle: true })).toThrow(/^loader: unknown option 'shufle' \(did you mean 'shuffle'\?\); the options are batchSize, shuffle, seed, dropLast, prefetch, onError, warn$/);
    expect(bad({ batchsize: 2 })).toThrow(/unknown option 'batchsize' \(did you mean 'batchSize'\?\)/);
    expect(bad({})).toThrow(/batchSize must be a positive integer, got undefined/);
    expect(bad({ batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(bad({ batchSize: 2.5 })).toThrow(/batchSize must be a positive integer, got 2\.5/);
    expect(bad({ batchSize: 2, prefetch: -1 })).toThrow(/prefetch must be an integer ≥ 0, got -1/);
    expect(bad({ batchSize: 2, seed: 0.5 })).toThrow(/seed must be an integer, got 0\.5/);
    expect(bad({ batchSize: 2, shuffle: 'yes' })).toThrow(/shuffle must be true or false, got 'yes'/);
    expect(bad({ batchSize: 2, onError: 'skipp' })).toThrow(/onError must be 'throw' or 'skip', got 'skipp'/);
  });
});

describe('splitDataset', () => {
  it('splits by fraction with a seed: disjoint, complete, reproducible', async () => {
    const ids = async (d: Dataset) => (await epoch(loader(d, { batchSize: 100 }))).ids.flat();
    const { train, val } = splitDataset(counting(20), 0.25, 1);
    expect([train.size, val.size]).toEqual([15, 5]);
    const [t, v] = [await ids(train), await ids(val)];
    expect([...t, ...v].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(await ids(splitDataset(counting(20), 0.25, 1).val)).toEqual(v);
    expect(await ids(splitDataset(counting(20), 0.25, 2).val)).not.toEqual(v);
  });

  it('a fraction outside [0, 1] or a fractional seed is an OptionError', () => {
    expect(() => splitDataset(counting(20), 1.5)).toThrow(OptionError);
    expect(() => splitDataset(counting(20), 1.5)).toThrow(/^splitDataset: valFraction must be a probability in \[0, 1\], got 1\.5$/);
    expect(() => splitDataset(counting(20), 0.2, 0.5)).toThrow(/seed must be an integer, got 0\.5/);
  });
});
