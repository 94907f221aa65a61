import * as tf from '@tensorflow/tfjs-core';

/** Loss and accuracy of one pass: top-5 is null with fewer than 6 classes (it would always be 1). */
export interface Metrics {
  loss: number;
  top1: number;
  top5: number | null;
}

/** Sums over the batches of one pass: loss · n, top-1 and top-5 hits, samples. */
export interface MetricSums {
  loss: number;
  top1: number;
  top5: number;
  count: number;
}

export const emptySums = (): MetricSums => ({ loss: 0, top1: 0, top5: 0, count: 0 });

/** [top-1 hits, top-5 hits] of a batch, as one small tensor to read back with the loss. */
export function hits(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const k = Math.min(5, logits.shape[1]);
    const { indices } = tf.topk(logits, k);
    const match = tf.cast(tf.equal(indices, tf.expandDims(labels, 1)), 'float32');
    const top1 = tf.sum(tf.slice(match, [0, 0], [-1, 1]));
    return tf.stack([top1, tf.sum(match)]) as tf.Tensor1D;
  });
}

export function addBatch(sums: MetricSums, loss: number, top1: number, top5: number, n: number): void {
  sums.loss += loss * n;
  sums.top1 += top1;
  sums.top5 += top5;
  sums.count += n;
}

export function finish(sums: MetricSums, numClasses: number): Metrics {
  const n = Math.max(sums.count, 1);
  return { loss: sums.loss / n, top1: sums.top1 / n, top5: numClasses > 5 ? sums.top5 / n : null };
}

/** A K×K matrix: rows are true classes, columns predicted ones. */
export type ConfusionMatrix = number[][];

export function emptyConfusion(k: number): ConfusionMatrix {
  return Array.from({ length: k }, () => new Array<number>(k).fill(0));
}

export function addConfusion(m: ConfusionMatrix, truth: ArrayLike<number>, predicted: ArrayLike<number>): void {
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![predicted[i]!]!++;
}
