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
  /**
   * Most tensor bytes a call at the large batch needs (the variant's own tensors, its input, what the call adds),
   * and the process's resident set after it (every variant of the run is resident by then).
   */
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

/** One variant under measurement; `error` takes it out of the remaining rounds. */
interface Subject {
  spec: string;
  /** Absent when building the variant failed. */
  model?: ReturnType<typeof createModel>;
  inputSize: number;
  params: number;
  macs: number;
  warmupMs: number;
  latencies: number[];
  batchMs: number[];
  /** Tensor bytes the variant holds itself: weights, and the folded inference weights its first call caches. */
  ownBytes: number;
  tfPeakBytes: number;
  peakRssBytes: number;
  error?: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Latency at batch 1 (median, p90 after a warm-up call) and throughput at a larger batch. The timed calls go
 * round the variants in turn, so a slow spell of a shared machine falls on all of them alike and their ratios
 * hold; a variant that fails (a buffer over the device's limit, say) is reported as such and the others go on.
 */
export async function measureInference(config: InferenceConfig, log: (line: string) => void): Promise<InferenceResult> {
  const backendInfo = await initBackend(config.backend, config.threads === undefined ? {} : { threads: config.threads });
  const inputs = new Map<string, tf.Tensor>();
  let inputBytes = 0;
  const input = (batch: number, size: number) => {
    const key = `${batch}x${size}`;
    if (!inputs.has(key)) {
      inputs.set(key, tf.randomNormal([batch, size, size, 3]));
      inputBytes += batch * size * size * 3 * 4;
    }
    return inputs.get(key)!;
  };
  const heldBytes = () => tf.memory().numBytes - inputBytes;
  const subjects: Subject[] = [];
  const timed = async (s: Subject, batch: number): Promise<number> => {
    const start = performance.now();
    const y = s.model!.predict(input(batch, s.inputSize)) as tf.Tensor;
    await y.data();
    y.dispose();
    return performance.now() - start;
  };
  /** Runs `f` for every variant still in, in turn; a failure takes the variant out with its reason. */
  const round = async (f: (s: Subject) => Promise<void>) => {
    for (const s of subjects.filter((x) => x.error === undefined)) await f(s).catch((err: unknown) => (s.error = message(err)));
  };
  try {
    for (const spec of config.models) {
      const s: Subject = { spec, inputSize: 0, params: 0, macs: 0, warmupMs: 0, latencies: [], batchMs: [], ownBytes: 0, tfPeakBytes: 0, peakRssBytes: 0 };
      subjects.push(s);
      const before = heldBytes();
      try {
        const model = build(spec);
        s.model = model;
        const { totals } = summarize(model);
        s.inputSize = model.inputs[0]!.shape[1]!;
        s.params = totals.trainableParams;
        s.macs = totals.macs;
        s.warmupMs = await timed(s, 1);
        s.ownBytes = heldBytes() - before;
      } catch (err) {
        s.error = message(err);
      }
    }
    for (let i = 0; i < config.runs; i++) await round(async (s) => void s.latencies.push(await timed(s, 1)));
    await round(async (s) => void (await timed(s, config.batch))); // the large batch's own warm-up
    for (let i = 0; i < 3; i++) await round(async (s) => void s.batchMs.push(await timed(s, config.batch)));
    // Profiling times every kernel on its own, so the peak comes from a call apart from the timed ones. Every
    // variant is resident: the peak is counted as if this one were alone (its own tensors, its input, the call's).
    await round(async (s) => {
      const base = tf.memory().numBytes;
      const { peakBytes } = await tf.profile(() => timed(s, config.batch));
      s.tfPeakBytes = s.ownBytes + config.batch * s.inputSize ** 2 * 3 * 4 + (peakBytes - base);
      s.peakRssBytes = process.memoryUsage().rss;
    });
  } finally {
    tf.dispose([...inputs.values()]);
    for (const s of subjects) s.model?.dispose();
  }
  const rows = subjects.map((s): InferenceRow | UnavailableRow => {
    if (s.error !== undefined) return { model: s.spec, unavailable: s.error };
    return {
      model: s.spec,
      inputSize: s.inputSize,
      params: s.params,
      macs: s.macs,
      warmupMs: s.warmupMs,
      latency: { medianMs: median(s.latencies), p90Ms: p90(s.latencies), runs: s.latencies.length },
      throughput: { batch: config.batch, imagesPerSecond: config.batch / (median(s.batchMs) / 1000) },
      tfPeakBytes: s.tfPeakBytes,
      peakRssBytes: s.peakRssBytes,
    };
  });
  for (const row of rows) {
    log(isMeasured(row)
      ? `  ${row.model}: ${row.latency.medianMs.toFixed(1)} ms (p90 ${row.latency.p90Ms.toFixed(1)}), ${row.throughput.imagesPerSecond.toFixed(1)} img/s at batch ${config.batch}`
      : `  ${row.model}: unavailable (${row.unavailable})`);
  }
  return { config, backendInfo, rows };
}
