import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ema } from './ema.js';

beforeAll(() => useBackend('cpu'));

function tiny() {
  const input = tfl.input({ shape: [2] });
  const out = tfl.layers.dense({ units: 1, name: 'classifier', kernelInitializer: 'ones' }).apply(input) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

function setKernel(model: tfl.LayersModel, value: number) {
  tf.tidy(() => model.getLayer('classifier').setWeights([tf.fill([2, 1], value), tf.zeros([1])]));
}

describe('Ema', () => {
  it('ema ← d·ema + (1 − d)·w, with the TF warm-up d = min(decay, (1 + n) / (10 + n))', async () => {
    const before = tf.memory().numTensors;
    const model = tiny();
    const ema = new Ema(model, { decay: 0.99 });
    setKernel(model, 3);
    ema.update(); // d = 1/10: 0.1·1 + 0.9·3 = 2.8
    expect(ema.weights.get('classifier/kernel')!.dataSync()[0]).toBeCloseTo(2.8, 6);
    ema.update(); // d = 2/11: (2/11)·2.8 + (9/11)·3
    expect(ema.weights.get('classifier/kernel')!.dataSync()[0]).toBeCloseTo((2 / 11) * 2.8 + (9 / 11) * 3, 6);
    const averaged = await ema.withAveraged(async () => model.getLayer('classifier').getWeights()[0]!.dataSync()[0]);
    expect(averaged).toBeCloseTo((2 / 11) * 2.8 + (9 / 11) * 3, 6);
    expect(model.getLayer('classifier').getWeights()[0]!.dataSync()[0]).toBe(3);
    ema.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('without warm-up the decay is fixed', () => {
    const model = tiny();
    const ema = new Ema(model, { decay: 0.5, warmup: false });
    setKernel(model, 3);
    ema.update();
    expect(ema.weights.get('classifier/kernel')!.dataSync()[0]).toBeCloseTo(2, 6);
    expect(() => new Ema(model, { decay: 1 })).toThrow(/ema\.decay: must be in \(0, 1\), got 1/);
    ema.dispose();
    model.dispose();
  });
});
