import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import reference from './__fixtures__/reference.json' with { type: 'json' };
import { crossEntropy } from './loss.js';

describe.each(['cpu', 'wasm'] as const)('crossEntropy on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const R = reference.labelSmoothing;
  it.each(R.cases.map((c) => [c.labelSmoothing, c.loss] as const))("label smoothing %s equals PyTorch's CrossEntropyLoss, and so does its gradient", (eps, expected) => {
    const before = tf.memory().numTensors;
    const logits = tf.tensor2d(R.logits);
    const labels = tf.tensor1d(R.labels, 'int32');
    const loss = crossEntropy(logits, labels, eps);
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    // d/dlogits = (softmax − target) / N, target = (1 − ε)·onehot + ε/K.
    const grad = tf.grad((l: tf.Tensor) => crossEntropy(l as tf.Tensor2D, labels, eps))(logits);
    const [n, k] = logits.shape;
    const p = tf.tidy(() => tf.softmax(logits).arraySync() as number[][]);
    const g = grad.arraySync() as number[][];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        const target = (j === R.labels[i] ? 1 - eps : 0) + eps / k;
        expect(g[i]![j]).toBeCloseTo((p[i]![j]! - target) / n, 6);
      }
    }
    tf.dispose([logits, labels, loss, grad]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('by hand: equal logits over K classes give log K whatever the smoothing', () => {
    for (const eps of [0, 0.3]) {
      const loss = crossEntropy(tf.zeros([2, 4]) as tf.Tensor2D, tf.tensor1d([0, 3], 'int32'), eps);
      expect(loss.dataSync()[0]).toBeCloseTo(Math.log(4), 6);
    }
  });
});
