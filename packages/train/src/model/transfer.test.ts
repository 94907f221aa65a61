import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@mobilenets/ops/testing';
import { createModel } from '@mobilenets/zoo';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainStep } from '../step.js';
import { adam } from '../optim/adam.js';
import { releaseCaches, snapshot } from '../testing.js';
import { layerChain } from './forward.js';
import { trainableParams } from './params.js';
import { freeze, replaceHead, unfreeze } from './transfer.js';

beforeAll(() => useBackend('wasm'));

function step(model: ReturnType<typeof createModel>) {
  const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 3);
  const y = tf.tensor1d([0, 1, 2, 3], 'int32');
  const optimizer = adam({ lr: 0.1 });
  trainStep({ layers: layerChain(model), params: trainableParams(model), optimizer, x, y, lr: 0.1, labelSmoothing: 0, dropoutSeed: 0 }).dispose();
  optimizer.dispose();
  tf.dispose([x, y]);
}

describe('freeze', () => {
  it('a step leaves frozen weights and BatchNorm statistics bit-identical and trains the rest', () => {
    const model = createModel('mobilenetv2_035', { numClasses: 4, inputSize: 32 });
    freeze(model, { upTo: 'blocks_2_0' });
    const before = snapshot(model);
    const tensors = tf.memory().numTensors;
    step(model);
    releaseCaches(model);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = snapshot(model);
    const frozen = new Set(['stem', 'blocks_0_0', 'blocks_1_0', 'blocks_1_1', 'blocks_2_0']);
    let changed = 0;
    for (const [name, v] of before) {
      const same = v.every((x, i) => x === after.get(name)![i]);
      if (frozen.has(name.split('/')[0]!)) expect(same, name).toBe(true);
      else if (!same) changed++;
    }
    // Every later weight moves: kernels, γ, β (Adam), and the running statistics (training-mode BatchNorm).
    const later = [...before.keys()].filter((n) => !frozen.has(n.split('/')[0]!));
    expect(changed).toBe(later.length);
    model.dispose();
  });

  it("model.apply with training: true too: a frozen block's BatchNorm keeps its statistics, a trainable one updates them", () => {
    const model = createModel('mobilenetv2_035', { numClasses: 4, inputSize: 32 });
    freeze(model, { upTo: 'blocks_2_0' });
    const statistics = () => new Map([...snapshot(model)].filter(([name]) => /moving_(mean|variance)$/.test(name)));
    const before = statistics();
    const tensors = tf.memory().numTensors;
    tf.tidy(() => {
      model.apply(tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 5), { training: true });
    });
    releaseCaches(model);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = statistics();
    for (const [name, v] of before) {
      const same = v.every((x, i) => x === after.get(name)![i]);
      expect(same, name).toBe(['stem', 'blocks_0_0', 'blocks_1_0', 'blocks_1_1', 'blocks_2_0'].includes(name.split('/')[0]!));
    }
    model.dispose();
  });

  it('default freezes all but the classifier; unfreeze undoes it', () => {
    const model = createModel('mobilenetv3_small_075', { numClasses: 4, inputSize: 32 });
    freeze(model);
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual(['classifier/kernel', 'classifier/bias']);
    const before = snapshot(model);
    step(model);
    const after = snapshot(model);
    for (const [name, v] of before) {
      if (!name.startsWith('classifier/')) expect(v.every((x, i) => x === after.get(name)![i]), name).toBe(true);
    }
    unfreeze(model);
    expect(model.trainableWeights.length).toBeGreaterThan(50);
    expect(() => freeze(model, { upTo: 'nope' })).toThrow(/freeze\.upTo: no layer 'nope'/);
    model.dispose();
  });
});

describe('replaceHead', () => {
  it('a new classifier of the asked width, every other weight shared, the recipe updated', () => {
    const model = createModel('mobilenetv2_035', { numClasses: 10, inputSize: 32 });
    const stem = model.getLayer('stem').getWeights()[0]!.dataSync().slice();
    const replaced = replaceHead(model, 3);
    expect(replaced.outputs[0]!.shape).toEqual([null, 3]);
    expect(replaced.getLayer('stem').getWeights()[0]!.dataSync()).toEqual(stem);
    expect((replaced.getUserDefinedMetadata() as { mobilenets: { numClasses: number } }).mobilenets.numClasses).toBe(3);
    const kernel = replaced.getLayer('classifier').getWeights()[0]!.dataSync<'float32'>(); // 1280 × 3: N(0, 0.01) as the zoo's
    expect(Math.sqrt(kernel.reduce((a, b) => a + b * b, 0) / kernel.length)).toBeCloseTo(0.01, 3);
    const out = replaced.predict(tf.zeros([1, 32, 32, 3])) as tf.Tensor;
    expect(out.shape).toEqual([1, 3]);
    out.dispose();
    replaced.dispose();
  });
});
