import * as tf from '@tensorflow/tfjs-core';

/**
 * wasm's AvgPool (XNNPACK's clamped kernel) returns −∞ for a window that holds a NaN. A mean of −∞ from
 * a pool is therefore taken as NaN (a mean of −∞ proper needs a −∞ input, itself a broken activation).
 * Applied to the pooled result only: a few elements, not a pass over the input. The gradient passes through
 * (tfjs has none for Equal).
 */
function poolNaN<T extends tf.Tensor>(pooled: T): T {
  const op = tf.customGrad((p) => ({
    value: tf.where(tf.equal(p as tf.Tensor, -Infinity), NaN, p as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.clone(dy),
  }));
  return op(pooled) as T;
}

/**
 * Per-channel mean of a channels-last tensor of any rank: [..., C] → [C].
 * One average pool over the tensor viewed as a single [rows, columns] image, with a window that covers
 * it. On wasm this is ~20x faster than a sum over non-innermost axes (which transposes first) and than
 * ones · X (XNNPACK re-packs a fresh right-hand matrix on every call). NaN for a channel holding a NaN.
 */
export function channelMean(t: tf.Tensor): tf.Tensor1D {
  const c = t.shape[t.rank - 1]!;
  const rows = t.rank === 4 ? t.shape[0]! * t.shape[1]! : t.size / c;
  const cols = t.size / c / rows;
  return tf.tidy(() => {
    const image: tf.Tensor4D = tf.reshape(t, [1, rows, cols, c]);
    return tf.reshape(poolNaN(tf.avgPool(image, [rows, cols], [rows, cols], 'valid')), [c]);
  });
}

/** Mean over height and width, [N, H, W, C] → [N, 1, 1, C] (squeeze-excite's pooling); NaN for a channel holding a NaN. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.tidy(() => poolNaN(tf.avgPool(x, [h, w], [h, w], 'valid')));
}
