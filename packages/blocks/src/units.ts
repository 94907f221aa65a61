import * as tf from '@tensorflow/tfjs-core';
import type { Cost, Size2, TrainingMemory } from '@mobilenets/ops';
import type { AddWeight } from './weights.js';

/** Whether gradients are being recorded: the folded inference kernels have no gradient on wasm; a recomputed block needs the tape. */
export function isTapeOn(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

/**
 * How a unit computes: `inference` (running statistics), `training` (batch statistics, running ones updated),
 * or `recompute`: a training forward pass run again during the backward pass of a recomputed block (batch
 * statistics, nothing updated).
 */
export type Mode = 'inference' | 'training' | 'recompute';

/** A named piece of a block: a conv-norm-act or a squeeze-excite. */
export interface Unit {
  build(add: AddWeight): void;
  /** Frees what the unit keeps beside its weights (folded inference weights). */
  releaseFolded?(): void;
  apply(x: tf.Tensor4D, mode: Mode): tf.Tensor4D;
  cost(inputSize: Size2): Cost;
  /** Tensors the size of its output that training keeps for the backward pass (the output itself included). */
  readonly savedOutputs: number;
}

export type UnitChain = readonly (readonly [name: string, unit: Unit])[];

export function buildChain(chain: UnitChain, add: (unit: string) => AddWeight): void {
  for (const [name, unit] of chain) unit.build(add(name));
}

/** Each unit's output feeds only the next unit: it is freed then, not when the block's tidy ends. */
export function applyChain(chain: UnitChain, x: tf.Tensor4D, mode: Mode): tf.Tensor4D {
  return chain.reduce((h, [, unit]) => {
    const out = unit.apply(h, mode);
    if (h !== x) h.dispose();
    return out;
  }, x);
}

/** The sum of the units' costs, each at the size its predecessor outputs. */
export function chainCost(chain: UnitChain, inputSize: Size2): Cost {
  let size: Size2 = inputSize;
  const total: Cost = { params: 0, macs: 0, outputSize: typeof size === 'number' ? [size, size] : [size[0], size[1]], activationBytes: 0 };
  for (const [, unit] of chain) {
    const c = unit.cost(size);
    total.params += c.params;
    total.macs += c.macs;
    total.activationBytes += c.activationBytes;
    total.outputSize = c.outputSize;
    size = c.outputSize;
  }
  return total;
}

/**
 * A backward pass through one unit holds, besides what is kept, about this many tensors the size of the unit's
 * larger end: the gradient coming in, the one going out, and the convolution's temporaries (measured on
 * MobileNetV2; see estimateTrainingMemory in @mobilenets/ops).
 */
export const WORKING_TENSORS = 4;

/** Per image, in bytes: what the units keep for the backward pass, and the most a unit's backward pass holds on top. */
export function chainTrainingMemory(units: readonly Unit[], inputSize: Size2, inputBytes: number): TrainingMemory {
  let size = inputSize;
  let inBytes = inputBytes;
  let saved = 0;
  let transient = 0;
  for (const unit of units) {
    const c = unit.cost(size);
    saved += unit.savedOutputs * c.activationBytes;
    // The block's input gradient (a shortcut's) may wait beside the unit's working set.
    transient = Math.max(transient, WORKING_TENSORS * Math.max(inBytes, c.activationBytes) + inputBytes);
    size = c.outputSize;
    inBytes = c.activationBytes;
  }
  return { saved, transient };
}

export function addCosts(a: Cost, b: Cost): Cost {
  return { params: a.params + b.params, macs: a.macs + b.macs, outputSize: a.outputSize, activationBytes: a.activationBytes + b.activationBytes };
}
