import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { minimize, OutOfMemoryError, planTrainingMemory, valueAndGradients } from '@mobilenets/ops';
import { relativeError, seeded, useBackend } from '@mobilenets/ops/testing';
import { describe, expect, it } from 'vitest';
import { createModel } from './registry.js';

/** The training engine on the zoo's own MobileNetV2 (issue 12's "must show"). */

function batch(size: number, n: number, classes = 1000): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: seeded([n, size, size, 3], 11) as tf.Tensor4D,
    y: tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 7) % classes), 'int32'), classes) as tf.Tensor2D,
  }));
}

const lossOf = (model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor) => () =>
  tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;

const setRecompute = (model: tfl.LayersModel, on: boolean) => {
  for (const layer of model.layers) if ('recompute' in layer) (layer as { recompute: boolean }).recompute = on;
};

describe('training MobileNetV2 on wasm', () => {
  it('peaks at under a third of the tensor bytes of tfjs’ own driver with the stock kernels (96×96, batch 8, SGD)', async () => {
    await useBackend('wasm');
    const model = createModel('mobilenetv2_100', { inputSize: 96 });
    const { x, y } = batch(96, 8);
    const optimizer = tf.train.sgd(0.01);
    const peak = async (step: () => tf.Scalar) => {
      await step().data(); // first step: optimizer state and XNNPACK set up
      const info = await tf.profile(() => tf.dispose(step()));
      return info.peakBytes;
    };
    tf.env().set('MOBILENETS_WASM_SIMD', false);
    const before = await peak(() => optimizer.minimize(lossOf(model, x, y), true)!);
    tf.env().set('MOBILENETS_WASM_SIMD', true);
    const after = await peak(() => minimize(optimizer, lossOf(model, x, y)));
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
    expect(after / before).toBeLessThan(1 / 3);
  });

  it('refuses a batch that cannot fit with OutOfMemoryError, then trains at a smaller one in the same process', async () => {
    await useBackend('wasm');
    const model = createModel('mobilenetv2_100');
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      planTrainingMemory(model, { batch: 512 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    const oom = error as OutOfMemoryError;
    expect([oom.model, oom.batch, oom.inputSize]).toEqual(['mobilenetv2_100', 512, 224]);
    expect(oom.estimatedBytes).toBeGreaterThan(oom.limitBytes);
    expect(oom.maxBatch).toBeGreaterThan(2);
    expect(oom.message).toMatch(/mobilenetv2_100: a training step at batch 512 on 224×224 inputs needs about .* the largest batch that fits is \d+/);
    expect(tf.memory().numTensors).toBe(before);

    const memory = planTrainingMemory(model, { batch: 2 });
    expect([memory.fits, memory.recomputed]).toEqual([true, []]);
    const { x, y } = batch(224, 2);
    const optimizer = tf.train.adam(1e-3);
    const loss = minimize(optimizer, lossOf(model, x, y), { memory });
    expect(Number.isFinite((await loss.data())[0])).toBe(true);
    tf.dispose([loss, x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it('leaks no tensor over 20 steps', async () => {
    await useBackend('wasm');
    const model = createModel('mobilenetv2_050', { inputSize: 64, numClasses: 10 });
    const { x, y } = batch(64, 4, 10);
    const optimizer = tf.train.adam(1e-3);
    const counts: number[] = [];
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const loss = minimize(optimizer, lossOf(model, x, y));
      losses.push((await loss.data())[0]!);
      loss.dispose();
      counts.push(tf.memory().numTensors);
    }
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
    expect(new Set(counts).size).toBe(1); // Adam's state is made in the first step
    expect(losses[19]).toBeLessThan(losses[0]!);
  });
});

describe.each(['wasm', 'cpu'] as const)('recomputed MobileNetV2 blocks on %s', (backend) => {
  it('give the gradients and running statistics of the plain path (≤ 1e-5)', async () => {
    await useBackend(backend);
    const model = createModel('mobilenetv2_100', { inputSize: 64, numClasses: 10, dropout: 0 });
    const { x, y } = batch(64, 2, 10);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const stats = model.nonTrainableWeights.map((w) => tf.clone(w.read()));
    const run = async (recompute: boolean) => {
      setRecompute(model, recompute);
      for (const [i, w] of model.nonTrainableWeights.entries()) w.write(stats[i]!);
      const { value, grads } = valueAndGradients(lossOf(model, x, y), vars);
      const out = await Promise.all([value, ...(grads as tf.Tensor[]), ...model.nonTrainableWeights.map((w) => w.read())].map((t) => t.data()));
      tf.dispose([value, ...(grads as tf.Tensor[])]);
      return out;
    };
    const before = tf.memory().numTensors;
    const plain = await run(false);
    const recomputed = await run(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(recomputed).toHaveLength(plain.length);
    for (const [i, want] of plain.entries()) expect(relativeError(recomputed[i]!, want), `output ${i}`).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, y, ...stats]);
    model.dispose();
  });
});
