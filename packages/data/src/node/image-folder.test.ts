import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@mobilenets/ops/testing';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, DecodeError, EmptyClassError, OptionError } from '../errors.js';
import { imageFolder } from './image-folder.js';
import { loader } from '../loader.js';

const IMAGES = fileURLToPath(new URL('../__fixtures__/images/', import.meta.url));

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'mobilenets-folder-'));
});
afterAll(async () => {
  await chmod(root, 0o755);
  await rm(root, { recursive: true, force: true });
});

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

const quiet = { warn: () => {} };
/** The label of sample i (its image disposed). */
async function label(ds: { get(i: number): Promise<{ image: tf.Tensor; label: number }> }, i: number): Promise<number> {
  const s = await ds.get(i);
  s.image.dispose();
  return s.label;
}
const relativeTo = (dir: string, entries: readonly { file: string; reason: string }[]) => entries.map((s) => [relative(dir, s.file), s.reason]);

/** Every path under `dir` with its size and modification time: what a write anywhere would change. */
async function snapshot(dir: string): Promise<string[]> {
  const paths = (await readdir(dir, { recursive: true })).map((p) => join(dir, p)).concat(dir);
  return Promise.all(paths.sort().map(async (p) => `${p} ${(await stat(p)).size} ${(await stat(p)).mtimeMs}`));
}

