import * as tf from '@tensorflow/tfjs-core';

/** max |a − b| / max |b|: the relative error the gradient tests bound. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

/** Deterministic values in [-1, 1) (a small LCG), so every backend sees the same inputs. */
export function seededValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/**
 * Value and gradients (w.r.t. the leading `differentiable` inputs) of sum(f(inputs) · r) for a fixed random r, read back as
 * arrays (asynchronously: webgpu in Node cannot read synchronously). Leaves no tensor behind.
 */
export async function valueAndGrads(
  f: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputs: { shape: number[]; seed: number }[],
  /** How many leading inputs to differentiate with respect to (default all). */
  differentiable = inputs.length,
): Promise<{ value: Float32Array; grads: Float32Array[] }> {
  const tensors = tf.tidy(() => {
    const xs = inputs.map((i) => seeded(i.shape, i.seed));
    const value = f(...xs);
    const r = seeded(value.shape, 999);
    const rest = xs.slice(differentiable);
    const loss = (...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args, ...rest), r));
    const { grads } = tf.valueAndGrads(loss)(xs.slice(0, differentiable));
    return [value, ...grads];
  });
  const arrays = (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[];
  tf.dispose(tensors);
  return { value: arrays[0]!, grads: arrays.slice(1) };
}
