import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@mobilenets/ops/testing';
import { createModel } from '@mobilenets/zoo';
import { beforeAll, describe, expect, it } from 'vitest';
import { adamw } from '../optim/adam.js';
import { snapshot } from '../testing.js';
import { trainableParams } from './params.js';

beforeAll(() => useBackend('cpu'));

describe('trainableParams', () => {
  it("AdamW's decay reaches conv and dense kernels only: BatchNorm γ / β and biases stay bit-identical", () => {
    const model = createModel('mobilenetv3_small_075', { numClasses: 5, inputSize: 32 });
    const params = trainableParams(model);
    const skipped = params.filter((p) => !p.decay).map((p) => p.name);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((n) => /[/_](gamma|beta|bias)$/.test(n))).toBe(true);
    expect(skipped).toContain('blocks_0_0/se/reduce_bias');
    expect(params.filter((p) => p.decay).every((p) => /[/_]kernel$/.test(p.name))).toBe(true);
    expect(skipped).toContain('classifier/bias');
    const before = snapshot(model);
    const zeros = new Map(params.map((p) => [p.name, tf.zerosLike(p.variable)] as const));
    const opt = adamw({ lr: 0.1, weightDecay: 0.5 });
    opt.apply(params, zeros, 0.1);
    const after = snapshot(model);
    for (const p of params) {
      const [b, a] = [before.get(p.name)!, after.get(p.name)!];
      if (p.decay) for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i]! * 0.95, 6);
      else expect(a).toEqual(b);
    }
    tf.dispose([...zeros.values()]);
    opt.dispose();
    model.dispose();
  });
});
