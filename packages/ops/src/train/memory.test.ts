import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OutOfMemoryError } from '../errors.js';
import { useBackend } from '../testing/backends.js';
import { estimateTrainingMemory, type MemoryLayer, type MemoryModel, planTrainingMemory } from './memory.js';
import { minimize } from './minimize.js';

const MB = 2 ** 20;

/** A block whose memory and MACs are given, per image. */
function block(name: string, saved: number, transient: number, macs: number): MemoryLayer {
  const layer: MemoryLayer = {
    name,
    input: { shape: [null, 8, 8, 4] },
    outputShape: [null, 8, 8, 4],
    recompute: false,
    trainingMemory: () => (layer.recompute ? { saved: MB, transient: saved + transient } : { saved, transient }),
    cost: () => ({ macs }),
  };
  return layer;
}

/** Input 8×8×4 (1 KiB per image), three blocks, a 10-float classifier; 1000 weights. */
function model(): MemoryModel {
  return {
    name: 'toy',
    inputs: [{ shape: [null, 8, 8, 4] }],
    layers: [
      { name: 'input', input: [], outputShape: [null, 8, 8, 4] },
      block('wide', 40 * MB, 5 * MB, 100),
      block('deep', 10 * MB, 5 * MB, 1000),
      block('last', 10 * MB, 5 * MB, 1000),
      { name: 'classifier', input: { shape: [null, 4] }, outputShape: [null, 10] },
    ],
    countParams: () => 1000,
  };
}

describe('estimateTrainingMemory', () => {
  beforeAll(() => useBackend('wasm'));

  it("walks back from the last layer: the peak is what layers 0..i keep plus layer i's working set, times the heap's overhead", () => {
    const e = estimateTrainingMemory(model(), { batch: 10 });
    // At 'last': the input, 60 MB kept by the blocks, 5 MB of working set (the largest such sum).
    const perImage = Math.ceil((1024 + 65 * MB) * 1.35);
    expect(e.perImageBytes).toBe(perImage);
    expect(e.fixedBytes).toBe(1000 * 4 * 4 + 64 * MB);
    expect(e.peakBytes).toBe(e.fixedBytes + 10 * perImage);
    expect(e.limitBytes).toBe(2 ** 32);
    expect(e.maxBatch).toBe(Math.floor((2 ** 32 - e.fixedBytes) / perImage));
    expect([e.model, e.batch, e.inputSize, e.fits, e.recomputed]).toEqual(['toy', 10, 8, true, []]);
  });

  it('planTrainingMemory recomputes nothing when the batch fits, then the most memory per MAC first, and names the largest batch that fits', () => {
    const m = model();
    const limitBytes = 3000 * MB;
    expect(planTrainingMemory(m, { batch: 30, limitBytes }).recomputed).toEqual([]);
    // 'wide' keeps 40 MB for 100 MACs: recomputed, the peak moves into its own backward pass (1 + 40 + 5 MB).
    expect(planTrainingMemory(m, { batch: 40, limitBytes }).recomputed).toEqual(['wide']);
    const err = (() => {
      try {
        planTrainingMemory(m, { batch: 400, limitBytes });
      } catch (e) {
        return e;
      }
    })() as OutOfMemoryError;
    expect(err).toBeInstanceOf(OutOfMemoryError);
    // Recomputing more than 'wide' lowers nothing further: the best choice is left on.
    const best = estimateTrainingMemory(m, { batch: 400, limitBytes });
    expect(best.recomputed).toEqual(['wide']);
    expect(best.maxBatch).toBe(Math.floor((limitBytes - best.fixedBytes) / Math.ceil((1024 + 46 * MB) * 1.35)));
    expect([err.model, err.batch, err.inputSize, err.estimatedBytes, err.limitBytes, err.maxBatch]).toEqual([
      'toy', 400, 8, best.peakBytes, limitBytes, best.maxBatch,
    ]);
    expect(err.message).toMatch(/^toy: a training step at batch 400 on 8×8 inputs needs about [\d.]+ GiB, more than the 2.93 GiB it can use; the largest batch that fits is \d+$/);
  });
});

describe('minimize and memory', () => {
  beforeAll(() => useBackend('cpu'));

  it('refuses a step whose estimate does not fit, turns an allocation failure into OutOfMemoryError, and the next step runs', async () => {
    const w = tf.variable(tf.ones([4]));
    const optimizer = tf.train.sgd(0.5);
    const before = tf.memory().numTensors;
    const memory = estimateTrainingMemory(model(), { batch: 10 });
    expect(() => minimize(optimizer, () => tf.sum(w), { memory: { ...memory, fits: false } })).toThrow(OutOfMemoryError);
    const failing = () => {
      tf.mul(w, 3); // an intermediate the failed step must not leave behind
      throw new RangeError('Array buffer allocation failed');
    };
    let error: unknown;
    try {
      minimize(optimizer, failing, { memory });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).cause).toBeInstanceOf(RangeError);
    expect(tf.memory().numTensors).toBe(before);
    const loss = minimize(optimizer, () => tf.sum(tf.square(w)), { memory });
    expect(Array.from(await w.data())).toEqual([0, 0, 0, 0]);
    loss.dispose();
    optimizer.dispose();
    w.dispose();
  });
});
