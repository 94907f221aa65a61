import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { estimateTrainingMemory, minimize, OutOfMemoryError, planTrainingMemory, valueAndGradients } from '@mobilenets/ops';
import { relativeError, seeded, useBackend } from '@mobilenets/ops/testing';
import { describe, expect, it, vi } from 'vitest';
import { mobilenetV4 } from './arch/specs.js';
import { createModel, listModels, registerModel } from './registry.js';

/** The training engine on the zoo's own MobileNetV2 and a small MobileNetV4 hybrid (issue 12's "must show"). */

/**
 * MobileNetV4-Hybrid-Large's recipe (GELU, LayerScale) cut down: a FusedIB, UIBs of three kinds and a Mobile MQA
 * with down-sampled keys and values, so that every V4 block and GELU's gradient go through the engine.
 */
const V4_TINY = 'test_v4_hybrid_tiny';
if (!listModels().includes(V4_TINY)) {
  registerModel(V4_TINY, {
    ...mobilenetV4('hybrid_large', 1),
    stem: 'cn_r1_k3_s2_c16_nge',
    stages: [
      ['er_r1_k3_s2_e4_c24_nge'],
      ['uir_r1_a3_k5_s2_e4_c32_nge_ls', 'mqa_r1_k3_h2_s1_v2_d16_c32_nge_ls', 'uir_r1_a0_k0_s1_e2_c32_nge_ls', 'uir_r1_a3_k0_s1_e2_c32_nge_ls'],
      ['cn_r1_k1_s1_c64_nge'],
    ],
    hidden: { channels: 128, activation: 'gelu', normalize: true },
  });
}

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
    const optimizer = tf.train.adam(1e-3);
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
    // minimize refuses such a step before it runs anything.
    const f = vi.fn(() => tf.scalar(0));
    expect(() => minimize(optimizer, f, { memory: estimateTrainingMemory(model, { batch: 512 }) })).toThrow(OutOfMemoryError);
    expect(f).not.toHaveBeenCalled();
    expect(tf.memory().numTensors).toBe(before);

    const memory = planTrainingMemory(model, { batch: 2 });
    expect([memory.fits, memory.recomputed]).toEqual([true, []]);
    const { x, y } = batch(224, 2);
    const loss = minimize(optimizer, lossOf(model, x, y), { memory });
    expect(Number.isFinite((await loss.data())[0])).toBe(true);
    tf.dispose([loss, x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it.each(['mobilenetv2_050', V4_TINY])('%s leaks no tensor over 20 steps', async (name) => {
    await useBackend('wasm');
    const model = createModel(name, { inputSize: 64, numClasses: 10 });
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

describe.each(['wasm', 'cpu'] as const)('recomputed blocks on %s', (backend) => {
  it.each(['mobilenetv2_100', V4_TINY])('%s: the gradients and running statistics of the plain path (≤ 1e-5)', async (name) => {
    await useBackend(backend);
    const model = createModel(name, { inputSize: 64, numClasses: 10, dropout: 0 });
    const { x, y } = batch(64, 2, 10);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const stats = model.nonTrainableWeights.map((w) => tf.clone(w.read()));
    // tfjs' own driver (whole tape kept to the end) as a third reference for the plain path.
    const tfjsDriver = (f: () => tf.Scalar, xs: tf.Tensor[]): { value: tf.Scalar; grads: (tf.Tensor | null)[] } => tf.engine().gradients(f, xs);
    const run = async (recompute: boolean, driver: typeof tfjsDriver = valueAndGradients) => {
      setRecompute(model, recompute);
      for (const [i, w] of model.nonTrainableWeights.entries()) w.write(stats[i]!);
      const { value, grads } = driver(lossOf(model, x, y), vars);
      const out = await Promise.all([value, ...(grads as tf.Tensor[]), ...model.nonTrainableWeights.map((w) => w.read())].map((t) => t.data()));
      tf.dispose([value, ...(grads as tf.Tensor[])]);
      return out;
    };
    const before = tf.memory().numTensors;
    const plain = await run(false);
    const recomputed = await run(true);
    const reference = await run(false, tfjsDriver);
    expect(tf.memory().numTensors).toBe(before);
    expect(recomputed).toHaveLength(plain.length);
    for (const [i, want] of plain.entries()) {
      expect(relativeError(recomputed[i]!, want), `output ${i}`).toBeLessThanOrEqual(1e-5);
      expect(relativeError(plain[i]!, reference[i]!), `output ${i}, tfjs' driver`).toBeLessThanOrEqual(1e-5);
    }
    tf.dispose([x, y, ...stats]);
    model.dispose();
  });
});
