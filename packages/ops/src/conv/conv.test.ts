import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRAINING_BACKENDS, useBackend } from '../testing/backends.js';
import { relativeError, valueAndGrads } from '../testing/compare.js';
import { conv2d } from './conv2d.js';
import { depthwiseConv2d } from './depthwise.js';
import { groupedConv2d } from './grouped.js';
import { pointwiseConv2d } from './pointwise.js';
import { separableConv2d, spatialSeparableConv2d } from './separable.js';

type Fn = (...inputs: tf.Tensor[]) => tf.Tensor;
type T4 = tf.Tensor4D;
interface Case {
  name: string;
  inputs: { shape: number[]; seed: number }[];
  /** The op under test. */
  ours: Fn;
  /** The same computation from tfjs built-ins, differentiated by tfjs' own gradients. */
  reference: Fn;
}

const BATCH = 2;
const TOLERANCE = 1e-4;

/** 'same' goes to tfjs as is; PyTorch-style `k >> 1` as tfjs explicit padding. */
function tfPad(padding: 'same' | number): 'same' | [[0, 0], [number, number], [number, number], [0, 0]] {
  return padding === 'same' ? 'same' : [[0, 0], [padding, padding], [padding, padding], [0, 0]];
}

function builtinGrouped(x: T4, w: T4, groups: number, stride: number, padding: 'same' | number): T4 {
  const xs = tf.split(x, groups, 3) as T4[];
  const ws = tf.split(w, groups, 3) as T4[];
  return tf.concat(xs.map((xg, i) => tf.conv2d(xg, ws[i]!, stride, tfPad(padding))), 3);
}

function cases(): Case[] {
  const out: Case[] = [];
  let seed = 1;
  for (const stride of [1, 2]) {
    for (const size of [7, 8]) {
      const x = (c: number) => ({ shape: [BATCH, size, size, c], seed: seed++ });
      const w = (shape: number[]) => ({ shape, seed: seed++ });
      out.push({
        name: `pointwise 3→5 stride ${stride} size ${size}`,
        inputs: [x(3), w([1, 1, 3, 5])],
        ours: (a, b) => pointwiseConv2d(a as T4, b as T4, { stride }),
        reference: (a, b) => tf.conv2d(a as T4, b as T4, stride, 'valid'),
      });
      for (const k of [1, 3, 5]) {
        for (const padding of ['same', k >> 1] as const) {
          const tag = `k${k} stride ${stride} size ${size} padding ${padding}`;
          const opts = { stride, padding };
          out.push({
            name: `conv2d 3→4 ${tag}`,
            inputs: [x(3), w([k, k, 3, 4])],
            ours: (a, b) => conv2d(a as T4, b as T4, opts),
            reference: (a, b) => tf.conv2d(a as T4, b as T4, stride, tfPad(padding)),
          });
          out.push({
            name: `depthwiseConv2d 5 ${tag}`,
            inputs: [x(5), w([k, k, 5, 1])],
            ours: (a, b) => depthwiseConv2d(a as T4, b as T4, opts),
            reference: (a, b) => tf.depthwiseConv2d(a as T4, b as T4, stride, tfPad(padding)),
          });
          out.push({
            name: `groupedConv2d g2 4→6 ${tag}`,
            inputs: [x(4), w([k, k, 2, 6])],
            ours: (a, b) => groupedConv2d(a as T4, b as T4, 2, opts),
            reference: (a, b) => builtinGrouped(a as T4, b as T4, 2, stride, padding),
          });
          out.push({
            name: `separableConv2d 3→4 ${tag}`,
            inputs: [x(3), w([k, k, 3, 1]), w([1, 1, 3, 4])],
            ours: (a, b, c) => separableConv2d(a as T4, b as T4, c as T4, opts),
            reference: (a, b, c) => tf.separableConv2d(a as T4, b as T4, c as T4, stride, tfPad(padding) as 'same'), // tfjs types omit explicit padding; it forwards it
          });
          out.push({
            name: `spatialSeparableConv2d 3→2→4 ${tag}`,
            inputs: [x(3), w([k, 1, 3, 2]), w([1, k, 2, 4])],
            ours: (a, b, c) => spatialSeparableConv2d(a as T4, b as T4, c as T4, opts),
            reference: (a, b, c) => {
              const pad = (ph: 'same' | number, pw: 'same' | number) =>
                padding === 'same' ? 'same' : ([[0, 0], [ph, ph], [pw, pw], [0, 0]] as [[0, 0], [number, number], [number, number], [0, 0]]);
              const v = tf.conv2d(a as T4, b as T4, [stride, 1], pad(k >> 1, 0));
              return tf.conv2d(v, c as T4, [1, stride], pad(0, k >> 1));
            },
          });
        }
      }
    }
  }
  return out;
}

const CASES = cases();
const expected = new Map<string, { value: Float32Array; grads: Float32Array[] }>();

beforeAll(async () => {
  await useBackend('cpu');
  for (const c of CASES) expected.set(c.name, await valueAndGrads(c.reference, c.inputs));
});

describe.each(TRAINING_BACKENDS)('on %s, value and gradients equal tfjs built-ins on cpu', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const before = tf.memory().numTensors;
    const got = await valueAndGrads(c.ours, c.inputs);
    expect(tf.memory().numTensors).toBe(before);
    const want = expected.get(c.name)!;
    expect(got.value.length).toBe(want.value.length);
    expect(relativeError(got.value, want.value)).toBeLessThanOrEqual(TOLERANCE);
    got.grads.forEach((g, i) => {
      expect(relativeError(g, want.grads[i]!), `gradient of input ${i}`).toBeLessThanOrEqual(TOLERANCE);
    });
  });
});

describe('bad input', () => {
  beforeAll(() => useBackend('cpu'));
  const x = () => tf.zeros([1, 8, 8, 4]) as T4;

  it('names the op and the shapes when filter channels do not match', () => {
    const [a, w] = [x(), tf.zeros([3, 3, 3, 8]) as T4];
    expect(() => conv2d(a, w)).toThrow(/conv2d: filter \[3, 3, 3, 8\] does not fit 4 input channels/);
    tf.dispose([a, w]);
  });

  it('rejects a depthwise channel multiplier other than 1', () => {
    const [a, w] = [x(), tf.zeros([3, 3, 4, 2]) as T4];
    expect(() => depthwiseConv2d(a, w)).toThrow(/channel multiplier must be 1/);
    tf.dispose([a, w]);
  });

  it('rejects groups that do not divide the channels', () => {
    const [a, w] = [x(), tf.zeros([3, 3, 2, 6]) as T4];
    expect(() => groupedConv2d(a, w, 3)).toThrow(/groups \(3\) must be a positive integer dividing/);
    tf.dispose([a, w]);
  });

  it('rejects padding of a kernel size or more', () => {
    const [a, w] = [x(), tf.zeros([3, 3, 4, 4]) as T4];
    expect(() => conv2d(a, w, { padding: 3 })).toThrow(/padding must be an integer in \[0, kernel - 1\]/);
    tf.dispose([a, w]);
  });
});
