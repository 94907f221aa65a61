import { useBackend } from '@mobilenets/ops/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from './errors.js';
import type { Rng } from './rng.js';
import { sampleRng } from './rng.js';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  IMAGENET_MEAN,
  IMAGENET_STD,
  centerCrop,
  compose,
  grayscaleToRgb,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  randomResizedCrop,
  resize,
  type Transform,
  toTensor,
} from './transforms.js';

beforeAll(() => useBackend('cpu'));

/** An rng that returns the given numbers in turn. */
const scripted = (...values: number[]): Rng => () => {
  const v = values.shift();
  if (v === undefined) throw new Error('the transform drew more numbers than scripted');
  return v;
};
/** An h×w single-channel image whose pixel (y, x) is 10·y + x. */
const ramp = (h: number, w: number) => tf.tensor3d(Array.from({ length: h * w }, (_, i) => 10 * Math.floor(i / w) + (i % w)), [h, w, 1], 'int32');

async function run(t: Transform, image: tf.Tensor3D, rng: Rng = scripted()): Promise<{ shape: number[]; values: number[] }> {
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => t(image, rng));
  const result = { shape: out.shape, values: Array.from(await out.data()) };
  if (out !== image) out.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

describe('transforms, against hand-computed values', () => {
  it('randomCrop(4, padding 1): top then left drawn over [0, 6 − 4]', async () => {
    // padded 6×6; rng 0.5 → top ⌊0.5·3⌋ = 1, rng 0.2 → left ⌊0.2·3⌋ = 0: padded rows 1–4, cols 0–3.
    const out = await run(randomCrop(4, 1), ramp(4, 4), scripted(0.5, 0.2));
    expect(out.shape).toEqual([4, 4, 1]);
    expect(out.values).toEqual([0, 0, 1, 2, 0, 10, 11, 12, 0, 20, 21, 22, 0, 30, 31, 32]);
  });

  it('randomHorizontalFlip mirrors when the draw is below p', async () => {
    expect((await run(randomHorizontalFlip(), ramp(1, 3), scripted(0.3))).values).toEqual([2, 1, 0]);
    expect((await run(randomHorizontalFlip(), ramp(1, 3), scripted(0.7))).values).toEqual([0, 1, 2]);
    expect((await run(randomHorizontalFlip(0.8), ramp(1, 3), scripted(0.7))).values).toEqual([2, 1, 0]);
  });

  it('centerCrop rounds the offsets half to even, as torchvision', async () => {
    // 7×6 → 4×4: top round(1.5) = 2, left round(1) = 1.
    const out = await run(centerCrop(4), ramp(7, 6));
    expect(out.values.filter((_, i) => i % 4 === 0)).toEqual([21, 31, 41, 51]);
  });

  it('toTensor scales to [0, 1]; normalize subtracts and divides per channel; grayscale becomes 3 channels', async () => {
    const rgb = tf.tensor3d([0, 51, 255, 255, 0, 102], [1, 2, 3], 'int32');
    const out = await run(compose(toTensor(), normalize([0.5, 0.2, 0.1], [0.5, 0.1, 2])), rgb);
    const expected = [-1, (0.2 - 0.2) / 0.1, (1 - 0.1) / 2, 1, (0 - 0.2) / 0.1, (0.4 - 0.1) / 2];
    for (const [i, v] of expected.entries()) expect(out.values[i]).toBeCloseTo(v, 6);
    expect((await run(grayscaleToRgb(), ramp(1, 2))).values).toEqual([0, 0, 0, 1, 1, 1]);
    tf.dispose(rgb);
  });

  it('resize sets the shorter side, keeping the aspect (bilinear)', async () => {
    const out = await run(resize(2), tf.fill([4, 8, 3], 7, 'int32') as tf.Tensor3D);
    expect(out.shape).toEqual([2, 4, 3]);
    expect(out.values.every((v) => Math.abs(v - 7) < 1e-5)).toBe(true);
    expect((await run(resize(3), tf.zeros([9, 6, 1]) as tf.Tensor3D)).shape).toEqual([4, 3, 1]);
  });

  it('randomResizedCrop: area, log-ratio, then top and left; the crop resized to size', async () => {
    // 10×10, scale 0.25 → area 25, ratio 1 → 5×5; rng 0.5 → top ⌊0.5·6⌋ = 3, rng 0 → left 0.
    const out = await run(randomResizedCrop(5, [0.25, 0.25], [1, 1]), ramp(10, 10), scripted(0.1, 0.9, 0.5, 0));
    expect(out.shape).toEqual([5, 5, 1]);
    expect(out.values.slice(0, 5)).toEqual([30, 31, 32, 33, 34]);
    // No try fits (a 4×1 crop of a 2×2 image): the fallback center crop at the clamped ratio.
    const fallback = await run(randomResizedCrop(2, [1, 1], [4, 4]), ramp(2, 2), scripted(...new Array(20).fill(0.5)));
    expect(fallback.shape).toEqual([2, 2, 1]);
  });
});

