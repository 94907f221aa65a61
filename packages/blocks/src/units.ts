import * as tf from '@tensorflow/tfjs-core';
import type { Cost, Size2 } from '@mobilenets/ops';
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

export function addCosts(a: Cost, b: Cost): Cost {
  return { params: a.params + b.params, macs: a.macs + b.macs, outputSize: a.outputSize, activationBytes: a.activationBytes + b.activationBytes };
}
