import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@mobilenets/ops/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, MAX_PIXELS } from './decode.js';
import { DecodeError, ImageTooLargeError, OptionError } from './errors.js';

// Made by packages/data/fixtures/make_images.py: each file and PIL's `Image.open(f).convert('RGB')` of it.
const IMAGES = fileURLToPath(new URL('./__fixtures__/images/', import.meta.url));
const reference = JSON.parse(readFileSync(join(IMAGES, 'reference.json'), 'utf8')) as {
  images: { file: string; mode: string; shape: [number, number, number]; rgb: string }[];
};

let tmp: string;
beforeAll(async () => {
  await useBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'mobilenets-decode-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Largest and mean absolute difference between our decode of `file` and PIL's. */
async function againstPil(file: string, rgb: string): Promise<{ max: number; mean: number; shape: number[] }> {
  const image = await decodeImage(join(IMAGES, file));
  const ours = await image.data();
  image.dispose();
  const pil = Buffer.from(rgb, 'base64');
  let max = 0;
  let sum = 0;
  for (let i = 0; i < pil.length; i++) {
    const d = Math.abs(ours[i]! - pil[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / pil.length, shape: image.shape };
}

describe('decodeImage against PIL', () => {
  // JPEG decoding is not bit-exact across libjpeg builds (sharp bundles mozjpeg, Pillow libjpeg-turbo): IDCT and
  // chroma upsampling may round differently by a level or two. Measured here: 0 for every JPEG.
  const JPEG = { max: 2, mean: 0.5 };
  const exact = reference.images.filter((r) => !r.file.endsWith('.jpg'));
  const jpegs = reference.images.filter((r) => r.file.endsWith('.jpg'));

  it.each(exact)('$file (PIL mode $mode) decodes to exactly PIL’s values', async ({ file, shape, rgb }) => {
    const before = tf.memory().numTensors;
    expect(await againstPil(file, rgb)).toEqual({ max: 0, mean: 0, shape });
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(jpegs)('$file (PIL mode $mode) decodes within the JPEG tolerance of PIL’s values', async ({ file, shape, rgb }) => {
    const before = tf.memory().numTensors;
    const d = await againstPil(file, rgb);
    expect(tf.memory().numTensors).toBe(before);
    expect(d.shape).toEqual(shape);
    expect(d.max).toBeLessThanOrEqual(JPEG.max);
    expect(d.mean).toBeLessThanOrEqual(JPEG.mean);
  });

  it('covers every kind the decoder reads', () => {
    const kinds = ['rgb', 'gray', 'gray-alpha', 'rgba', 'palette', 'bilevel', 'gray16', 'rgb16', 'icc', 'cmyk', 'exif-rotated'];
    const names = reference.images.map((r) => r.file);
    for (const kind of kinds) expect(names.some((n) => n.startsWith(kind))).toBe(true);
    for (const ext of ['.png', '.jpg', '.tif', '.tiff', '.gif', '.webp']) expect(names.some((n) => n.endsWith(ext))).toBe(true);
  });
});

describe('decodeImage limits and failures', () => {
  it('reads the header first: more pixels than maxPixels is an ImageTooLargeError naming the file and the count', async () => {
    const before = tf.memory().numTensors;
    const file = join(IMAGES, 'rgb.png'); // 19×13
    const error = await decodeImage(file, { maxPixels: 246 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toBe(`${file}: is 19×13 = 247 pixels, more than maxPixels (246); not decoded`);
    expect(error).toMatchObject({ width: 19, height: 13, maxPixels: 246 });
    const image = await decodeImage(file, { maxPixels: 247 });
    expect(image.shape).toEqual([13, 19, 3]);
    image.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(MAX_PIXELS).toBe(89_478_485);
  });

  it('a format PIL does not read as an image (SVG) is a DecodeError, not a rendering', async () => {
    const svg = join(tmp, 'drawing.png');
    await writeFile(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="red"/></svg>');
    await expect(decodeImage(svg)).rejects.toThrow(/drawing\.png: is svg; the decoder reads JPEG, PNG, WebP, TIFF and GIF/);
  });

  it('bad options are OptionErrors', async () => {
    const file = join(IMAGES, 'rgb.png');
    await expect(decodeImage(file, { maxPixel: 5 } as never)).rejects.toThrow(OptionError);
    await expect(decodeImage(file, { maxPixel: 5 } as never)).rejects.toThrow(/unknown option 'maxPixel' \(did you mean 'maxPixels'\?\)/);
    await expect(decodeImage(file, { maxPixels: 0 })).rejects.toThrow(/maxPixels must be a positive integer, got 0/);
  });
});
