import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@mobilenets/ops/testing';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, EmptyClassError } from './errors.js';
import { imageFolder } from './image-folder.js';
import { loader } from './loader.js';

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'mobilenets-folder-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Writes a w×h image of one colour with the real encoder. */
async function solid(file: string, w: number, h: number, rgb: [number, number, number], format: 'png' | 'jpeg' | 'webp', alpha = false): Promise<void> {
  const channels = alpha ? 4 : 3;
  const background = alpha ? { r: rgb[0], g: rgb[1], b: rgb[2], alpha: 0.5 } : { r: rgb[0], g: rgb[1], b: rgb[2] };
  await sharp({ create: { width: w, height: h, channels, background } })[format]().toFile(file);
}

async function folder(name: string, layout: Record<string, number>): Promise<string> {
  const dir = join(root, name);
  for (const [cls, count] of Object.entries(layout)) {
    await mkdir(join(dir, cls), { recursive: true });
    for (let i = 0; i < count; i++) await solid(join(dir, cls, `img${i}.png`), 5, 4, [10 * i, 100, 200], 'png');
  }
  return dir;
}

describe('imageFolder', () => {
  it('sorts classes, labels by folder, decodes PNG exactly, and writes class_indices.json as seed 003', async () => {
    const dir = await folder('basic', { tulips: 1, daisy: 2, roses: 1 });
    const ds = await imageFolder(dir);
    expect(ds.classes).toEqual(['daisy', 'roses', 'tulips']);
    expect(ds.size).toBe(4);
    expect(JSON.parse(await readFile(join(dir, 'class_indices.json'), 'utf8'))).toEqual({ 0: 'daisy', 1: 'roses', 2: 'tulips' });
    const s = await ds.get(1); // daisy/img1.png
    expect(s.label).toBe(0);
    expect(s.image.shape).toEqual([4, 5, 3]);
    expect(Array.from((await s.image.data()).subarray(0, 3))).toEqual([10, 100, 200]);
    expect((await ds.get(3)).label).toBe(2);
    s.image.dispose();
  });

  it('grayscale, alpha, JPEG and WebP images come out as 3-channel RGB', async () => {
    const dir = join(root, 'formats', 'only');
    await mkdir(dir, { recursive: true });
    await sharp({ create: { width: 3, height: 2, channels: 3, background: { r: 90, g: 90, b: 90 } } }).toColourspace('b-w').png().toFile(join(dir, 'a.png'));
    await solid(join(dir, 'b.png'), 3, 2, [255, 0, 0], 'png', true);
    await solid(join(dir, 'c.jpg'), 8, 8, [0, 128, 255], 'jpeg');
    await solid(join(dir, 'd.webp'), 8, 8, [0, 128, 255], 'webp');
    const ds = await imageFolder(join(root, 'formats'), { classIndices: 'none' });
    const images = await Promise.all([0, 1, 2, 3].map((i) => ds.get(i)));
    expect(images.map((s) => s.image.shape[2])).toEqual([3, 3, 3, 3]);
    expect(Array.from((await images[0]!.image.data()).subarray(0, 3))).toEqual([90, 90, 90]);
    expect(Array.from((await images[1]!.image.data()).subarray(0, 3))).toEqual([255, 0, 0]);
    const jpeg = Array.from((await images[2]!.image.data()).subarray(0, 3));
    for (const [i, v] of jpeg.entries()) expect(Math.abs(v - [0, 128, 255][i]!)).toBeLessThanOrEqual(3);
    tf.dispose(images.map((s) => s.image));
  });

  it('reads the class order from class_indices.json', async () => {
    const dir = await folder('indexed', { a: 1, b: 1 });
    await writeFile(join(dir, 'class_indices.json'), JSON.stringify({ 0: 'b', 1: 'a' }));
    const ds = await imageFolder(dir, { classIndices: 'read' });
    expect(ds.classes).toEqual(['b', 'a']);
    expect((await ds.get(0)).label).toBe(1); // a/img0.png
  });

  it('an empty class folder: an EmptyClassError naming it, or a warning and a count when asked to skip', async () => {
    const dir = await folder('empty', { full: 1 });
    await mkdir(join(dir, 'hollow'));
    await expect(imageFolder(dir)).rejects.toThrow(EmptyClassError);
    await expect(imageFolder(dir)).rejects.toThrow(/hollow: class folder holds no/);
    const warnings: string[] = [];
    const ds = await imageFolder(dir, { onError: 'skip', warn: (m) => warnings.push(m) });
    expect([ds.classes, ds.skipped, warnings.length]).toEqual([['full'], ['hollow'], 1]);
  });

  it('a truncated or non-image file: a DecodeError naming it, or skipped by the loader with a count', async () => {
    const dir = await folder('broken', { good: 3 });
    const png = await readFile(join(dir, 'good', 'img0.png'));
    await writeFile(join(dir, 'good', 'img1.png'), png.subarray(0, png.byteLength - 20));
    await writeFile(join(dir, 'good', 'img2.png'), 'this is text, not an image');
    const ds = await imageFolder(dir);
    await expect(ds.get(1)).rejects.toThrow(DecodeError);
    await expect(ds.get(2)).rejects.toThrow(/img2\.png: cannot be decoded as an image/);
    const before = tf.memory().numTensors;
    const warnings: string[] = [];
    const batches = loader(ds, { batchSize: 3, onError: 'skip', warn: (m) => warnings.push(m) });
    const sizes: number[] = [];
    for await (const { x, y } of batches) {
      sizes.push(x.shape[0]);
      tf.dispose([x, y]);
    }
    expect([sizes, batches.skipped, warnings.length]).toEqual([[1], 2, 2]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(async () => {
      for await (const b of loader(ds, { batchSize: 3 })) tf.dispose([b.x, b.y]);
    }).rejects.toThrow(DecodeError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
