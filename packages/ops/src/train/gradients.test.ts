import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { relu6 } from '../activations.js';
import { conv2d } from '../conv/conv2d.js';
import { depthwiseConv2d } from '../conv/depthwise.js';
import { pointwiseConv2d } from '../conv/pointwise.js';
import { batchNormTrain } from '../norm/batch-norm.js';
import { TRAINING_BACKENDS, useBackend } from '../testing/backends.js';
import { relativeError, seeded } from '../testing/compare.js';
import { checkpoint } from './checkpoint.js';
import { valueAndGradients } from './gradients.js';
import { minimize } from './minimize.js';

type T4 = tf.Tensor4D;

/** A small residual net: conv, BN+ReLU6, then three times depthwise, pointwise and a shortcut, a loss. */
function net(x: T4, [w1, w2, w3, g, b]: tf.Tensor[]): tf.Scalar {
  let h = batchNormTrain(conv2d(x, w1 as T4, { stride: 2, padding: 1 }), g as tf.Tensor1D, b as tf.Tensor1D, { activation: 'relu6' }).y;
  for (let i = 0; i < 3; i++) h = tf.add(pointwiseConv2d(relu6(depthwiseConv2d(h, w2 as T4, { padding: 1 })), w3 as T4), h);
  return tf.mean(tf.square(h));
}

const SHAPES = [[3, 3, 3, 8], [3, 3, 8, 1], [1, 1, 8, 8], [8], [8]];

function params(): tf.Variable[] {
  return SHAPES.map((s, i) => tf.variable(tf.tidy(() => (s.length === 1 ? tf.add(1, seeded(s, 20 + i)) : seeded(s, 20 + i)))));
}

async function arrays(ts: (tf.Tensor | null)[]): Promise<Float32Array[]> {
  return (await Promise.all(ts.map((t) => t!.data()))) as Float32Array[];
}

describe.each(TRAINING_BACKENDS)('valueAndGradients on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it("gives tfjs' own gradients, and frees everything but the value and the gradients", async () => {
    const vars = params();
    const x = seeded([2, 8, 8, 3], 3) as T4;
    const before = tf.memory().numTensors;
    const ours = valueAndGradients(() => net(x, vars), vars);
    expect(tf.memory().numTensors).toBe(before + 1 + vars.length);
    const theirs = tf.engine().gradients(() => net(x, vars), vars);
    const [a, b] = [await arrays([ours.value, ...ours.grads]), await arrays([theirs.value, ...theirs.grads])];
    tf.dispose([ours.value, ...ours.grads, theirs.value, ...theirs.grads] as tf.Tensor[]);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, v] of a.entries()) expect(relativeError(v, b[i]!), `output ${i}`).toBeLessThanOrEqual(1e-6);
    tf.dispose([x, ...vars]);
  });

  it('holds less at its peak than tfjs: each gradient is freed once used', async () => {
    const vars = params();
    const x = seeded([4, 16, 16, 3], 3) as T4;
    const peak = async (run: () => { value: tf.Tensor; grads: (tf.Tensor | null)[] }) => {
      let out: tf.Tensor[] = [];
      const info = await tf.profile(() => {
        const r = run();
        out = [r.value, ...(r.grads as tf.Tensor[])];
      });
      tf.dispose(out);
      return info.peakBytes;
    };
    const ours = await peak(() => valueAndGradients(() => net(x, vars), vars));
    const theirs = await peak(() => tf.engine().gradients(() => net(x, vars), vars));
    tf.dispose([x, ...vars]);
    // The forward pass's saved tensors dominate so small a net (the V2 factor is in the zoo's training test).
    expect(ours / theirs).toBeLessThan(0.8);
  });

  it('null for a variable the value does not depend on, and nothing left behind after an error', async () => {
    const [a, unused] = [tf.variable(tf.ones([3])), tf.variable(tf.ones([3]))];
    const before = tf.memory().numTensors;
    const { value, grads } = valueAndGradients(() => tf.sum(tf.mul(a, 2)), [a, unused]);
    expect(grads[1]).toBeNull();
    expect(Array.from(await grads[0]!.data())).toEqual([2, 2, 2]);
    tf.dispose([value, grads[0]!]);
    const failing = () => tf.sum(tf.customGrad((t) => ({ value: tf.mul(t as tf.Tensor, 2), gradFunc: () => tf.ones([7]) }))(a));
    expect(() => valueAndGradients(failing, [a])).toThrow(/gradient of input/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, unused]);
  });

  it('minimize takes the same SGD step as optimizer.minimize', async () => {
    const [ours, theirs] = [params(), params()];
    const x = seeded([2, 8, 8, 3], 3) as T4;
    const optimizer = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    const lossA = minimize(optimizer, () => net(x, ours), { varList: ours });
    const lossB = optimizer.minimize(() => net(x, theirs), true, theirs)!;
    const [a, b] = [await arrays([lossA, ...ours]), await arrays([lossB, ...theirs])];
    tf.dispose([lossA, lossB]);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, v] of a.entries()) expect(relativeError(v, b[i]!), `output ${i}`).toBeLessThanOrEqual(1e-6);
    optimizer.dispose();
    tf.dispose([x, ...ours, ...theirs]);
  });

  it('checkpoint: the same value and gradients as the plain computation, under either driver', async () => {
    const vars = params();
    const x = seeded([2, 8, 8, 3], 3) as T4;
    const calls: boolean[] = [];
    const body = (t: T4, again: boolean) => {
      calls.push(again);
      return tf.tidy(() => tf.reshape(net(t, vars), [1, 1, 1, 1]) as T4);
    };
    const loss = (recompute: boolean) => () => tf.sum(recompute ? checkpoint(body, x, vars as tf.Variable[]) : body(x, false));
    const before = tf.memory().numTensors;
    const plain = valueAndGradients(loss(false), [x, ...vars]);
    const recomputed = valueAndGradients(loss(true), [x, ...vars]);
    const underTfjs = tf.engine().gradients(loss(true), [x, ...vars]);
    const results = [plain, recomputed, underTfjs].map((r) => [r.value, ...(r.grads as tf.Tensor[])]);
    const [a, b, c] = await Promise.all(results.map(arrays));
    tf.dispose(results.flat());
    expect(tf.memory().numTensors).toBe(before);
    expect(calls).toEqual([false, false, true, false, true]);
    a!.forEach((v, i) => {
      expect(relativeError(b![i]!, v), `output ${i}`).toBeLessThanOrEqual(1e-5);
      expect(relativeError(c![i]!, v), `output ${i}, tfjs' driver`).toBeLessThanOrEqual(1e-5);
    });
    tf.dispose([x, ...vars]);
  });
});
