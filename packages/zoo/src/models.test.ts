import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { seeded, useBackend } from '@mobilenets/ops/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from './io/node/model-dir.js';
import { createModel, listModels } from './registry.js';

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-zoo-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Small inputs keep every model fast; all of them still reach stride 32. */
const inputSize = (name: string) => (name.includes('cifar') ? 32 : 64);

describe.each(listModels())('%s on wasm', (name) => {
  it('forward: logits of the right shape, finite; backward: a gradient for every weight; save → load: same outputs', async () => {
    const before = tf.memory().numTensors;
    const model = createModel(name, { numClasses: 7, inputSize: inputSize(name) });
    const x = seeded([2, inputSize(name), inputSize(name), 3], 5);

    const logits = model.predict(x) as tf.Tensor;
    expect(logits.shape).toEqual([2, 7]);
    const values = await logits.data();
    expect(values.every(Number.isFinite)).toBe(true);

    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
    const missing = vars.filter((v) => grads[v.name] === undefined).map((v) => v.name);
    expect(missing).toEqual([]);
    const largest = tf.tidy(() => tf.stack(vars.map((v) => tf.max(tf.abs(grads[v.name]!)))));
    const zero = vars.filter((_, i) => !((largest.dataSync()[i] ?? 0) > 0)).map((v) => v.name);
    expect(zero, 'weights whose gradient is all zero').toEqual([]);
    tf.dispose([largest, value, ...Object.values(grads)]);

    // The training-mode pass moved the BatchNorm statistics: compare against the model as saved.
    const saved = model.predict(x) as tf.Tensor;
    const path = join(dir, name);
    await saveModel(model, path);
    const { model: loaded, metadata } = await loadModel(path);
    expect(metadata).toMatchObject({ formatVersion: 1, name, options: { numClasses: 7, inputSize: inputSize(name) } });
    const again = loaded.predict(x) as tf.Tensor;
    expect(Array.from(await again.data())).toEqual(Array.from(await saved.data()));

    tf.dispose([x, logits, saved, again]);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('features and block swap', () => {
  const shapes = (m: tfl.LayersModel) => m.outputs.map((o) => o.shape.slice(1));

  it('stages: the last block output at strides 2, 4, 8, 16, 32 (timm feature maps)', () => {
    const v2 = createModel('mobilenetv2_100', { features: 'stages' });
    expect(shapes(v2)).toEqual([[112, 112, 16], [56, 56, 24], [28, 28, 32], [14, 14, 96], [7, 7, 320]]);
    const v3 = createModel('mobilenetv3_large_100', { features: 'stages', inputSize: 256 });
    expect(shapes(v3)).toEqual([[128, 128, 16], [64, 64, 24], [32, 32, 40], [16, 16, 112], [8, 8, 160]]);
    v2.dispose();
    v3.dispose();
  });

  it('embedding: what the classifier reads', () => {
    const v2 = createModel('mobilenetv2_100', { features: 'embedding' });
    const v3 = createModel('mobilenetv3_small_100', { features: 'embedding' });
    expect([shapes(v2), shapes(v3)]).toEqual([[[1280]], [[1024]]]);
    v2.dispose();
    v3.dispose();
  });

  it("the classifier starts as torchvision's: N(0, 0.01) kernel, zero bias", async () => {
    const model = createModel('mobilenetv2_035', { numClasses: 1000, inputSize: 32 });
    const [kernel, bias] = model.getLayer('classifier').getWeights() as [tf.Tensor, tf.Tensor];
    const k = (await kernel.data()) as Float32Array;
    const mean = k.reduce((a, b) => a + b, 0) / k.length;
    const std = Math.sqrt(k.reduce((a, b) => a + (b - mean) ** 2, 0) / k.length);
    expect(Math.abs(std / 0.01 - 1)).toBeLessThan(0.01); // 1.28 M draws
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(Array.from(await bias.data()).every((b) => b === 0)).toBe(true);
    model.dispose();
  });

  it("MobileNetV2's layout from sandglass blocks builds and trains one step", async () => {
    const model = createModel('mobilenetv2_100', { block: 'sandglass', inputSize: 64, numClasses: 5 });
    expect(model.layers.filter((l) => l.getClassName() === 'Sandglass')).toHaveLength(17);
    const x = seeded([2, 64, 64, 3], 9);
    const y = tf.oneHot(tf.tensor1d([1, 3], 'int32'), 5);
    const before = await model.getWeights()[1]!.data();
    const optimizer = tf.train.sgd(0.1);
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    expect(Number.isFinite((await loss.data())[0])).toBe(true);
    expect(Array.from(await model.getWeights()[1]!.data())).not.toEqual(Array.from(before));
    tf.dispose([x, y, loss]);
    optimizer.dispose();
    model.dispose();
  });
});
