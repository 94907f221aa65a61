import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '@mobilenets/data';
import { checkLabels } from './labels.js';
import { crossEntropy } from './loss.js';
import { addBatch, addConfusion, type ConfusionMatrix, emptyConfusion, emptySums, finish, hits, type Metrics } from './metrics.js';
import { layerChain, runLayers } from './model/forward.js';

export interface Evaluation extends Metrics {
  confusion: ConfusionMatrix;
}

/**
 * Loss (without label smoothing), top-1, top-5 and the confusion matrix of a model over a data pass, in
 * inference mode. Each batch is disposed after use (the consumer owns it).
 */
export async function evaluate(model: tfl.LayersModel, data: AsyncIterable<Batch>): Promise<Evaluation> {
  const layers = layerChain(model);
  const numClasses = (model.outputs[0]!.shape.at(-1) as number) ?? 0;
  const sums = emptySums();
  const confusion = emptyConfusion(numClasses);
  for await (const { x, y } of data) {
    const out = tf.tidy(() => {
      const logits = runLayers(layers, x, { training: false }) as tf.Tensor2D;
      return { stats: tf.concat([tf.reshape(crossEntropy(logits, y), [1]), hits(logits, y)]), predicted: tf.argMax(logits, 1) };
    });
    const [stats, predicted, truth] = await Promise.all([out.stats.data(), out.predicted.data(), y.data()]);
    tf.dispose([x, y, out.stats, out.predicted]);
    checkLabels(truth, numClasses, 'validation data');
    addBatch(sums, stats[0]!, stats[1]!, stats[2]!, truth.length);
    addConfusion(confusion, truth, predicted);
  }
  return { ...finish(sums, numClasses), confusion };
}
