import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import reference from './__fixtures__/reference.json' with { type: 'json' };
import { crossEntropy } from './loss.js';

beforeAll(() => useBackend('cpu'));

describe('crossEntropy', () => {
  const R = reference.labelSmoothing;
  it.each(R.cases.map((c) => [c.labelSmoothing, c.loss] as const))("label smoothing %s equals PyTorch's CrossEntropyLoss", (eps, expected) => {
    const before = tf.memory().numTensors;
    const logits = tf.tensor2d(R.logits);
    const labels = tf.tensor1d(R.labels, 'int32');
    const loss = crossEntropy(logits, labels, eps);
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    tf.dispose([logits, labels, loss]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('by hand: equal logits over K classes give log K whatever the smoothing', () => {
    for (const eps of [0, 0.3]) {
      const loss = crossEntropy(tf.zeros([2, 4]) as tf.Tensor2D, tf.tensor1d([0, 3], 'int32'), eps);
      expect(loss.dataSync()[0]).toBeCloseTo(Math.log(4), 6);
    }
  });
});
