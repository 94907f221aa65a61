import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mixSeed } from '@mobilenets/data';
import { TrainConfigError } from '../errors.js';

/**
 * The layers of a single-chain model (every zoo model with `features: 'logits'`), input layer excluded, in
 * order. Anything else (several inputs or outputs, branches between layers) is refused: the trainer runs the
 * layers one by one so that each runs in its own mode.
 */
export function layerChain(model: tfl.LayersModel): tfl.layers.Layer[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new TrainConfigError('model', `${model.name} has ${model.inputs.length} inputs and ${model.outputs.length} outputs; training needs one of each (features: 'logits')`);
  }
  const [input, ...layers] = model.layers;
  let previous = input!;
  for (const layer of layers) {
    const inbound = layer.inboundNodes.flatMap((n) => n.inboundLayers);
    if (inbound.length !== 1 || inbound[0] !== previous) {
      throw new TrainConfigError('model', `${model.name} is not a chain of layers at '${layer.name}'; training runs the zoo's logits models`);
    }
    previous = layer;
  }
  return layers;
}

export interface ForwardOptions {
  training: boolean;
  /** Seeds dropout: with the same seed a step draws the same mask on every run (resume equals a straight run). */
  dropoutSeed?: number;
}

/**
 * Runs `layers` on `x`. In training, a layer runs in training mode only while it is trainable: a frozen
 * BatchNorm normalizes with its running statistics and leaves them alone. Dropout draws from `dropoutSeed`
 * (tfjs' own draws are unseeded).
 */
export function runLayers(layers: readonly tfl.layers.Layer[], x: tf.Tensor, options: ForwardOptions): tf.Tensor {
  return layers.reduce((h, layer, i) => {
    const training = options.training && layer.trainable;
    if (layer.getClassName() === 'Dropout') return training ? dropout(h, (layer.getConfig().rate as number) ?? 0, mixSeed(options.dropoutSeed ?? 0, i)) : h;
    return layer.apply(h, { training }) as tf.Tensor;
  }, x);
}

/** Inverted dropout with a seeded mask (PyTorch's: kept units scaled by 1 / (1 − rate)). */
function dropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  if (rate <= 0) return x;
  return tf.tidy(() => {
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), 'float32');
    return tf.mul(x, tf.div(keep, 1 - rate));
  });
}
