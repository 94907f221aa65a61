import * as tf from '@tensorflow/tfjs-core';

export type Save = (tensors: tf.Tensor[]) => void;

interface KernelFuncEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: Save) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: Record<string, tf.Tensor>;
  }): tf.Tensor;
}

/**
 * `tf.customGrad` with one gradient thunk per input, run only for the inputs the gradient is wanted for:
 * customGrad computes every input's gradient, so a network's first convolution would compute the gradient
 * of the image. `forward` runs with the tape off, inside a tidy; `save` keeps tensors for `backward`.
 */
export function customOp<T extends tf.Tensor>(
  inputs: tf.Tensor[],
  forward: (save: Save) => T,
  backward: (dy: T, saved: tf.Tensor[]) => (() => tf.Tensor)[],
): T {
  const engine = tf.engine() as unknown as KernelFuncEngine;
  return engine.runKernelFunc({
    forwardFunc: (_backend, save) => forward(save),
    backwardsFunc: (dy, saved) => Object.fromEntries(backward(dy as T, saved).map((grad, i) => [String(i), grad])),
    inputs: Object.fromEntries(inputs.map((t, i) => [String(i), t])),
  }) as T;
}
