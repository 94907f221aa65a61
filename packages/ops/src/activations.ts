import * as tf from '@tensorflow/tfjs-core';

/**
 * Backends whose Relu / Relu6 kernels return NaN for NaN, as PyTorch does (activations.test.ts checks this
 * table against the kernels). wasm's Relu6 (XNNPACK's clamp) and webgpu's Relu and Relu6 return 0 instead.
 */
export const KEEPS_NAN: Readonly<Record<'Relu' | 'Relu6', readonly string[]>> = { Relu: ['cpu', 'wasm'], Relu6: ['cpu'] };

/** `y = kernel(x)` with NaN put back where x is NaN: step(x, 1) is 1 everywhere but at NaN, where it is NaN. */
export function keepNaN<T extends tf.Tensor>(kernel: keyof typeof KEEPS_NAN, x: T, y: T): T {
  return KEEPS_NAN[kernel].includes(tf.getBackend()) ? y : tf.mul(y, tf.step(x, 1));
}

/**
 * max(x, 0), NaN for NaN on every backend. Its gradient is dy · step(y): 0 where x ≤ 0, NaN where x is NaN
 * (PyTorch passes dy there; a NaN gradient keeps a NaN from vanishing in the backward pass).
 */
export function relu<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((input, save) => {
    const y = keepNaN('Relu', input as tf.Tensor, tf.relu(input as tf.Tensor));
    (save as tf.GradSaveFunc)([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, tf.step(saved!)) };
  });
  return op(x) as T;
}

/**
 * min(max(x, 0), 6) (MobileNetV1/V2), NaN for NaN on every backend. Its gradient passes dy where 0 < y < 6,
 * computed from the output as step(y · (6 − y)) (NaN where x is NaN): tfjs' own uses LessEqual, which is ~40x
 * slower than plain arithmetic on wasm.
 */
export function relu6<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((input, save) => {
    const y = keepNaN('Relu6', input as tf.Tensor, tf.relu6(input as tf.Tensor));
    (save as tf.GradSaveFunc)([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, tf.step(tf.mul(saved!, tf.sub(6, saved!)))),
    };
  });
  return op(x) as T;
}

/** relu6(x + 3) / 6, as defined in the MobileNetV3 paper; NaN for NaN. */
export function hardSigmoid<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(relu6(tf.add(x, 3)), 6));
}

/** x · relu6(x + 3) / 6, as defined in the MobileNetV3 paper; NaN for NaN. */
export function hardSwish<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, hardSigmoid(x)));
}
