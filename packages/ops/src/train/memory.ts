import * as tf from '@tensorflow/tfjs-core';
import { OpsInputError, OutOfMemoryError } from '../errors.js';

/** Per image, in bytes: what a layer keeps from the forward pass for the backward pass, and the most its backward pass holds on top. */
export interface TrainingMemory {
  saved: number;
  transient: number;
}

/**
 * What the estimate reads from a model (a tfjs LayersModel of the zoo's blocks is one): layers in order, with
 * their input shapes; those that know their training memory (the blocks) report it, and may be recomputed.
 */
export interface MemoryModel {
  name: string;
  inputs: { shape: Shape }[];
  layers: readonly MemoryLayer[];
  countParams(): number;
}
type Shape = readonly (number | null)[];
export interface MemoryLayer {
  name: string;
  /** The symbolic input (a layer applied once, as in a model). */
  input: { shape: Shape } | { shape: Shape }[];
  outputShape: Shape | readonly Shape[];
  /** The blocks: per-image memory at this input size (with `recompute` on, the recomputed figures). */
  trainingMemory?(inputSize: [number, number]): TrainingMemory;
  /** The blocks: whether the backward pass recomputes the forward one (see `checkpoint`). */
  recompute?: boolean;
  /** The blocks: forward MACs per image, what recomputing costs. */
  cost?(inputSize: [number, number]): { macs: number };
}

export interface TrainingMemoryOptions {
  batch: number;
  /** Optimizer state per weight, in weights' sizes (Adam: 2, SGD with momentum: 1). Default 2. */
  optimizerSlots?: number;
  /** The heap the step must fit in. Default: 4 GiB on wasm (wasm32), no limit elsewhere. */
  limitBytes?: number;
}

export interface TrainingMemoryEstimate {
  model: string;
  batch: number;
  /** The model's input side. */
  inputSize: number;
  /** Heap bytes per image at the step's peak (activations kept for the backward pass and its working set). */
  perImageBytes: number;
  /** Heap bytes that do not grow with the batch: weights, their gradients, the optimizer's state, the runtime. */
  fixedBytes: number;
  /** fixedBytes + the larger of batch · perImageBytes and the optimizer's update (after the backward pass). */
  peakBytes: number;
  limitBytes: number;
  fits: boolean;
  /** The largest batch whose peak fits in limitBytes (with the layers recomputed as they are now). */
  maxBatch: number;
  /** Layers that recompute their forward pass in the backward pass. */
  recomputed: string[];
}

const FLOAT32 = 4;
/** wasm32's heap. */
const WASM_HEAP = 2 ** 32;
/**
 * wasm heap bytes per byte of tensors: XNNPACK's packed operands and fragmentation. Measured: 1.3 on
 * MobileNetV2-224 at batches 4 to 24 (with or without recomputation); at batch 32 the quick-run variants'
 * heaps came to 0.83–1.02 of the estimate with 1.3, hence a little more.
 */
const HEAP_PER_TENSOR_BYTE = 1.35;
/** The wasm runtime and XNNPACK beside the tensors. */
const RUNTIME_BYTES = 64 * 2 ** 20;
/**
 * Weight-sized temporaries an optimizer's update holds at once after the backward pass (tfjs' Adam runs its
 * whole update in one tidy: ~11 per weight until it ends).
 */
const OPTIMIZER_WORKING = 12;

const first = (s: MemoryLayer['outputShape']) => (Array.isArray(s[0]) ? s[0] : s) as Shape;
const sizeOf = (s: Shape) => s.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1);

/** A block reports its memory; any other layer (the input, pooling, the classifier) keeps its output. */
function layerMemory(layer: MemoryLayer): TrainingMemory {
  if (layer.trainingMemory) return layer.trainingMemory(spatial(layer));
  const out = sizeOf(first(layer.outputShape)) * FLOAT32;
  return { saved: out, transient: 2 * out };
}

