import { readFileSync } from 'node:fs';
import { useBackend } from '@mobilenets/ops/testing';
import type { Preprocessing } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFile } from '../input.js';
import { preprocess, resizedSize } from './preprocess.js';
import { resample, type Rgb8 } from './resample.js';

const FIXTURES = new URL('../__fixtures__/preprocess/', import.meta.url);
interface Case {
  name: string;
  resize: number;
  crop: number;
  interpolation: 'bilinear' | 'bicubic' | 'nearest';
  mean: [number, number, number];
  std: [number, number, number];
  resized: [number, number];
}
const meta = JSON.parse(readFileSync(new URL('cases.json', FIXTURES), 'utf8')) as { cases: Case[] };
const bytes = (name: string) => readFileSync(new URL(name, FIXTURES));
const floats = (name: string) => {
  const b = bytes(name);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const settings = (c: Pick<Case, 'resize' | 'crop' | 'interpolation' | 'mean' | 'std'>, inputRange: [number, number] = [0, 1]): Preprocessing => ({
  resize: c.resize,
  crop: c.crop,
  interpolation: c.interpolation,
  mean: c.mean,
  std: c.std,
  inputRange,
  channelOrder: 'RGB',
});

let image: Rgb8;
beforeAll(async () => {
  await useBackend('cpu');
  image = await decodeFile(new URL('image.png', FIXTURES).pathname);
});

describe('preprocess against torchvision (fixtures/preprocess_fixture.py)', () => {
  it.each(meta.cases.map((c) => [c.name, c] as const))('%s: the resized image equals PIL\'s to the bit, the tensor equals torchvision\'s to 1e-6', (_, c) => {
    const before = tf.memory().numTensors;
    const [w, h] = resizedSize(image.width, image.height, c.resize);
    expect([w, h]).toEqual(c.resized);
    const resized = resample(image, w, h, c.interpolation);
    expect(Buffer.from(resized.data).equals(bytes(`${c.name}-resized.u8`))).toBe(true);

    const ours = preprocess(image, settings(c));
    const theirs = floats(`${c.name}.f32`);
    expect(ours.length).toBe(theirs.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a plain bilinear resize (tfjs resizeBilinear, no antialiasing) is not what torchvision computes: the error it would leave', () => {
    const c = meta.cases.find((x) => x.name === 'down-bilinear')!;
    const [w, h] = resizedSize(image.width, image.height, c.resize);
    const pil = bytes(`${c.name}-resized.u8`);
    const plain = tf.tidy(() => {
      const x = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      return tf.clipByValue(tf.round(tf.image.resizeBilinear(tf.cast(x, 'float32'), [h, w], false, true)), 0, 255);
    });
    const values = plain.dataSync();
    plain.dispose();
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - pil[i]!));
    // The noise in the fixture image is what the antialiasing filter averages away and plain bilinear keeps.
    expect(worst).toBeGreaterThan(20);
  });
});

describe('preprocess by hand', () => {
  // A 2×4 image (width 4, height 2): resize 2 keeps it, crop 2 takes the middle columns.
  const tiny: Rgb8 = { data: Uint8Array.from({ length: 24 }, (_, i) => i * 10), width: 4, height: 2 };

  it('no resize, center crop, ToTensor, mean/std: every value computed by hand', () => {
    const out = preprocess(tiny, settings({ resize: 2, crop: 2, interpolation: 'bilinear', mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2] }));
    // Columns 1 and 2 of both rows: pixels 1, 2, 5, 6 → bytes 3..8, 15..20 of 0, 10, 20, …
    const pixels = [1, 2, 5, 6].flatMap((p) => [0, 1, 2].map((c) => (p * 3 + c) * 10));
    const mean = [0.5, 0.25, 0];
    const std = [0.5, 0.25, 2];
    const expected = pixels.map((v, i) => (v / 255 - mean[i % 3]!) / std[i % 3]!);
    expect(out.length).toBe(expected.length);
    // Computed in float32 step by step, as torch does: within an ulp or two of the exact values.
    expect(Math.max(...Array.from(out, (v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(3e-7);
  });

  it('input range [-1, 1]: [0, 1] values mapped before normalization', () => {
    const out = preprocess(tiny, { ...settings({ resize: 2, crop: 2, interpolation: 'bilinear', mean: [0, 0, 0], std: [1, 1, 1] }), inputRange: [-1, 1] });
    expect(out[0]).toBeCloseTo((30 / 255) * 2 - 1, 6);
    expect(out[11]).toBeCloseTo((200 / 255) * 2 - 1, 6);
  });

  it("PIL's bilinear downscale by 2 averages pixel pairs, rounding halves up; upscaling interpolates with the triangle filter", () => {
    const row: Rgb8 = { data: Uint8Array.from([10, 0, 0, 21, 0, 0]), width: 2, height: 1 };
    expect(Array.from(resample(row, 1, 1, 'bilinear').data)).toEqual([16, 0, 0]); // (10 + 21) / 2 = 15.5 → 16
    const up = resample(row, 4, 1, 'bilinear').data;
    // Centres at 0.25, 0.75, 1.25, 1.75 of the source: weights 1 / 0.75·0.25 / 0.25·0.75 / 1 → 10, 12.75, 18.25, 21.
    expect([up[0], up[3], up[6], up[9]]).toEqual([10, 13, 18, 21]);
  });

  it("PIL's bicubic (a = −0.5) upscale by 2: the edge taps renormalized, not padded; overshoot past the source, clipped to 0–255", () => {
    const row = (a: number, b: number): Rgb8 => ({ data: Uint8Array.from([a, 0, 0, b, 0, 0]), width: 2, height: 1 });
    const red = (image: Rgb8) => Array.from(image.data.filter((_, i) => i % 3 === 0));
    // Output 0 (centre 0.25): taps at distances 0.25 and 1.25, weights 0.8671875 and −0.0703125, renormalized to
    // 1.0882 and −0.0882 → 10 · 1.0882 − 21 · 0.0882 = 9.03. Output 1 (centre 0.75): 0.7929 · 10 + 0.2071 · 21 = 12.28.
    expect(red(resample(row(10, 21), 4, 1, 'bicubic'))).toEqual([9, 12, 19, 22]);
    // −22.5 and 277.5 at the ends, clipped (PIL's values, checked with Pillow 9.4).
    expect(red(resample(row(0, 255), 4, 1, 'bicubic'))).toEqual([0, 53, 202, 255]);
  });

  it('a crop larger than the resized image is padded with zeros on both sides (torchvision pads left/top with the smaller half)', () => {
    const one: Rgb8 = { data: Uint8Array.from([255, 255, 255]), width: 1, height: 1 };
    const out = preprocess(one, settings({ resize: 1, crop: 2, interpolation: 'nearest', mean: [0, 0, 0], std: [1, 1, 1] }));
    // Pad (2 − 1) // 2 = 0 before, 1 after: the pixel sits top-left.
    expect(Array.from(out)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
