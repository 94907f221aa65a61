import * as tf from '@tensorflow/tfjs-core';

/**
 * min(max(x, 0), 6) (MobileNetV1/V2). Its gradient passes dy where 0 < y < 6, computed from the output as
 * step(y · (6 − y)): tfjs' own uses LessEqual, which is ~40x slower than plain arithmetic on wasm.
 */
export function relu6<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((input, save) => {
    const y = tf.relu6(input as tf.Tensor);
    (save as tf.GradSaveFunc)([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, tf.step(tf.mul(saved!, tf.sub(6, saved!)))),
    };
  });
  return op(x) as T;
}

/** relu6(x + 3) / 6, as defined in the MobileNetV3 paper. */
export function hardSigmoid<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6));
}

/** x · relu6(x + 3) / 6, as defined in the MobileNetV3 paper. */
export function hardSwish<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, hardSigmoid(x)));
}
