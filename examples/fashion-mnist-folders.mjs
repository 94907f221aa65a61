#!/usr/bin/env node
// Writes Fashion-MNIST as PNG class folders for the transfer-learning example:
//   OUT/pretrain/{train,val}/<class>   classes 0–4 (train split: PER_CLASS each; test split: 200 each)
//   OUT/finetune/{train,val}/<class>   classes 5–9 of the test split (1,000 each: 800 train, 200 val)
// Usage: node examples/fashion-mnist-folders.mjs OUT [PER_CLASS=1000]
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FASHION_MNIST_CLASSES, fashionMnist } from '@mobilenets/data';
import { initBackend } from '@mobilenets/ops';
import sharp from 'sharp';

const [out, perClassArg] = process.argv.slice(2);
if (!out) {
  console.error('usage: node examples/fashion-mnist-folders.mjs OUT [PER_CLASS]');
  process.exit(1);
}
const perClass = Number(perClassArg ?? 1000);
await initBackend('cpu');
const folderName = (label) => FASHION_MNIST_CLASSES[label].replace(/[^A-Za-z0-9-]/g, '_');

/** Writes up to `take(label, seen)` images of the classes in `labels` from `split` into dir/<class>/. */
async function write(split, labels, dirFor) {
  const data = await fashionMnist({ split });
  const seen = new Map(labels.map((l) => [l, 0]));
  for (let i = 0; i < data.size; i++) {
    const { image, label } = await data.get(i);
    const n = seen.get(label);
    const dir = n === undefined ? null : dirFor(label, n);
    if (dir) {
      await mkdir(join(dir, folderName(label)), { recursive: true });
      const pixels = Uint8Array.from(image.dataSync());
      await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(dir, folderName(label), `${split}-${i}.png`));
      seen.set(label, n + 1);
    }
    image.dispose();
  }
}

await write('train', [0, 1, 2, 3, 4], (_, n) => (n < perClass ? join(out, 'pretrain', 'train') : null));
await write('test', [0, 1, 2, 3, 4], (_, n) => (n < 200 ? join(out, 'pretrain', 'val') : null));
await write('test', [5, 6, 7, 8, 9], (_, n) => join(out, 'finetune', n < 800 ? 'train' : 'val'));
console.log(`wrote ${out}/pretrain (classes 0–4) and ${out}/finetune (classes 5–9 of the test split)`);