describe("the seeds' pipelines, seeded", () => {
  // Seed 000 (CIFAR-10): pad-4 crop, flip, CIFAR statistics.
  const seed000 = compose(randomCrop(32, 4), randomHorizontalFlip(), toTensor(), normalize(CIFAR10_MEAN, CIFAR10_STD));
  // Seed 003 (flowers): RandomResizedCrop 224 + flip for training; Resize 256 + CenterCrop 224 for validation.
  const seed003Train = compose(randomResizedCrop(224), randomHorizontalFlip(), toTensor(), normalize(IMAGENET_MEAN, IMAGENET_STD));
  const seed003Val = compose(resize(256), centerCrop(224), toTensor(), normalize(IMAGENET_MEAN, IMAGENET_STD));

  it('give the shapes the seeds train on, and the same output for the same seed', async () => {
    const cifar = tf.randomUniform([32, 32, 3], 0, 256, 'int32', 1) as tf.Tensor3D;
    const photo = tf.randomUniform([300, 400, 3], 0, 256, 'int32', 2) as tf.Tensor3D;
    const a = await run(seed000, cifar, sampleRng(7, 0, 3));
    const b = await run(seed000, cifar, sampleRng(7, 0, 3));
    const c = await run(seed000, cifar, sampleRng(7, 1, 3));
    expect(a.shape).toEqual([32, 32, 3]);
    expect(b.values).toEqual(a.values);
    expect(c.values).not.toEqual(a.values);
    expect((await run(seed003Train, photo, sampleRng(1, 0, 0))).shape).toEqual([224, 224, 3]);
    expect((await run(seed003Val, photo)).shape).toEqual([224, 224, 3]);
    tf.dispose([cifar, photo]);
  });
});

describe('transform parameters', () => {
  it.each([
    ['resize(2.5)', () => resize(2.5), /^resize: size must be a positive integer, got 2\.5$/],
    ['resize(-1)', () => resize(-1), /size must be a positive integer, got -1/],
    ['resize(0)', () => resize(0), /size must be a positive integer, got 0/],
    ['centerCrop(NaN)', () => centerCrop(Number.NaN), /^centerCrop: size must be a positive integer, got NaN$/],
    ['randomCrop(3.5)', () => randomCrop(3.5), /^randomCrop: size must be a positive integer, got 3\.5$/],
    ['randomCrop(32, -4)', () => randomCrop(32, -4), /^randomCrop: padding must be an integer ≥ 0, got -4$/],
    ['randomHorizontalFlip(1.5)', () => randomHorizontalFlip(1.5), /^randomHorizontalFlip: p must be a probability in \[0, 1\], got 1\.5$/],
    ['randomHorizontalFlip(-0.1)', () => randomHorizontalFlip(-0.1), /p must be a probability in \[0, 1\], got -0\.1/],
    ['randomResizedCrop(224.5)', () => randomResizedCrop(224.5), /^randomResizedCrop: size must be a positive integer/],
    ['randomResizedCrop scale reversed', () => randomResizedCrop(224, [1, 0.08]), /scale must be \[low, high\] with 0 < low ≤ high ≤ 1, got \[1,0\.08\]/],
    ['randomResizedCrop scale above 1', () => randomResizedCrop(224, [0.5, 2]), /scale must be \[low, high\] with 0 < low ≤ high ≤ 1, got \[0\.5,2\]/],
    ['randomResizedCrop ratio 0', () => randomResizedCrop(224, [0.08, 1], [0, 1]), /ratio must be \[low, high\] with 0 < low ≤ high, got \[0,1\]/],
    ['normalize with two std for three means', () => normalize([0.5, 0.5, 0.5], [0.5, 0.5]), /^normalize: std must be an array of numbers > 0, one per channel \(3, as mean\), got \[0\.5,0\.5\]$/],
    ['normalize with std 0', () => normalize([0.5], [0]), /std must be an array of numbers > 0, one per channel \(1, as mean\), got \[0\]/],
    ['normalize with no channels', () => normalize([], []), /^normalize: mean must be an array of finite numbers, one per channel, got \[\]$/],
    ['normalize with a NaN mean', () => normalize([Number.NaN], [1]), /mean must be an array of finite numbers/],
    ['compose of a non-function', () => compose(toTensor(), undefined as never), /^compose: transform 1 must be a function, got undefined$/],
  ])('%s is an OptionError', (_, make, message) => {
    expect(make).toThrow(OptionError);
    expect(make).toThrow(message);
  });
});
