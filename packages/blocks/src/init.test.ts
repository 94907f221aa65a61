import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBlock } from './create-block.js';

beforeAll(() => useBackend('cpu'));

/** Mean, standard deviation and largest magnitude of a weight's values. */
function stats(values: Float32Array): { mean: number; std: number; max: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, std, max: values.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
}

describe('initial weights', () => {
  it("are torchvision's: kaiming normal with PyTorch's fan-out (a depthwise kernel's counts its channels), not truncated", () => {
    const before = tf.memory().numTensors;
    const block = createBlock({ type: 'DepthwiseSeparable', inChannels: 256, outChannels: 256 });
    tf.dispose(tf.tidy(() => block.apply(tf.zeros([1, 4, 4, 256])) as tf.Tensor)); // builds the weights
    const kernels = block.weights.filter((w) => w.originalName.endsWith('kernel'));
    const byShape = new Map(kernels.map((w) => [w.shape.join('x'), stats(w.read().dataSync() as Float32Array)]));
    // PyTorch: depthwise weight [256, 1, 3, 3], fan-out 256·9; pointwise [256, 256, 1, 1], fan-out 256.
    for (const [shape, fanOut, tolerance] of [['3x3x256x1', 256 * 9, 0.08], ['1x1x256x256', 256, 0.02]] as const) {
      const s = byShape.get(shape)!;
      const std = Math.sqrt(2 / fanOut);
      expect(Math.abs(s.std / std - 1), `std of the ${shape} kernel`).toBeLessThan(tolerance);
      expect(Math.abs(s.mean)).toBeLessThan(0.1 * std);
      expect(s.max, `a plain normal's tail: the ${shape} kernel is not cut at 2σ`).toBeGreaterThan(3 * std);
    }
    block.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
