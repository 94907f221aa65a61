import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d } from './conv/conv2d.js';
import { depthwiseConv2d } from './conv/depthwise.js';
import { pointwiseConv2d } from './conv/pointwise.js';
import { relu6 } from './activations.js';
import { TRAINING_BACKENDS, useBackend } from './testing/backends.js';
import { relativeError, seededValues } from './testing/compare.js';

type T4 = tf.Tensor4D;
interface Convs {
  conv: (x: T4, w: T4, stride: number) => T4;
  depthwise: (x: T4, w: T4, stride: number) => T4;
  pointwise: (x: T4, w: T4) => T4;
}

const OURS: Convs = {
  conv: (x, w, stride) => conv2d(x, w, { stride, padding: 1 }),
  depthwise: (x, w, stride) => depthwiseConv2d(x, w, { stride, padding: 1 }),
  pointwise: (x, w) => pointwiseConv2d(x, w),
};
const pad1 = [[0, 0], [1, 1], [1, 1], [0, 0]] as [[0, 0], [number, number], [number, number], [0, 0]];
const BUILTIN: Convs = {
  conv: (x, w, stride) => tf.conv2d(x, w, stride, pad1),
  depthwise: (x, w, stride) => tf.depthwiseConv2d(x, w, stride, pad1),
  pointwise: (x, w) => tf.conv2d(x, w, 1, 'valid'),
};

// A small depthwise-separable net: stem 3×3 s2, two V1 blocks (one strided), pooling, linear head.
const SHAPES: Record<string, number[]> = {
  stem: [3, 3, 3, 8], dw1: [3, 3, 8, 1], pw1: [1, 1, 8, 16], dw2: [3, 3, 16, 1], pw2: [1, 1, 16, 16], fc: [16, 10],
  g0: [8], b0: [8], g1: [8], b1: [8], g2: [16], b2: [16], g3: [16], b3: [16], g4: [16], b4: [16],
};
const BATCH = 4;
const LR = 0.1;

function makeParams(): Record<string, tf.Variable> {
  let seed = 10;
  return Object.fromEntries(
    Object.entries(SHAPES).map(([name, shape]) => {
      const init = name.startsWith('g') ? tf.ones(shape) : tf.tensor(seededValues(shape.reduce((a, b) => a * b), seed++), shape);
      return [name, tf.variable(name.startsWith('b') ? tf.zeros(shape) : init, true, `${name}_${Math.random()}`)];
    }),
  );
}

/** Training-mode BatchNorm: batch statistics, learnable scale and shift. */
function batchNorm(x: T4, gamma: tf.Variable, beta: tf.Variable): T4 {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5) as T4;
}

function loss(p: Record<string, tf.Variable>, convs: Convs, x: T4, y: tf.Tensor): tf.Scalar {
  const bnAct = (t: T4, i: number) => relu6(batchNorm(t, p[`g${i}`]!, p[`b${i}`]!));
  let h = bnAct(convs.conv(x, p.stem as tf.Tensor as T4, 2), 0);
  h = bnAct(convs.depthwise(h, p.dw1 as tf.Tensor as T4, 1), 1);
  h = bnAct(convs.pointwise(h, p.pw1 as tf.Tensor as T4), 2);
  h = bnAct(convs.depthwise(h, p.dw2 as tf.Tensor as T4, 2), 3);
  h = bnAct(convs.pointwise(h, p.pw2 as tf.Tensor as T4), 4);
  const logits = tf.matMul(tf.mean(h, [1, 2]), p.fc!);
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}

function batch(): { x: T4; y: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.tensor4d(seededValues(BATCH * 12 * 12 * 3, 3), [BATCH, 12, 12, 3]),
    y: tf.oneHot(tf.tensor1d([1, 4, 7, 9], 'int32'), 10),
  }));
}

/** One plain SGD step; returns the loss before it and every parameter after it. */
async function sgdStep(p: Record<string, tf.Variable>, convs: Convs): Promise<{ loss: number; params: Record<string, Float32Array> }> {
  const { x, y } = batch();
  const optimizer = tf.train.sgd(LR);
  const cost = optimizer.minimize(() => loss(p, convs, x, y), true)!;
  const value = (await cost.data())[0]!;
  tf.dispose([x, y, cost]);
  optimizer.dispose();
  const names = Object.keys(p);
  const arrays = await Promise.all(names.map((n) => p[n]!.data()));
  return { loss: value, params: Object.fromEntries(names.map((n, i) => [n, arrays[i] as Float32Array])) };
}

let reference: { loss: number; params: Record<string, Float32Array> };

beforeAll(async () => {
  await useBackend('cpu');
  const p = makeParams();
  reference = await sgdStep(p, BUILTIN);
  tf.dispose(Object.values(p));
});

describe.each(TRAINING_BACKENDS)('a depthwise-separable net trains on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('one SGD step gives the weights tfjs built-in gradients give on cpu, and nothing leaks over three steps', async () => {
    const p = makeParams();
    const counts: number[] = [];
    const first = await sgdStep(p, OURS);
    counts.push(tf.memory().numTensors);
    const losses = [first.loss];
    for (let i = 0; i < 2; i++) {
      losses.push((await sgdStep(p, OURS)).loss);
      counts.push(tf.memory().numTensors);
    }
    tf.dispose(Object.values(p));

    expect(first.loss).toBeCloseTo(reference.loss, 4);
    for (const [name, want] of Object.entries(reference.params)) {
      expect(relativeError(first.params[name]!, want), name).toBeLessThanOrEqual(1e-4);
    }
    expect(new Set(counts).size).toBe(1);
    // Same batch three times: the loss must fall.
    expect(losses[2]).toBeLessThan(losses[0]!);
  });
});