describe('imageFolder', () => {
  it('sorts classes, labels by folder and decodes PNG exactly', async () => {
    const before = tf.memory().numTensors;
    const dir = await folder('basic', { tulips: 1, daisy: 2, roses: 1 });
    const ds = await imageFolder(dir);
    expect(ds.classes).toEqual(['daisy', 'roses', 'tulips']);
    expect(ds.size).toBe(4);
    const s = await ds.get(1); // daisy/img1.png
    expect(s.label).toBe(0);
    expect(s.image.shape).toEqual([4, 5, 3]);
    expect(Array.from((await s.image.data()).subarray(0, 3))).toEqual([10, 100, 200]);
    expect(await label(ds, 3)).toBe(2);
    s.image.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('grayscale, alpha, JPEG and WebP images come out as 3-channel RGB', async () => {
    const before = tf.memory().numTensors;
    const dir = join(root, 'formats', 'only');
    await mkdir(dir, { recursive: true });
    await sharp({ create: { width: 3, height: 2, channels: 3, background: { r: 90, g: 90, b: 90 } } }).toColourspace('b-w').png().toFile(join(dir, 'a.png'));
    await solid(join(dir, 'b.png'), 3, 2, [255, 0, 0], 'png', true);
    await solid(join(dir, 'c.jpg'), 8, 8, [0, 128, 255], 'jpeg');
    await solid(join(dir, 'd.webp'), 8, 8, [0, 128, 255], 'webp');
    const ds = await imageFolder(join(root, 'formats'));
    const images = await Promise.all([0, 1, 2, 3].map((i) => ds.get(i)));
    expect(images.map((s) => s.image.shape[2])).toEqual([3, 3, 3, 3]);
    expect(Array.from((await images[0]!.image.data()).subarray(0, 3))).toEqual([90, 90, 90]);
    expect(Array.from((await images[1]!.image.data()).subarray(0, 3))).toEqual([255, 0, 0]);
    const jpeg = Array.from((await images[2]!.image.data()).subarray(0, 3));
    for (const [i, v] of jpeg.entries()) expect(Math.abs(v - [0, 128, 255][i]!)).toBeLessThanOrEqual(3);
    tf.dispose(images.map((s) => s.image));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lists .tif and .tiff files (torchvision does) and decodes 16-bit grey TIFF as PIL: clipped to 255', async () => {
    const dir = join(root, 'tiff');
    await mkdir(join(dir, 'scans'), { recursive: true });
    for (const f of ['rgb.tif', 'gray16.tif', 'rgb-lzw.tiff']) await copyFile(join(IMAGES, f), join(dir, 'scans', f));
    const before = tf.memory().numTensors;
    const ds = await imageFolder(dir);
    expect(ds.files.map((f) => relative(dir, f))).toEqual(['scans/gray16.tif', 'scans/rgb-lzw.tiff', 'scans/rgb.tif']);
    const { image } = await ds.get(0);
    // The ramp's first column is 0, 3, 6, …; past column 6 every value is above 255 and PIL clips it.
    const v = await image.data();
    expect([v[0], v[19 * 3], v[18 * 3]]).toEqual([0, 3, 255]);
    image.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports every file it does not take, with the reason, and warns once', async () => {
    const dir = await folder('reported', { cats: 1 });
    await writeFile(join(dir, 'cats', 'notes.txt'), 'not an image');
    await writeFile(join(dir, 'cats', 'old.bmp'), 'BM');
    await copyFile(join(IMAGES, 'palette.gif'), join(dir, 'cats', 'anim.gif'));
    await copyFile(join(IMAGES, 'rgb.png'), join(dir, 'stray.png'));
    const warnings: string[] = [];
    const ds = await imageFolder(dir, { warn: (m) => warnings.push(m) });
    expect(ds.size).toBe(1);
    expect(relativeTo(dir, ds.skipped).sort()).toEqual([
      ['cats/anim.gif', 'not one of the image extensions (.jpg, .jpeg, .png, .tif, .tiff, .webp)'],
      ['cats/notes.txt', 'not one of the image extensions (.jpg, .jpeg, .png, .tif, .tiff, .webp)'],
      ['cats/old.bmp', 'BMP is not decoded (sharp has no BMP reader; torchvision would read it): convert it to PNG'],
      ['stray.png', 'not inside a class folder'],
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^imageFolder: skipped 4 entries of .*reported \(the first: .*\); see \.skipped$/);
    const gifs = await imageFolder(dir, { extensions: ['.png', '.gif'], ...quiet });
    expect(gifs.files.map((f) => relative(dir, f))).toEqual(['cats/anim.gif', 'cats/img0.png']);
  });

  it('follows symbolic links to class folders and images, walks sub-folders, and reports cycles and broken links', async () => {
    const dir = await folder('linked', { daisy: 1 });
    const elsewhere = await folder('elsewhere', { roses: 2 });
    await symlink(join(elsewhere, 'roses'), join(dir, 'roses')); // a linked class folder
    await symlink(join(elsewhere, 'roses', 'img1.png'), join(dir, 'daisy', 'linked.png')); // a linked image
    await mkdir(join(dir, 'daisy', 'sub'));
    await copyFile(join(IMAGES, 'rgb.png'), join(dir, 'daisy', 'sub', 'deep.png'));
    await symlink('..', join(dir, 'daisy', 'sub', 'up')); // back to daisy: a cycle
    await symlink(dir, join(dir, 'roses', 'top')); // back to the dataset root (through the linked folder)
    await symlink(join(dir, 'gone.png'), join(dir, 'daisy', 'missing.png'));
    await expect(imageFolder(dir, quiet)).rejects.toThrow(/missing\.png: is a symbolic link to nothing readable \(ENOENT\)/);
    const ds = await imageFolder(dir, { onError: 'skip', ...quiet });
    expect(ds.classes).toEqual(['daisy', 'roses']);
    expect(ds.files.map((f) => relative(dir, f))).toEqual(['daisy/img0.png', 'daisy/linked.png', 'daisy/sub/deep.png', 'roses/img0.png', 'roses/img1.png']);
    expect(relativeTo(dir, ds.skipped).sort()).toEqual([
      ['daisy/missing.png', 'is a symbolic link to nothing readable (ENOENT)'],
      ['daisy/sub/up', `links back to ${join(dir, 'daisy')}, a folder it is inside of (a cycle); not followed`],
      ['roses/top', `links back to ${dir}, a folder it is inside of (a cycle); not followed`],
    ]);
    const before = tf.memory().numTensors;
    expect([await label(ds, 1), await label(ds, 4)]).toEqual([0, 1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads the class order from class_indices.json', async () => {
    const dir = await folder('indexed', { a: 1, b: 1 });
    await writeFile(join(dir, 'class_indices.json'), JSON.stringify({ 0: 'b', 1: 'a' }));
    const ds = await imageFolder(dir, { classIndices: 'read' });
    expect(ds.classes).toEqual(['b', 'a']);
    const before = tf.memory().numTensors;
    expect(await label(ds, 0)).toBe(1); // a/img0.png
    expect(tf.memory().numTensors).toBe(before);
    expect(ds.skipped).toEqual([]);
  });

  it('writes nothing into the dataset folder unless asked, so a read-only folder works', async () => {
    const dir = await folder('readonly', { a: 1, b: 1 });
    for (const d of [join(dir, 'a'), join(dir, 'b'), dir]) await chmod(d, 0o555);
    const before = await snapshot(dir);
    const ds = await imageFolder(dir);
    const tensors = tf.memory().numTensors;
    expect(await label(ds, 1)).toBe(1);
    expect(tf.memory().numTensors).toBe(tensors);
    // Tests may run as root, whom a mode does not stop: the proof is that nothing changed.
    expect(await snapshot(dir)).toEqual(before);
    await chmod(dir, 0o755);
  });

  it("classIndices: 'write' writes one, leaves an identical one alone and never overwrites another", async () => {
    const dir = await folder('written', { daisy: 1, roses: 1 });
    const file = join(dir, 'class_indices.json');
    await imageFolder(dir, { classIndices: 'write' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ 0: 'daisy', 1: 'roses' });
    const written = await snapshot(dir);
    await imageFolder(dir, { classIndices: 'write' });
    expect(await snapshot(dir)).toEqual(written);
    await writeFile(file, JSON.stringify({ 0: 'roses', 1: 'daisy' }));
    const error = await imageFolder(dir, { classIndices: 'write' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toMatch(/class_indices\.json: exists with another class order \(\[roses, daisy\], the folder has \[daisy, roses\]\); it is never overwritten/);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ 0: 'roses', 1: 'daisy' });
  });

  it('an empty class folder: an EmptyClassError naming it, or skipped and reported when asked', async () => {
    const dir = await folder('empty', { full: 1 });
    await mkdir(join(dir, 'hollow'));
    await expect(imageFolder(dir)).rejects.toThrow(EmptyClassError);
    await expect(imageFolder(dir)).rejects.toThrow(/hollow: class folder holds no/);
    const warnings: string[] = [];
    const ds = await imageFolder(dir, { onError: 'skip', warn: (m) => warnings.push(m) });
    expect([ds.classes, relativeTo(dir, ds.skipped), warnings.length]).toEqual([['full'], [['hollow', 'class folder holds no .jpg/.jpeg/.png/.tif/.tiff/.webp images']], 1]);
  });

  it('a truncated or non-image file: a DecodeError naming it, or skipped by the loader and reported', async () => {
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
    expect([sizes, warnings.length]).toEqual([[1], 2]);
    expect(batches.skipped.map((s) => [s.index, s.epoch, relative(dir, s.file)]).sort()).toEqual([
      [1, 0, 'good/img1.png'],
      [2, 0, 'good/img2.png'],
    ]);
    expect(batches.skipped.every((s) => s.reason.startsWith('cannot be decoded as an image ('))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    await expect(async () => {
      for await (const b of loader(ds, { batchSize: 3 })) tf.dispose([b.x, b.y]);
    }).rejects.toThrow(DecodeError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('misspelled or bad options are OptionErrors naming the option', async () => {
    const dir = await folder('options', { a: 1 });
    await expect(imageFolder(dir, { classIndex: 'read' } as never)).rejects.toThrow(OptionError);
    await expect(imageFolder(dir, { classIndex: 'read' } as never)).rejects.toThrow(/^imageFolder: unknown option 'classIndex' \(did you mean 'classIndices'\?\)/);
    await expect(imageFolder(dir, { onError: 'ignore' } as never)).rejects.toThrow(/onError must be 'throw' or 'skip', got 'ignore'/);
    await expect(imageFolder(dir, { extensions: ['png'] })).rejects.toThrow(/extensions must be an array of extensions like '\.jpg', got \["png"\]/);
    await expect(imageFolder(dir, { maxPixels: 1.5 })).rejects.toThrow(/maxPixels must be a positive integer, got 1\.5/);
  });
});
