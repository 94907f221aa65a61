import type { Classifier } from '../classifier.js';
import type { ImageInput } from '../input.js';
import { isFailed } from '../predictions.js';

export interface Agreement {
  /** Images both classifiers read. */
  images: number;
  /** Share of them whose top-1 class is the same (0–1). */
  top1: number;
  /** With labels: each classifier's top-1 accuracy (0–1). */
  accuracy?: { reference: number; candidate: number };
}

const top1 = async (c: Classifier, images: readonly ImageInput[], batchSize: number) =>
  (await c.classify(images, { topk: 1, batchSize })).map((r) => (isFailed(r) ? -1 : r.classIds[0]!));

/**
 * How often a candidate (a quantized model, an ONNX export) picks the reference's top-1 class on a held-out set,
 * and with `labels` (index = image) how accurate each is. Unreadable images are left out of both counts.
 */
export async function measureAgreement(reference: Classifier, candidate: Classifier, images: readonly ImageInput[], labels?: readonly number[], batchSize = 64): Promise<Agreement> {
  const a = await top1(reference, images, batchSize);
  const b = await top1(candidate, images, batchSize);
  const read = a.map((_, i) => i).filter((i) => a[i]! >= 0 && b[i]! >= 0);
  const share = (hits: (i: number) => boolean) => (read.length === 0 ? 0 : read.filter(hits).length / read.length);
  return {
    images: read.length,
    top1: share((i) => a[i] === b[i]),
    ...(labels ? { accuracy: { reference: share((i) => a[i] === labels[i]), candidate: share((i) => b[i] === labels[i]) } } : {}),
  };
}