function spatial(layer: MemoryLayer): [number, number] {
  const input = Array.isArray(layer.input) ? layer.input[0]! : layer.input;
  return [input.shape[1]!, input.shape[2]!];
}

/**
 * Estimates the peak heap of one training step of `model` at `options.batch` from the cost model: what each
 * layer keeps per image for the backward pass (the blocks report theirs, `BlockLayer.trainingMemory`), the
 * backward pass walking the layers from the last, so that when it reaches layer i it holds what layers 0..i
 * kept plus layer i's working set (for a recomputed block: its whole forward pass again), and the weights,
 * gradients and optimizer state beside. Calibrated on wasm,
 * where the heap is 4 GiB; the trainer calls it before a step so that a batch too large is refused with an
 * `OutOfMemoryError` instead of failing inside the wasm heap.
 */
export function estimateTrainingMemory(model: MemoryModel, options: TrainingMemoryOptions): TrainingMemoryEstimate {
  const { batch } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new OpsInputError(`estimateTrainingMemory: batch must be a positive integer, got ${batch}`);
  const slots = options.optimizerSlots ?? 2;
  const limitBytes = options.limitBytes ?? (tf.getBackend() === 'wasm' ? WASM_HEAP : Number.POSITIVE_INFINITY);
  const inputShape = model.inputs[0]!.shape;
  let kept = 0;
  let peak = 0;
  for (const layer of model.layers) {
    const m = layerMemory(layer);
    kept += m.saved;
    peak = Math.max(peak, kept + m.transient);
  }
  const perImageBytes = Math.ceil(peak * HEAP_PER_TENSOR_BYTE);
  const weights = model.countParams() * FLOAT32;
  const fixedBytes = weights * (2 + slots) + RUNTIME_BYTES;
  const peakBytes = fixedBytes + Math.max(batch * perImageBytes, weights * OPTIMIZER_WORKING);
  return {
    model: model.name,
    batch,
    inputSize: inputShape[1] ?? 0,
    perImageBytes,
    fixedBytes,
    peakBytes,
    limitBytes,
    fits: peakBytes <= limitBytes,
    maxBatch: Math.max(0, Math.floor((limitBytes - fixedBytes) / perImageBytes)),
    recomputed: model.layers.filter((l) => l.recompute).map((l) => l.name),
  };
}

/**
 * Makes a training step at `options.batch` fit: recomputation stays off where the step fits without it, and
 * is turned on block by block — those whose recomputation frees the most memory per MAC first (the early,
 * wide, high-resolution ones) — until it fits. Returns the estimate it settled on; throws `OutOfMemoryError`
 * when no choice fits (naming the largest batch the best one allows, and leaving that choice on).
 */
export function planTrainingMemory(model: MemoryModel, options: TrainingMemoryOptions): TrainingMemoryEstimate {
  const blocks = model.layers.filter((l) => l.recompute !== undefined && l.trainingMemory && l.cost);
  const savedPerMac = (b: MemoryLayer) => {
    const size = spatial(b);
    b.recompute = true;
    const recomputed = b.trainingMemory!(size).saved;
    b.recompute = false;
    return (b.trainingMemory!(size).saved - recomputed) / Math.max(b.cost!(size).macs, 1);
  };
  const order = blocks.map((b) => ({ b, gain: savedPerMac(b) })).sort((p, q) => q.gain - p.gain).map(({ b }) => b);
  // Recompute the first k blocks of that order, for the smallest k that fits.
  const withPrefix = (k: number) => {
    for (const [i, b] of order.entries()) b.recompute = i < k;
    return estimateTrainingMemory(model, options);
  };
  let best = withPrefix(0);
  let bestK = 0;
  for (let k = 0; k <= order.length; k++) {
    const estimate = withPrefix(k);
    if (estimate.fits) return estimate;
    if (estimate.maxBatch > best.maxBatch) [best, bestK] = [estimate, k];
  }
  withPrefix(bestK);
  throw new OutOfMemoryError(best);
}
