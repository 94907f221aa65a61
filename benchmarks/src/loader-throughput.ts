import { access, mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { IMAGENET_MEAN, IMAGENET_STD, compose, imageFolder, loader, normalize, randomHorizontalFlip, randomResizedCrop, toTensor } from '@mobilenets/data';
import { initBackend, type BackendName } from '@mobilenets/ops';
import sharp from 'sharp';
import { median } from './stats.js';

export interface LoaderConfig {
  backend: BackendName;
  images: number;
  batch: number;
  prefetch: number;
}

export interface LoaderResult extends LoaderConfig {
  /** Median over batches after the first. */
  imagesPerSecond: number;
  batchMs: number[];
  imageSize: [number, number];
}

const IMAGE_SIZE: [number, number] = [500, 375]; // a typical flower photo (seed 003's dataset)

/** A cached folder of photo-sized JPEGs in 5 classes (smooth gradients with noise, like photos to a decoder). */
async function syntheticFolder(count: number): Promise<string> {
  const dir = join(tmpdir(), `mobilenets-bench-folder-${count}-${IMAGE_SIZE.join('x')}`);
  if (await access(dir).then(() => true, () => false)) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  const [w, h] = IMAGE_SIZE;
  for (let i = 0; i < count; i++) {
    const cls = join(tmp, `class_${i % 5}`);
    await mkdir(cls, { recursive: true });
    const pixels = Buffer.alloc(w * h * 3);
    for (let p = 0; p < w * h; p++) {
      const [x, y] = [p % w, Math.floor(p / w)];
      const noise = (Math.imul(p + i * 7919, 2654435761) >>> 24) & 31;
      pixels[3 * p] = (x * 255) / w + noise;
      pixels[3 * p + 1] = (y * 255) / h + noise;
      pixels[3 * p + 2] = ((i * 37) % 255) - noise;
    }
    await sharp(pixels, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(cls, `img${i}.jpg`));
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return dir;
}

/** Images/s of an image folder through seed 003's training transforms (RandomResizedCrop 224, flip, normalize). */
export async function measureLoader(config: LoaderConfig, log: (line: string) => void): Promise<LoaderResult> {
  await initBackend(config.backend);
  const dir = await syntheticFolder(config.images);
  const dataset = await imageFolder(dir, {
    classIndices: 'none',
    transform: compose(randomResizedCrop(224), randomHorizontalFlip(), toTensor(), normalize(IMAGENET_MEAN, IMAGENET_STD)),
  });
  const batchMs: number[] = [];
  let last = performance.now();
  for await (const { x, y } of loader(dataset, { batchSize: config.batch, shuffle: true, prefetch: config.prefetch, dropLast: true })) {
    await x.data(); // the consumer's first read: the batch is complete
    tf.dispose([x, y]);
    const now = performance.now();
    batchMs.push(now - last);
    last = now;
    log(`  batch ${batchMs.length}: ${batchMs.at(-1)!.toFixed(0)} ms`);
  }
  const steady = batchMs.slice(1);
  return { ...config, imagesPerSecond: config.batch / (median(steady) / 1000), batchMs, imageSize: IMAGE_SIZE };
}
