import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gelu } from './gelu.js';
import { TRAINING_BACKENDS, useBackend } from './testing/backends.js';

const X = [-4.5, -3, -2, -1.25, -0.5, -0.1, 0, 0.3, 0.9, 1.7, 2.6, 4];
/** x · Φ(x) and Φ(x) + x · φ(x) in float64, from Python's math.erf. */
const VALUES = [-1.529e-5, -0.004049694, -0.045500264, -0.132062217, -0.154268769, -0.046017216, 0, 0.185373427, 0.734345887, 1.624238713, 2.587880911, 3.999873315];
const GRADS = [-6.8529e-5, -0.011945647, -0.085231801, -0.122661583, 0.132504875, 0.420476908, 0.5, 0.732327767, 1.0554166, 1.115317969, 1.030654532, 1.00050365];

describe.each(TRAINING_BACKENDS)('gelu on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('values and gradients match the erf definition', async () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d(X);
    const y = gelu(x);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(x);
    const [values, grads] = await Promise.all([y.data(), dx.data()]);
    tf.dispose([x, y, dx]);
    expect(tf.memory().numTensors).toBe(before);
    X.forEach((_, i) => {
      expect(values[i]).toBeCloseTo(VALUES[i]!, 6);
      expect(grads[i]).toBeCloseTo(GRADS[i]!, 6);
    });
  });

  it('keeps NaN, forward and gradient; ±∞ as PyTorch 1.13 (gelu(−∞) = −∞ · 0 = NaN, every gradient NaN)', async () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([NaN, Infinity, -Infinity]);
    const y = gelu(x);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(x);
    const [values, grads] = await Promise.all([y.data(), dx.data()]);
    tf.dispose([x, y, dx]);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(values)).toEqual([NaN, Infinity, NaN]);
    expect(Array.from(grads)).toEqual([NaN, NaN, NaN]);
  });
});
