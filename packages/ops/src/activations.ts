import * as tf from '@tensorflow/tfjs-core';

/** min(max(x, 0), 6) (MobileNetV1/V2). */
export function relu6<T extends tf.Tensor>(x: T): T {
  return tf.relu6(x);
}

/** relu6(x + 3) / 6, as defined in the MobileNetV3 paper. */
export function hardSigmoid<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6));
}

/** x · relu6(x + 3) / 6, as defined in the MobileNetV3 paper. */
export function hardSwish<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, hardSigmoid(x)));
}
