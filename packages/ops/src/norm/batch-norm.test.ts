import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRAINING_BACKENDS, useBackend } from '../testing/backends.js';
import { relativeError, seeded, seededValues, valueAndGrads } from '../testing/compare.js';
import { batchNormInference, batchNormTrain } from './batch-norm.js';

type Fn = (...t: tf.Tensor[]) => tf.Tensor;
const EPS = 1e-3;
const SHAPES = [[2, 5, 5, 3], [6, 4], [3, 4, 4, 8]];

/** tfjs built-ins: moments + batchNorm, differentiated by tfjs' own gradients. */
const builtinTrain: Fn = (x, g, b) => {
  const axes = [...Array(x!.rank - 1).keys()];
  const { mean, variance } = tf.moments(x!, axes);
  return tf.batchNorm(x!, mean, variance, b!, g!, EPS);
};
const builtinInference: Fn = (x, g, b, m, v) => tf.batchNorm(x!, m!, v!, b!, g!, EPS);
const BUILTIN_ACTIVATION = {
  relu: (h: tf.Tensor) => tf.relu(h),
  relu6: (h: tf.Tensor) => tf.relu6(h),
  hardSwish: (h: tf.Tensor) => tf.mul(h, tf.div(tf.relu6(tf.add(h, 3)), 6)),
};

function inputs(shape: number[]) {
  const c = shape.at(-1)!;
  return [{ shape, seed: 1 }, { shape: [c], seed: 2 }, { shape: [c], seed: 3 }, { shape: [c], seed: 4 }, { shape: [c], seed: 5 }];
}

const CASES = SHAPES.flatMap((shape) => [
  {
    name: `batchNormTrain [${shape}]`,
    inputs: inputs(shape).slice(0, 3),
    ours: ((x, g, b) => batchNormTrain(x!, g as tf.Tensor1D, b as tf.Tensor1D, { epsilon: EPS }).y) as Fn,
    reference: builtinTrain,
  },
  ...(['relu', 'relu6', 'hardSwish'] as const).map((activation) => ({
    name: `batchNormTrain + ${activation} [${shape}]`,
    inputs: inputs(shape).slice(0, 3),
    // γ scaled by 8, so that ReLU6 clips at 6 too
    ours: ((x, g, b) => batchNormTrain(x!, tf.mul(g!, 8) as tf.Tensor1D, b as tf.Tensor1D, { epsilon: EPS, activation }).y) as Fn,
    reference: ((x, g, b) => BUILTIN_ACTIVATION[activation](builtinTrain(x, tf.mul(g!, 8), b))) as Fn,
  })),
  {
    name: `batchNormInference [${shape}]`,
    inputs: inputs(shape),
    // the "variance" input is squared so it is positive
    ours: ((x, g, b, m, v) =>
      batchNormInference(x!, m as tf.Tensor1D, tf.square(v!) as tf.Tensor1D, g as tf.Tensor1D, b as tf.Tensor1D, { epsilon: EPS })) as Fn,
    reference: ((x, g, b, m, v) => builtinInference(x!, g!, b!, m!, tf.square(v!))) as Fn,
  },
]);
const expected = new Map<string, Awaited<ReturnType<typeof valueAndGrads>>>();

beforeAll(async () => {
  await useBackend('cpu');
  for (const c of CASES) expected.set(c.name, await valueAndGrads(c.reference, c.inputs, 3));
});

describe.each(TRAINING_BACKENDS)('BatchNorm on %s equals tfjs built-ins on cpu', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES.map((c) => [c.name, c] as const))('%s: value and gradients', async (_, c) => {
    const before = tf.memory().numTensors;
    const got = await valueAndGrads(c.ours, c.inputs, 3);
    expect(tf.memory().numTensors).toBe(before);
    const want = expected.get(c.name)!;
    expect(relativeError(got.value, want.value)).toBeLessThanOrEqual(1e-4);
    // Gradients w.r.t. x, gamma, beta (the statistics of inference mode get none).
    expect(got.grads).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(relativeError(got.grads[i]!, want.grads[i]!), `gradient of input ${i}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('batchNormTrain returns the batch mean and biased variance it normalized with', async () => {
    const before = tf.memory().numTensors;
    const [x, g, b] = [seeded([4, 3, 3, 5], 7), tf.ones([5]) as tf.Tensor1D, tf.zeros([5]) as tf.Tensor1D];
    const { y, mean, variance } = batchNormTrain(x, g, b);
    const ref = tf.moments(x, [0, 1, 2]);
    const [m, v, rm, rv] = await Promise.all([mean.data(), variance.data(), ref.mean.data(), ref.variance.data()]);
    tf.dispose([x, g, b, y, mean, variance, ref.mean, ref.variance]);
    expect(tf.memory().numTensors).toBe(before);
    expect(relativeError(m, rm)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(v, rv)).toBeLessThanOrEqual(1e-5);
  });
});

describe.each(TRAINING_BACKENDS)('BatchNorm on %s with a NaN in the batch', (backend) => {
  beforeAll(() => useBackend(backend));

  it("turns the NaN's channel to NaN and its statistics to NaN, as PyTorch, and leaves the other channels finite", async () => {
    const before = tf.memory().numTensors;
    const values = seededValues(2 * 3 * 3 * 4, 11);
    values[(1 * 9 + 4) * 4 + 2] = NaN; // image 1, pixel (1, 1), channel 2
    const x = tf.tensor4d(values, [2, 3, 3, 4]);
    const [g, b] = [tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D];
    const { y, mean, variance } = batchNormTrain(x, g, b);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(batchNormTrain(t, g, b).y))(x);
    const [ys, m, v, d] = await Promise.all([y.data(), mean.data(), variance.data(), dx.data()]);
    tf.dispose([x, g, b, y, mean, variance, dx]);
    expect(tf.memory().numTensors).toBe(before);
    const channel = (a: ArrayLike<number>, c: number) => Array.from(a).filter((_, i) => i % 4 === c);
    for (const c of [0, 1, 3]) {
      expect(channel(ys, c).every(Number.isFinite), `channel ${c}`).toBe(true);
      expect(channel(d, c).every(Number.isFinite), `gradient of channel ${c}`).toBe(true);
    }
    expect(channel(ys, 2).every(Number.isNaN)).toBe(true);
    expect(channel(d, 2).every(Number.isNaN)).toBe(true);
    expect([Number.isNaN(m[2]), Number.isNaN(v[2])]).toEqual([true, true]);
  });
});

describe('bad input', () => {
  it('names the expected per-channel shape', async () => {
    await useBackend('cpu');
    const [x, g] = [tf.zeros([2, 4, 4, 3]), tf.ones([4]) as tf.Tensor1D];
    expect(() => batchNormTrain(x, g, g)).toThrow(/per-channel parameters must have shape \[3\], got \[4\]/);
    tf.dispose([x, g]);
  });
});
