import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { createModel, summarize } from '@mobilenets/zoo';
import { describe, expect, it } from 'vitest';
import { isMeasured, measureInference } from './inference.js';

describe('measureInference', () => {
  it('measures each variant in the order given, reports one that fails, and leaves no tensor behind', async () => {
    const config = { backend: 'wasm' as const, threads: 1, models: ['mobilenetv3_small_minimal_100', 'no_such_net', 'mobilenetv1_cifar'], runs: 3, batch: 2 };
    const lines: string[] = [];
    await initBackend('wasm', { threads: 1 });
    const before = tf.memory().numTensors;
    const result = await measureInference(config, (line) => lines.push(line));
    expect(tf.memory().numTensors).toBe(before);
    expect(result.rows.map((r) => r.model)).toEqual(config.models);
    const [small, missing, cifar] = result.rows;
    expect(isMeasured(missing!)).toBe(false);
    expect(missing).toMatchObject({ unavailable: expect.stringContaining("unknown model 'no_such_net'") });
    for (const [row, size] of [[small!, 224], [cifar!, 32]] as const) {
      if (!isMeasured(row)) throw new Error(`${row.model}: ${row.unavailable}`);
      const { totals } = summarize(createModel(row.model));
      expect([row.inputSize, row.params, row.macs]).toEqual([size, totals.trainableParams, totals.macs]);
      expect(row.latency.runs).toBe(3);
      expect(row.latency.p90Ms).toBeGreaterThanOrEqual(row.latency.medianMs);
      expect(row.throughput.batch).toBe(2);
      // The large-batch call holds at least its input and the model's weights.
      expect(row.tfPeakBytes).toBeGreaterThan(2 * size * size * 3 * 4 + 4 * totals.trainableParams);
    }
    expect(lines).toHaveLength(3);
  });
});
