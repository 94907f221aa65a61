import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, fashionMnist } from './fashion-mnist.js';

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

// Debian's dataset-fashion-mnist (.ci/run installs it). Known values read independently with numpy.
beforeAll(() => useBackend('cpu'));

describe('Fashion-MNIST from the real IDX files', () => {
  it('train: 60,000 images, 6,000 per class, the first and last images as numpy reads them', async () => {
    const train = await fashionMnist({ split: 'train' });
    expect(train.size).toBe(60_000);
    expect(train.classes).toEqual(FASHION_MNIST_CLASSES);
    const perClass = new Array(10).fill(0);
    for (let i = 0; i < train.size; i++) {
      const { image, label } = await train.get(i);
      perClass[label]++;
      image.dispose();
    }
    expect(perClass).toEqual(new Array(10).fill(6000));

    const first = await train.get(0);
    expect(first.label).toBe(9); // Ankle boot
    expect(first.image.shape).toEqual([28, 28, 1]);
    expect(first.image.dtype).toBe('int32');
    const pixels = await first.image.data();
    expect(sum(pixels)).toBe(76_247);
    expect(Array.from(pixels.subarray(10 * 28, 11 * 28))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 193, 228, 218, 213, 198, 180, 212, 210, 211, 213, 223, 220, 243, 202, 0,
    ]);
    const last = await train.get(59_999);
    expect(last.label).toBe(5);
    expect(sum(await last.image.data())).toBe(16_684);
    tf.dispose([first.image, last.image]);
  });

  it('test: 10,000 images; the first ten labels and the first image', async () => {
    const test = await fashionMnist({ split: 'test' });
    expect(test.size).toBe(10_000);
    const labels = [];
    for (let i = 0; i < 10; i++) {
      const s = await test.get(i);
      labels.push(s.label);
      s.image.dispose();
    }
    expect(labels).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    const first = await test.get(0);
    const pixels = await first.image.data();
    expect(sum(pixels)).toBe(33_456);
    expect(Array.from(pixels.subarray(14 * 28, 15 * 28))).toEqual([
      0, 0, 0, 0, 0, 0, 2, 4, 1, 0, 0, 0, 98, 136, 110, 109, 110, 162, 135, 144, 149, 159, 167, 144, 158, 169, 119, 0,
    ]);
    first.image.dispose();
    await expect(test.get(10_000)).rejects.toThrow(RangeError);
  });
});
