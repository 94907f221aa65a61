import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@mobilenets/ops/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, MAX_PIXELS } from './decode.js';
import { DecodeError, ImageTooLargeError, OptionError } from '../errors.js';

// Made by packages/data/fixtures/make_images.py: each file and PIL's `Image.open(f).convert('RGB')` of it.
const IMAGES = fileURLToPath(new URL('../__fixtures__/images/', import.meta.url));
const reference = JSON.parse(readFileSync(join(IMAGES, 'reference.json'), 'utf8')) as {
  images: { file: string; mode: string; shape: [number, number, number]; rgb: string }[];
};

let tmp: string;
beforeAll(async () => {
  await useBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'mobilenets-decode-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Largest and mean absolute difference between our decode of `file` (from its path, or its bytes) and PIL's. */
async function againstPil(file: string, rgb: string, from: 'path' | 'bytes' = 'path'): Promise<{ max: number; mean: number; shape: number[] }> {
  const path = join(IMAGES, file);
  const image = await decodeImage(from === 'path' ? path : readFileSync(path));
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

  describe.each(['path', 'bytes'] as const)('from its %s', (from) => {
    it.each(exact)('$file (PIL mode $mode) decodes to exactly PIL’s values', async ({ file, shape, rgb }) => {
      const before = tf.memory().numTensors;
      expect(await againstPil(file, rgb, from)).toEqual({ max: 0, mean: 0, shape });
      expect(tf.memory().numTensors).toBe(before);
    });

    it.each(jpegs)('$file (PIL mode $mode) decodes within the JPEG tolerance of PIL’s values', async ({ file, shape, rgb }) => {
      const before = tf.memory().numTensors;
      const d = await againstPil(file, rgb, from);
      expect(tf.memory().numTensors).toBe(before);
      expect(d.shape).toEqual(shape);
      expect(d.max).toBeLessThanOrEqual(JPEG.max);
      expect(d.mean).toBeLessThanOrEqual(JPEG.mean);
    });
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

  it('bytes: the same header check and pixel cap; errors name the image as the caller does, or <buffer>', async () => {
    const before = tf.memory().numTensors;
    const bytes = readFileSync(join(IMAGES, 'rgb.png')); // 19×13
    const tooLarge = await decodeImage(bytes, { maxPixels: 246, name: 'upload 7' }).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(ImageTooLargeError);
    expect((tooLarge as Error).message).toBe('upload 7: is 19×13 = 247 pixels, more than maxPixels (246); not decoded');
    const truncated = await decodeImage(bytes.subarray(0, bytes.length >> 1)).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(DecodeError);
    expect((truncated as DecodeError).file).toBe('<buffer>');
    expect((truncated as Error).message).toMatch(/^<buffer>: cannot be decoded as an image \(/);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    await expect(decodeImage(svg, { name: 'drawing' })).rejects.toThrow(/^drawing: is svg; the decoder reads JPEG/);
    await expect(decodeImage(new Uint8Array(0))).rejects.toThrow(/^<buffer>: cannot be decoded as an image/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad options are OptionErrors', async () => {
    const file = join(IMAGES, 'rgb.png');
    await expect(decodeImage(file, { maxPixel: 5 } as never)).rejects.toThrow(OptionError);
    await expect(decodeImage(file, { maxPixel: 5 } as never)).rejects.toThrow(/unknown option 'maxPixel' \(did you mean 'maxPixels'\?\)/);
    await expect(decodeImage(file, { maxPixels: 0 })).rejects.toThrow(/maxPixels must be a positive integer, got 0/);
    await expect(decodeImage(file, { name: '' })).rejects.toThrow(/name must be a non-empty string, got ''/);
    await expect(decodeImage(42 as never)).rejects.toThrow(/^decodeImage: file must be a path or the bytes of an image file \(a Buffer or Uint8Array\), got 42$/);
  });
});
