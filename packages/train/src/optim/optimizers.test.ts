import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import reference from '../__fixtures__/reference.json' with { type: 'json' };
import { adam } from './adam.js';
import { createOptimizer } from './create.js';
import type { OptimizerConfig, Param } from './optimizer.js';
import { sgd } from './sgd.js';

beforeAll(() => useBackend('cpu'));

const R = reference.optimizers;

function params(): Param[] {
  return [
    { name: 'layer/kernel', variable: tf.tidy(() => tf.variable(tf.tensor(R.kernel0))), decay: true },
    { name: 'layer/bias', variable: tf.tidy(() => tf.variable(tf.tensor(R.bias0))), decay: false },
  ];
}

function closeTo(actual: tf.Tensor, expected: number[] | number[][]) {
  const a = actual.arraySync() as number[] | number[][];
  const flat = (v: number[] | number[][]) => (v as number[]).flat() as number[];
  for (const [i, x] of flat(a).entries()) expect(x).toBeCloseTo(flat(expected)[i]!, 6);
}

describe('optimizers against PyTorch (fixed gradients, a new rate each step, decay on the kernel only)', () => {
  it.each(Object.entries(R.runs))('%s', (_, run) => {
    const before = tf.memory().numTensors;
    const ps = params();
    const opt = createOptimizer(run.config as OptimizerConfig);
    R.grads.forEach(([gk, gb], i) => {
      const grads = new Map([
        ['layer/kernel', tf.tensor(gk!)],
        ['layer/bias', tf.tensor(gb!)],
      ]);
      opt.apply(ps, grads, R.lrs[i]!);
      tf.dispose([...grads.values()]);
      closeTo(ps[0]!.variable, run.steps[i]!.kernel);
      closeTo(ps[1]!.variable, run.steps[i]!.bias);
    });
    expect(opt.step).toBe(4);
    opt.dispose();
    tf.dispose(ps.map((p) => p.variable));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('optimizers by hand', () => {
  const one = (value: number, decay = true): Param => ({ name: 'w/kernel', variable: tf.variable(tf.scalar(value)), decay });
  const g = (v: number) => new Map([['w/kernel', tf.scalar(v)]]);

  it('SGD with momentum 0.9: p = 1 − 0.1·2 = 0.8, then b = 0.9·2 + 1 = 2.8, p = 0.8 − 0.28 = 0.52', () => {
    const p = one(1);
    const opt = sgd({ lr: 0.1, momentum: 0.9 });
    opt.apply([p], g(2), 0.1);
    expect(p.variable.dataSync()[0]).toBeCloseTo(0.8, 6);
    opt.apply([p], g(1), 0.1);
    expect(p.variable.dataSync()[0]).toBeCloseTo(0.52, 6);
    expect(opt.getState().slots.get('w/kernel/momentum')!.dataSync()[0]).toBeCloseTo(2.8, 6);
  });

  it("Adam's first step moves by lr · g / (|g| + ε) whatever the gradient's size", () => {
    for (const grad of [1e-3, 5, -40]) {
      const p = one(0);
      adam({ lr: 0.01, eps: 0 }).apply([p], g(grad), 0.01);
      expect(p.variable.dataSync()[0]).toBeCloseTo(-0.01 * Math.sign(grad), 6);
    }
  });

  it('AdamW decays a kernel by lr·λ·p with a zero gradient, and leaves a no-decay weight alone', () => {
    const kernel = one(2);
    const bias = { ...one(2, false), name: 'w/bias' };
    const opt = createOptimizer({ type: 'adamw', lr: 0.1, weightDecay: 0.5 });
    opt.apply([kernel, bias], new Map([['w/kernel', tf.scalar(0)], ['w/bias', tf.scalar(0)]]), 0.1);
    expect(kernel.variable.dataSync()[0]).toBeCloseTo(2 * (1 - 0.1 * 0.5), 6);
    expect(bias.variable.dataSync()[0]).toBe(2);
  });

  it('state round-trips: slots and step restore into a new optimizer', () => {
    const p = one(1);
    const a = adam({ lr: 0.1 });
    a.apply([p], g(3), 0.1);
    const b = adam({ lr: 0.1 });
    b.setState(a.getState());
    const q = one(p.variable.dataSync()[0]!);
    a.apply([p], g(-1), 0.1);
    b.apply([q], g(-1), 0.1);
    expect(q.variable.dataSync()[0]).toBe(p.variable.dataSync()[0]);
    expect(b.step).toBe(2);
  });

  it('a bad config is a TrainConfigError naming the field', () => {
    expect(() => createOptimizer({ type: 'sgd', lr: 0 })).toThrow(/optimizer\.lr: must be a positive number, got 0/);
    expect(() => createOptimizer({ type: 'lamb', lr: 1 } as unknown as OptimizerConfig)).toThrow(/optimizer\.type: .*got 'lamb'/);
  });
});
