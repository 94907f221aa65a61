import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelMean, globalAvgPool } from './reduce.js';
import { TRAINING_BACKENDS, useBackend } from './testing/backends.js';
import { relativeError, seededValues } from './testing/compare.js';

describe.each(TRAINING_BACKENDS)('pooled means on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('equal tf.mean, with NaN for a channel holding a NaN (wasm pools it to −∞)', async () => {
    const before = tf.memory().numTensors;
    const values = seededValues(2 * 3 * 5 * 4, 3);
    values[values.length - 3] = NaN; // image 1, last pixel, channel 1
    const x = tf.tensor4d(values, [2, 3, 5, 4]);
    const [cm, gp, rcm, rgp] = [channelMean(x), globalAvgPool(x), tf.mean(x, [0, 1, 2]), tf.mean(x, [1, 2], true)];
    const [a, b, ra, rb] = await Promise.all([cm, gp, rcm, rgp].map((t) => t.data()));
    tf.dispose([x, cm, gp, rcm, rgp]);
    expect(tf.memory().numTensors).toBe(before);
    expect(gp.shape).toEqual([2, 1, 1, 4]);
    expect(Array.from(a!, Number.isNaN)).toEqual([false, true, false, false]);
    expect(Array.from(b!, Number.isNaN)).toEqual([false, false, false, false, false, true, false, false]);
    const finite = (v: ArrayLike<number>) => Array.from(v).map((n) => (Number.isNaN(n) ? 0 : n));
    expect(relativeError(finite(a!), finite(ra!))).toBeLessThanOrEqual(1e-6);
    expect(relativeError(finite(b!), finite(rb!))).toBeLessThanOrEqual(1e-6);
  });
});
