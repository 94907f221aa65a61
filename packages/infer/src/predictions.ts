/** One image's classes, best first (PaddleClas's shape); `file` for a file input. */
export interface Classification {
  file?: string;
  classIds: number[];
  /** Softmax probabilities of those classes. */
  scores: number[];
  /** Their names from the model's labels (the class id as a string when the model has none). */
  labelNames: string[];
}

/** An image that could not be read: in the same stream as the results, so a folder run goes on. */
export interface FailedImage {
  file?: string;
  /** The input's name in messages: the path, `Buffer #i`, `pixels #i`, `tensor #i`. */
  input: string;
  error: Error;
}

export interface Embedding {
  file?: string;
  /** The classifier's input features (the pooled features, after V3's hidden layer). */
  embedding: Float32Array;
}

export type Prediction = Classification | FailedImage;

export const isFailed = <T extends object>(p: T | FailedImage): p is FailedImage => 'error' in p;

/** The `k` most probable classes of one row of logits: softmax computed stably in float64. */
export function topK(logits: Float32Array, k: number, labels: readonly string[] | null): Omit<Classification, 'file'> {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b);
  const classIds = order.slice(0, Math.min(k, logits.length));
  return {
    classIds,
    scores: classIds.map((c) => Math.exp(logits[c]! - max) / sum),
    labelNames: classIds.map((c) => labels?.[c] ?? String(c)),
  };
}
