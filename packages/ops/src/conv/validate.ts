import type * as tf from '@tensorflow/tfjs-core';
import { OpsInputError } from '../errors.js';

export function checkRank(op: string, name: string, t: tf.Tensor, rank: number): void {
  if (t.rank !== rank) {
    throw new OpsInputError(`${op}: ${name} must have rank ${rank}, got shape [${t.shape.join(', ')}]`);
  }
}

/** x is NHWC, filter is [kh, kw, ·, ·] and its input-channel axis matches x's channels. */
export function checkConvInput(op: string, x: tf.Tensor, filter: tf.Tensor, filterInChannels: number | undefined): void {
  checkRank(op, 'x', x, 4);
  checkRank(op, 'filter', filter, 4);
  if (filterInChannels !== x.shape[3]) {
    throw new OpsInputError(
      `${op}: filter [${filter.shape.join(', ')}] does not fit ${x.shape[3]} input channels of x [${x.shape.join(', ')}]`,
    );
  }
}
