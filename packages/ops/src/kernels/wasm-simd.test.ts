import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convGeometry } from '../conv/geometry.js';
import { useBackend } from '../testing/backends.js';
import { relativeError, seededValues } from '../testing/compare.js';
import { simdKernels } from './wasm-simd.js';

describe('SIMD kernels', () => {
  it('are there on wasm only', async () => {
    await useBackend('cpu');
    expect(simdKernels()).toBeNull();
    await useBackend('wasm');
    expect(simdKernels()).not.toBeNull();
  });
});

describe('SIMD kernels on wasm', () => {
  beforeAll(() => useBackend('wasm'));

  it('batch statistics stay exact over long sums (float blocks, double totals)', async () => {
    const [rows, c] = [300_003, 6];
    const values = seededValues(rows * c, 5).map((v, i) => 1000 + (i % c) + v);
    const x = tf.tensor2d(values, [rows, c]);
    const { mean, variance } = simdKernels()!.batchStats(x);
    const [m, v] = [await mean.data(), await variance.data()];
    tf.dispose([x, mean, variance]);
    const want = { mean: new Float64Array(c), variance: new Float64Array(c) };
    for (const [i, val] of values.entries()) want.mean[i % c]! += val / rows;
    for (const [i, val] of values.entries()) want.variance[i % c]! += (val - want.mean[i % c]!) ** 2 / rows;
    expect(relativeError(m, want.mean)).toBeLessThanOrEqual(1e-7);
    expect(relativeError(v, want.variance)).toBeLessThanOrEqual(1e-5);
  });

  it.each([[130, 9, 13], [64, 4, 8], [3, 1, 1], [257, 17, 5]])('matMulTN: aᵀ · b with %i rows, m %i, n %i, as tfjs computes it', async (rows, m, n) => {
    const before = tf.memory().numTensors;
    const a = tf.tensor2d(seededValues(rows * m, 3), [rows, m]);
    const b = tf.tensor2d(seededValues(rows * n, 4), [rows, n]);
    const [ours, theirs] = [simdKernels()!.matMulTN(a, b), tf.tidy(() => tf.matMul(tf.transpose(a), b))];
    const [x, y] = [await ours.data(), await theirs.data()];
    tf.dispose([a, b, ours, theirs]);
    expect(tf.memory().numTensors).toBe(before);
    expect(ours.shape).toEqual([m, n]);
    expect(relativeError(x, y)).toBeLessThanOrEqual(1e-6);
  });

  it('write their outputs only: tensors allocated around them keep their values', async () => {
    const before = tf.memory().numTensors;
    const fill = (v: number) => tf.fill([64, 9], v);
    const guards = [fill(1), fill(2)];
    const x = tf.tensor4d(seededValues(2 * 6 * 6 * 9, 1), [2, 6, 6, 9]);
    const guards2 = [fill(3)];
    const dy = tf.tensor4d(seededValues(2 * 3 * 3 * 9, 2), [2, 3, 3, 9]);
    const simd = simdKernels()!;
    const dw = simd.depthwiseFilterGrad(x, dy, convGeometry(6, 3, 2, 1));
    const { mean, variance } = simd.batchStats(x);
    const scale = tf.ones([9]) as tf.Tensor1D;
    const y = simd.normAct(x, scale, mean, 'relu6');
    const { dx, dGamma, dBeta } = simd.normActGrad(y, y, x, mean, variance, scale, scale, 'relu6');
    const values = await Promise.all([...guards, ...guards2].map((g) => g.data()));
    tf.dispose([...guards, ...guards2, x, dy, dw, mean, variance, scale, y, dx, dGamma, dBeta]);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, v] of values.entries()) expect(new Set(v)).toEqual(new Set([i + 1]));
  });
});
