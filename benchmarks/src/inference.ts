import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendInfo, type BackendName } from '@mobilenets/ops';
import { type BlockFamily, createModel, summarize } from '@mobilenets/zoo';
import { median, p90 } from './stats.js';

export interface InferenceConfig {
  backend: BackendName;
  threads?: number;
  /** Registry names; `name+sandglass` / `name+inverted_residual` rebuild the layout from that block family. */
  models: string[];
  /** Timed batch-1 runs after the warm-up one. */
  runs: number;
  /** Batch of the throughput measurement. */
  batch: number;
}

export interface InferenceRow {
  model: string;
  /** The variant's own input size (224, or 32 for the CIFAR net). */
  inputSize: number;
  params: number;
  macs: number;
  /** The first call (kernel setup, shader compilation). */
  warmupMs: number;
  latency: { medianMs: number; p90Ms: number; runs: number };
  throughput: { batch: number; imagesPerSecond: number };
  /** Most bytes tfjs held at once during a call at the large batch, and the process's peak resident set. */
  tfPeakBytes: number;
  peakRssBytes: number;
}

/** A variant that gave no figures on this backend (out of memory at the large batch, say), and why. */
export interface UnavailableRow {
  model: string;
  unavailable: string;
}

export const isMeasured = (row: InferenceRow | UnavailableRow): row is InferenceRow => !('unavailable' in row);

export interface InferenceResult {
  config: InferenceConfig;
  backendInfo: BackendInfo;
  rows: (InferenceRow | UnavailableRow)[];
}

function build(spec: string) {
  const [name, block] = spec.split('+') as [string, BlockFamily | undefined];
  return createModel(name, block ? { block } : {});
}

/** Latency at batch 1 (median, p90 after a warm-up call) and throughput at a larger batch, model by model. */
export async function measureInference(config: InferenceConfig, log: (line: string) => void): Promise<InferenceResult> {
  const backendInfo = await initBackend(config.backend, config.threads === undefined ? {} : { threads: config.threads });
  const rows: InferenceResult['rows'] = [];
  for (const spec of config.models) {
    try {
      rows.push(await measureModel(spec, config));
    } catch (err) {
      // One variant failing (a buffer over the device's limit at the large batch) must not cost the others.
      rows.push({ model: spec, unavailable: err instanceof Error ? err.message : String(err) });
    }
    const row = rows.at(-1)!;
    log('unavailable' in row
      ? `  ${spec}: unavailable (${row.unavailable})`
      : `  ${spec}: ${row.latency.medianMs.toFixed(1)} ms (p90 ${row.latency.p90Ms.toFixed(1)}), ${row.throughput.imagesPerSecond.toFixed(1)} img/s at batch ${config.batch}`);
  }
  return { config, backendInfo, rows };
}

async function measureModel(spec: string, config: InferenceConfig): Promise<InferenceRow> {
  const model = build(spec);
  const inputs: tf.Tensor[] = [];
  try {
    const { totals } = summarize(model);
    const size = model.inputs[0]!.shape[1]!;
    let rssPeak = 0;
    const run = async (x: tf.Tensor) => {
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    };
    const time = async (x: tf.Tensor) => {
      const start = performance.now();
      await run(x);
      const ms = performance.now() - start;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      return ms;
    };
    const one = tf.randomNormal([1, size, size, 3]);
    inputs.push(one);
    const warmupMs = await time(one);
    const latencies: number[] = [];
    for (let i = 0; i < config.runs; i++) latencies.push(await time(one));
    const many = tf.randomNormal([config.batch, size, size, 3]);
    inputs.push(many);
    await time(many);
    const batchMs: number[] = [];
    for (let i = 0; i < 3; i++) batchMs.push(await time(many));
    // Profiling times every kernel on its own, so the peak comes from a call apart from the timed ones.
    const { peakBytes } = await tf.profile(() => run(many));
    return {
      model: spec,
      inputSize: size,
      params: totals.trainableParams,
      macs: totals.macs,
      warmupMs,
      latency: { medianMs: median(latencies), p90Ms: p90(latencies), runs: config.runs },
      throughput: { batch: config.batch, imagesPerSecond: config.batch / (median(batchMs) / 1000) },
      tfPeakBytes: peakBytes,
      peakRssBytes: rssPeak,
    };
  } finally {
    tf.dispose(inputs);
    model.dispose();
  }
}
