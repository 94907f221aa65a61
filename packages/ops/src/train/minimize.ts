import * as tf from '@tensorflow/tfjs-core';
import { OpsInputError } from '../errors.js';
import { valueAndGradients } from './gradients.js';

/**
 * `optimizer.minimize(f, true, varList)` with the gradients from `valueAndGradients`, which frees each
 * intermediate as soon as the backward pass is done with it: one training step, returning the loss (owned
 * by the caller). `varList` defaults to every trainable variable.
 */
export function minimize(optimizer: tf.Optimizer, f: () => tf.Scalar, varList?: tf.Variable[]): tf.Scalar {
  const all = varList ?? Object.values(tf.engine().registeredVariables);
  const vars = all.filter((v) => v.trainable);
  if (vars.length === 0) throw new OpsInputError(`minimize: none of the ${all.length} variables is trainable`);
  const { value, grads } = valueAndGradients(f, vars);
  const named = vars.flatMap((v, i) => (grads[i] ? [{ name: v.name, tensor: grads[i] }] : []));
  try {
    if (value.rank !== 0) throw new OpsInputError(`minimize: f must return a scalar, got shape [${value.shape.join(', ')}]`);
    if (named.length === 0) throw new OpsInputError('minimize: the loss does not depend on any of the variables');
    optimizer.applyGradients(named);
  } catch (err) {
    value.dispose();
    throw err;
  } finally {
    tf.dispose(named.map((g) => g.tensor));
  }
  return value;
}
