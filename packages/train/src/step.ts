import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { crossEntropy } from './loss.js';
import { hits } from './metrics.js';
import { runLayers } from './model/forward.js';
import type { Optimizer, Param } from './optim/optimizer.js';

export interface StepInput {
  layers: readonly tfl.layers.Layer[];
  params: readonly Param[];
  optimizer: Optimizer;
  x: tf.Tensor;
  y: tf.Tensor1D;
  lr: number;
  labelSmoothing: number;
  dropoutSeed: number;
}

/**
 * One training step: forward in training mode, cross-entropy, gradients of the trainable weights, the
 * optimizer's update. The frozen layers before the first trainable one run outside the gradient tape, in
 * inference mode (BatchNorm folded), since nothing upstream of a trainable weight needs their gradients.
 * Returns [loss, top-1 hits, top-5 hits] as one tensor the caller reads back and disposes.
 */
export function trainStep(s: StepInput): tf.Tensor1D {
  return tf.tidy(() => {
    const firstTrainable = s.layers.findIndex((l) => l.trainable && l.trainableWeights.length > 0);
    const frozen = s.layers.slice(0, Math.max(firstTrainable, 0));
    const rest = s.layers.slice(frozen.length);
    const features = runLayers(frozen, s.x, { training: false });
    let logits: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      // Kept through variableGrads' own scope for the accuracy below (a kept tensor is disposed by hand).
      logits = tf.keep(runLayers(rest, features, { training: true, dropoutSeed: s.dropoutSeed }) as tf.Tensor2D);
      return crossEntropy(logits, s.y, s.labelSmoothing);
    }, s.params.map((p) => p.variable));
    try {
      const byParam = new Map(s.params.map((p) => [p.name, grads[p.variable.name]!] as const));
      s.optimizer.apply(s.params, byParam, s.lr);
      return tf.concat([tf.reshape(value, [1]), hits(logits!, s.y)]) as tf.Tensor1D;
    } finally {
      logits?.dispose();
    }
  });
}
