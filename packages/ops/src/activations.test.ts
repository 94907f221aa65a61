import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hardSigmoid, hardSwish, KEEPS_NAN, relu, relu6 } from './activations.js';
import { TRAINING_BACKENDS, useBackend } from './testing/backends.js';

// Points on both sides of every kink (-3, 0, 3, 6), avoiding the kinks themselves.
const X = [-7, -3.5, -2.5, -1, -0.25, 0.5, 1.5, 2.75, 3.5, 5.5, 6.5, 9];

/** The paper definitions and their derivatives, in float64. */
const clip6 = (v: number) => Math.min(Math.max(v, 0), 6);
const DEFINITIONS = {
  relu: { op: relu, f: (v: number) => Math.max(v, 0), df: (v: number) => (v > 0 ? 1 : 0) },
  relu6: { op: relu6, f: clip6, df: (v: number) => (v > 0 && v < 6 ? 1 : 0) },
  hardSigmoid: { op: hardSigmoid, f: (v: number) => clip6(v + 3) / 6, df: (v: number) => (v > -3 && v < 3 ? 1 / 6 : 0) },
  hardSwish: {
    op: hardSwish,
    f: (v: number) => (v * clip6(v + 3)) / 6,
    df: (v: number) => (v <= -3 ? 0 : v >= 3 ? 1 : (2 * v + 3) / 6),
  },
};

describe.each(TRAINING_BACKENDS)('activations on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(Object.entries(DEFINITIONS))('%s: values and gradients match the paper definition', async (_, d) => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d(X);
    const y = d.op(x);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(d.op(t)))(x);
    const [values, grads] = await Promise.all([y.data(), dx.data()]);
    tf.dispose([x, y, dx]);
    expect(tf.memory().numTensors).toBe(before);
    X.forEach((v, i) => {
      expect(values[i]).toBeCloseTo(d.f(v), 6);
      expect(grads[i]).toBeCloseTo(d.df(v), 6);
    });
  });
});

/** PyTorch 1.13's values at NaN and ±∞ (hard-swish of −∞ is NaN there too: −∞ · 0). */
const NON_FINITE = {
  relu: [NaN, Infinity, 0],
  relu6: [NaN, 6, 0],
  hardSigmoid: [NaN, 1, 0],
  hardSwish: [NaN, Infinity, NaN],
};

describe.each(TRAINING_BACKENDS)('activations on %s at NaN and ±∞', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(Object.entries(NON_FINITE))('%s: NaN stays NaN (its gradient too), ±∞ as PyTorch', async (name, want) => {
    const op = DEFINITIONS[name as keyof typeof DEFINITIONS].op;
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([NaN, Infinity, -Infinity]);
    const y = op(x);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(op(t)))(x);
    const [values, grads] = await Promise.all([y.data(), dx.data()]);
    tf.dispose([x, y, dx]);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(values)).toEqual(want);
    // PyTorch passes dy through at NaN (0 for hard-sigmoid); NaN keeps a NaN from vanishing in the backward pass.
    expect(grads[0]).toBeNaN();
  });

  it('KEEPS_NAN lists exactly the backends whose Relu / Relu6 kernels return NaN for NaN', async () => {
    const x = tf.tensor1d([NaN]);
    const [r, r6] = [tf.relu(x), tf.relu6(x)];
    const [a, b] = await Promise.all([r.data(), r6.data()]);
    tf.dispose([x, r, r6]);
    expect(Number.isNaN(a[0])).toBe(KEEPS_NAN.Relu.includes(backend));
    expect(Number.isNaN(b[0])).toBe(KEEPS_NAN.Relu6.includes(backend));
  });
});
