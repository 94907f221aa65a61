import * as tf from '@tensorflow/tfjs-core';
import { OpsInputError } from '../errors.js';

/** How a bad argument is named in an error: dtype and shape of a tensor, else what it is. */
export function describeArgument(t: unknown): string {
  if (t instanceof tf.Tensor) return t.isDisposed ? `a disposed tensor [${t.shape.join(', ')}]` : `${t.dtype} [${t.shape.join(', ')}]`;
  if (Array.isArray(t)) return 'an array';
  return t === null || typeof t !== 'object' ? String(t) : `a ${t.constructor?.name ?? 'plain object'}`;
}

/** `t` is a live float32 tensor of rank `rank` with no empty axis (wasm kernels misbehave on those). */
export function checkTensor(op: string, name: string, t: unknown, rank: number): asserts t is tf.Tensor {
  if (!(t instanceof tf.Tensor) || t.isDisposed || t.dtype !== 'float32' || t.rank !== rank || t.size === 0) {
    throw new OpsInputError(`${op}: ${name} must be a non-empty float32 tensor of rank ${rank}, got ${describeArgument(t)}`);
  }
}

/**
 * x is a float32 NHWC tensor, filter a float32 [kh, kw, in / groups, ·] one (depthwise: [kh, kw, in, 1]) whose
 * input channels times `groups` are x's channels.
 */
export function checkConvInput(op: string, x: unknown, filter: unknown, groups = 1): asserts x is tf.Tensor4D {
  checkTensor(op, 'x', x, 4);
  checkTensor(op, 'filter', filter, 4);
  if (filter.shape[2]! * groups !== x.shape[3]) {
    throw new OpsInputError(
      `${op}: filter [${filter.shape.join(', ')}] does not fit ${x.shape[3]} input channels of x [${x.shape.join(', ')}]`,
    );
  }
}
