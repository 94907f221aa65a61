import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Param } from '../optim/optimizer.js';
import { decays } from '../optim/weight-decay.js';

/** The model's trainable weights as optimizer parameters, named by their zoo weight names. */
export function trainableParams(model: tfl.LayersModel): Param[] {
  return model.trainableWeights.map((w) => ({ name: w.originalName, variable: w.read() as tf.Variable, decay: decays(w.originalName) }));
}
