import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-channel mean of a channels-last tensor of any rank: [..., C] → [C].
 * One average pool over the tensor viewed as a single [rows, columns] image, with a window that covers
 * it. On wasm this is ~20x faster than a sum over non-innermost axes (which transposes first) and than
 * ones · X (XNNPACK re-packs a fresh right-hand matrix on every call).
 */
export function channelMean(t: tf.Tensor): tf.Tensor1D {
  const c = t.shape[t.rank - 1]!;
  const rows = t.rank === 4 ? t.shape[0]! * t.shape[1]! : t.size / c;
  const cols = t.size / c / rows;
  return tf.tidy(() => {
    const image: tf.Tensor4D = tf.reshape(t, [1, rows, cols, c]);
    return tf.reshape(tf.avgPool(image, [rows, cols], [rows, cols], 'valid'), [c]);
  });
}
