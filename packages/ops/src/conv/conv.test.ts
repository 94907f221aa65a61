import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRAINING_BACKENDS, useBackend } from '../testing/backends.js';
import { relativeError, valueAndGrads } from '../testing/compare.js';
import { conv2d } from './conv2d.js';
import { depthwiseConv2d } from './depthwise.js';
import { groupedConv2d } from './grouped.js';
import { pointwiseConv2d } from './pointwise.js';
import { OpsInputError } from '../errors.js';
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
  beforeAll(() => useBackend('wasm'));
  const x = () => tf.zeros([1, 8, 8, 4]) as T4;

  type Op = (x: T4, w: T4) => tf.Tensor;
  const OPS: [string, Op, [number, number, number, number]][] = [
    ['conv2d', (a, w) => conv2d(a, w), [3, 3, 4, 4]],
    ['depthwiseConv2d', (a, w) => depthwiseConv2d(a, w), [3, 3, 4, 1]],
    ['pointwiseConv2d', (a, w) => pointwiseConv2d(a, w), [1, 1, 4, 4]],
    ['groupedConv2d', (a, w) => groupedConv2d(a, w, 2), [3, 3, 2, 4]],
    ['separableConv2d', (a, w) => separableConv2d(a, w, tf.zeros([1, 1, 4, 4]) as T4), [3, 3, 4, 1]],
    ['spatialSeparableConv2d', (a, w) => spatialSeparableConv2d(a, w, tf.zeros([1, 3, 4, 4]) as T4), [3, 1, 4, 4]],
  ];
  const disposed = () => {
    const t = x();
    t.dispose();
    return t;
  };
  const BAD_X: [string, () => unknown, RegExp][] = [
    ['rank 3', () => tf.zeros([8, 8, 4]), /x must be a non-empty float32 tensor of rank 4, got float32 \[8, 8, 4\]/],
    ['int32', () => tf.zeros([1, 8, 8, 4], 'int32'), /x must be a non-empty float32 tensor of rank 4, got int32 \[1, 8, 8, 4\]/],
    ['empty', () => tf.zeros([1, 0, 8, 4]), /x must be a non-empty float32 tensor of rank 4, got float32 \[1, 0, 8, 4\]/],
    ['disposed', disposed, /x must be a non-empty float32 tensor of rank 4, got a disposed tensor \[1, 8, 8, 4\]/],
    ['an array', () => [[1, 2]], /x must be a non-empty float32 tensor of rank 4, got an array/],
    ['undefined', () => undefined, /x must be a non-empty float32 tensor of rank 4, got undefined/],
  ];

  describe.each(OPS)('%s', (name, op, filterShape) => {
    it.each(BAD_X)('x %s: an OpsInputError naming the op, no tensor left behind', (_, make, message) => {
      const [bad, w] = [make(), tf.zeros(filterShape) as T4];
      const before = tf.memory().numTensors;
      expect(() => tf.tidy(() => op(bad as T4, w))).toThrow(OpsInputError);
      expect(() => tf.tidy(() => op(bad as T4, w))).toThrow(new RegExp(`^${name}: ${message.source}`));
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([bad as tf.Tensor, w]);
    });

    it('an int32 filter: an OpsInputError naming the filter', () => {
      const [a, w] = [x(), tf.zeros(filterShape, 'int32') as T4];
      expect(() => tf.tidy(() => op(a, w))).toThrow(new RegExp(`^${name}: .*must be a non-empty float32 tensor of rank 4, got int32`));
      tf.dispose([a, w]);
    });
  });

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

  it('groupedConv2d as a depthwise convolution (groups = in = out) leaves only its output behind', () => {
    const [a, w] = [x(), tf.zeros([3, 3, 1, 4]) as T4];
    const before = tf.memory().numTensors;
    const y = groupedConv2d(a, w, 4);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([a, w, y]);
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
