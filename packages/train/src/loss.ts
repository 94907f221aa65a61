import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean cross-entropy of logits [N, K] against int labels [N], with PyTorch's label smoothing ε:
 * (1 − ε) · (−log p_y) + ε / K · Σ_k (−log p_k), i.e. the target is (1 − ε) one-hot + ε / K.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const k = logits.shape[1];
    const logProbs = tf.logSoftmax(logits);
    // The 0/1 one-hot scaled in float32: tfjs' oneHot with fractional on/off values comes out wrong on wasm
    // (int32 by default; garbage when asked for float32).
    const oneHot = tf.cast(tf.oneHot(labels, k), 'float32');
    const target = tf.add(tf.mul(oneHot, 1 - labelSmoothing), labelSmoothing / k);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProbs), 1))) as tf.Scalar;
  });
}
