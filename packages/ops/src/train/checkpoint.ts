import * as tf from '@tensorflow/tfjs-core';
import { valueAndGradients } from './gradients.js';

/**
 * `f(x)` whose backward pass recomputes `f` instead of keeping what `f`'s gradients need (PyTorch's
 * `torch.utils.checkpoint`): between the passes only `x` is kept. `f` runs a second time, with `recomputing`
 * set, when the gradient is needed; it must compute the same values then (a BatchNorm uses the same batch,
 * and updates its running statistics only when not recomputing). `params` are the variables `f` reads:
 * they receive their gradients as if `f` had run once, under the tape.
 */
export function checkpoint<T extends tf.Tensor>(f: (x: T, recomputing: boolean) => T, x: T, params: tf.Variable[]): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.at(-1) as tf.GradSaveFunc;
    const input = args[0] as T;
    save([input]);
    return {
      value: f(input, false),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => {
        const { value, grads } = valueAndGradients(() => f(saved as T, true), [saved!, ...params], dy);
        value.dispose();
        return grads.map((g, i) => g ?? tf.zerosLike(i === 0 ? saved! : params[i - 1]!));
      },
    };
  });
  return op(x, ...params) as T;
}
