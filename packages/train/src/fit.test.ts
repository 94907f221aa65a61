import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { compose, fashionMnist, grayscaleToRgb, loader, randomHorizontalFlip, resize, subset, toTensor, withTransform } from '@mobilenets/data';
import { useBackend } from '@mobilenets/ops/testing';
import { createModel, loadModel } from '@mobilenets/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fit, type FitOptions } from './fit.js';
import { maxDifference, randomDataset, releaseCaches, snapshot } from './testing.js';

let root: string;
beforeAll(async () => {
  await useBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'mobilenets-fit-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

// 40 images, batch 16: 3 batches an epoch, the last one short; random flips draw from the loader's stream.
// Each epoch's shuffle and flips differ, so a resumed run that did not replay the loader's epoch counter (a
// fresh loader starts at epoch 0) trains epoch 2 on epoch 1's order and its losses differ at once.
const data = randomDataset(40, 4);
const train = () => loader(withTransform(data, compose(randomHorizontalFlip(), toTensor())), { batchSize: 16, shuffle: true, seed: 7 });
const val = () => loader(withTransform(randomDataset(12, 4, 32, 2), toTensor()), { batchSize: 12 });
// V2 has dropout (0.2): the seeded masks must replay too. Every model starts from the same weights.
let initial: Map<string, Float32Array> | undefined;
const model = () => {
  const m = createModel('mobilenetv2_035', { numClasses: 4, inputSize: 32 });
  initial ??= snapshot(m);
  tf.tidy(() => {
    for (const w of m.weights) w.write(tf.tensor(initial!.get(w.originalName)!, w.shape as number[]));
  });
  return m;
};
const options = (dir: string, extra: Partial<FitOptions> = {}): FitOptions => ({
  epochs: 2,
  optimizer: { type: 'adamw', lr: 3e-3, weightDecay: 0.05 },
  schedule: { type: 'warmup', length: 2, per: 'step', after: { type: 'cosine', per: 'step' } },
  labelSmoothing: 0.1,
  ema: 0.9,
  valData: val(),
  checkpoint: { dir, labels: ['a', 'b', 'c', 'd'] },
  seed: 3,
  ...extra,
});

describe('fit', () => {
  it('resume after epoch 1 of 2, or in the middle of epoch 2, ends with the weights of an uninterrupted run (≤ 1e-6)', async () => {
    const straight = model();
    const full = await fit(straight, train(), options(join(root, 'straight')));
    expect(full.epochs).toHaveLength(2);
    const expected = snapshot(straight);

    for (const [name, stopAt] of [['epoch-end', { epoch: 1, batch: 3 }], ['mid-epoch', { epoch: 2, batch: 1 }]] as const) {
      const dir = join(root, name);
      const controller = new AbortController();
      const first = model();
      const stopped = await fit(first, train(), {
        ...options(dir),
        signal: controller.signal,
        callbacks: { onBatchEnd: (b) => b.epoch === stopAt.epoch && b.batch === stopAt.batch && controller.abort() },
      });
      expect(stopped.stopped).toBe(true);
      first.dispose();
      const resumed = model();
      const rest = await fit(resumed, train(), { ...options(dir), resume: true });
      expect(rest.stopped).toBe(false);
      expect(rest.epochs.map((e) => e.train.loss)).toEqual(full.epochs.map((e) => e.train.loss));
      expect(maxDifference(snapshot(resumed), expected)).toBeLessThanOrEqual(1e-6);
      resumed.dispose();
    }
    straight.dispose();
  });

  it('leaks no tensor over an epoch with validation, EMA and checkpoints, and writes best and last in the zoo format', async () => {
    const m = model();
    const dir = join(root, 'leak');
    const before = tf.memory().numTensors;
    const history = await fit(m, train(), { ...options(dir), epochs: 1 });
    releaseCaches(m);
    expect(tf.memory().numTensors).toBe(before);
    expect(history.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(12);
    expect((await readdir(dir)).sort()).toEqual(['best', 'last']);
    const { model: loaded, metadata } = await loadModel(join(dir, 'last'));
    expect(metadata.labels).toEqual(['a', 'b', 'c', 'd']);
    expect(metadata.provenance.epochs).toBe(1);
    expect(metadata.provenance.metrics!.val_top1).toBe(history.epochs[0]!.val!.top1);
    expect(maxDifference(snapshot(loaded), snapshot(m))).toBe(0);
    const ema = await loadModel(join(dir, 'last', 'ema'));
    expect(maxDifference(snapshot(ema.model), snapshot(m))).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(dir, 'last', 'class_indices.json'), 'utf8'))).toEqual({ 0: 'a', 1: 'b', 2: 'c', 3: 'd' });
    loaded.dispose();
    ema.model.dispose();
    m.dispose();
  });

  it('refuses labels outside the model before any step', async () => {
    const m = model();
    const before = snapshot(m);
    const wide = loader(withTransform(randomDataset(8, 6), toTensor()), { batchSize: 8 });
    await expect(fit(m, wide, { epochs: 1 })).rejects.toThrow(/trainData: label 4 is outside the model's 4 classes/);
    expect(maxDifference(snapshot(m), before)).toBe(0);
    m.dispose();
  });
});

describe('a real run', () => {
  // About 60 s on a shared 2-core machine (wasm). Four runs (seeds 0–3) reached 62.7–69.8%; PyTorch's MobileNetV2
  // 0.35 on the same budget trains as fast (examples/reference). With tfjs' initializers (depthwise kernels √C times
  // too wide, a Glorot classifier) the same recipe learned far slower.
  it('MobileNetV1 0.25 on 2,000 Fashion-MNIST images, 3 epochs, beats 50% top-1 on 1,000 test images (chance: 10%)', { timeout: 600_000 }, async () => {
    const transform = compose(grayscaleToRgb(), resize(32), toTensor());
    const trainSet = subset(await fashionMnist({ split: 'train', transform }), Array.from({ length: 2000 }, (_, i) => i));
    const testSet = subset(await fashionMnist({ split: 'test', transform }), Array.from({ length: 1000 }, (_, i) => i));
    const m = createModel('mobilenetv1_025', { numClasses: 10, inputSize: 32 });
    const history = await fit(m, loader(trainSet, { batchSize: 50, shuffle: true, seed: 0 }), {
      epochs: 3,
      optimizer: { type: 'adam', lr: 3e-3 },
      valData: loader(testSet, { batchSize: 500 }),
    });
    expect(history.epochs.at(-1)!.val!.top1).toBeGreaterThan(0.5);
    m.dispose();
  });
});
