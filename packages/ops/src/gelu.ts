import * as tf from '@tensorflow/tfjs-core';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * GELU, exact form: x · Φ(x) = x · (1 + erf(x / √2)) / 2 (PyTorch's `nn.GELU()`, MobileNetV4-Hybrid-Large).
 * Its gradient Φ(x) + x · φ(x) is computed from the saved Φ(x) and x in one expression, not through erf's own
 * gradient.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((input, save) => {
    const t = input as tf.Tensor;
    const cdf = tf.tidy(() => tf.mul(tf.add(tf.erf(tf.mul(t, Math.SQRT1_2)), 1), 0.5));
    (save as tf.GradSaveFunc)([t, cdf]);
    return {
      value: tf.mul(t, cdf),
      gradFunc: (dy: tf.Tensor, [saved, phi]: tf.Tensor[]) =>
        tf.mul(dy, tf.add(phi!, tf.mul(saved!, tf.mul(tf.exp(tf.mul(tf.square(saved!), -0.5)), INV_SQRT_2PI)))),
    };
  });
  return op(x) as T;
}
