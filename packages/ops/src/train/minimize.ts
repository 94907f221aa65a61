import * as tf from '@tensorflow/tfjs-core';
import { guardBackend } from '../backend/abort.js';
import { OpsInputError, OutOfMemoryError } from '../errors.js';
import { valueAndGradients } from './gradients.js';
import type { TrainingMemoryEstimate } from './memory.js';

export interface MinimizeOptions {
  /** The variables to update. Default: every trainable variable. */
  varList?: tf.Variable[];
  /**
   * The step's memory estimate (`estimateTrainingMemory` / `planTrainingMemory`): a step that does not fit is
   * refused before it allocates anything, and an allocation failure during the step becomes an
   * `OutOfMemoryError` naming the model and batch.
   */
  memory?: TrainingMemoryEstimate;
}

/** Messages of the errors an allocation failure raises: JS typed arrays (cpu), the wasm heap, a GPU. */
const ALLOCATION_FAILURE = /allocation failed|invalid (typed )?array length|memory access out of bounds|cannot enlarge memory|out of memory|\bOOM\b/i;

/**
 * `optimizer.minimize(f, true, varList)` with the gradients from `valueAndGradients`, which frees each
 * intermediate as soon as the backward pass is done with it: one training step, returning the loss (owned
 * by the caller). A wasm abort during the step becomes a `BackendAbortedError` (see `guardBackend`), inside an
 * `OutOfMemoryError` when it was an allocation failure.
 */
export function minimize(optimizer: tf.Optimizer, f: () => tf.Scalar, options: MinimizeOptions = {}): tf.Scalar {
  const { memory } = options;
  if (memory && !memory.fits) throw new OutOfMemoryError(memory);
  const all = options.varList ?? Object.values(tf.engine().registeredVariables);
  const vars = all.filter((v) => v.trainable);
  if (vars.length === 0) throw new OpsInputError(`minimize: none of the ${all.length} variables is trainable`);
  let result: ReturnType<typeof valueAndGradients<tf.Scalar>>;
  try {
    result = guardBackend('minimize', () => valueAndGradients(f, vars));
  } catch (err) {
    if (memory && err instanceof Error && ALLOCATION_FAILURE.test(err.message)) throw new OutOfMemoryError(memory, { cause: err });
    throw err;
  }
  const { value, grads } = result;
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
