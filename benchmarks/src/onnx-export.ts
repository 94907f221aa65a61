import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exportOnnx, loadOnnxRuntime, type OnnxRuntime } from '@mobilenets/infer';
import { initBackend } from '@mobilenets/ops';
import { createModel } from '@mobilenets/zoo';
import { ONNX_CACHE } from './onnx-inference.js';
import type { PytorchInferenceRow } from './pytorch-inference.js';
import { median, p90 } from './stats.js';

export interface OnnxExportConfig {
  models: string[];
  threads: number;
  /** Timed batch-1 runs after the warm-up one. */
  runs: number;
  batch: number;
}

export interface OnnxExportInference {
  onnxruntime: string;
  threads: number;
  /**
   * Per variant: our export (`@mobilenets/infer`'s exportOnnx, BatchNorm folded) on onnxruntime-node, its file
   * size, and torchvision's own ONNX export of the same net when there is one — the two timed round-robin in one
   * process, so the pair's ratio holds on a shared machine.
   */
  models: Record<string, { ours: PytorchInferenceRow; bytes: number; torchvision?: PytorchInferenceRow }>;
}

type Session = Awaited<ReturnType<OnnxRuntime['InferenceSession']['create']>>;

interface Subject {
  session: Session;
  input: string;
  size: number;
  warmupMs: number;
  latencies: number[];
  batchMs: number[];
}

/**
 * onnxruntime's intra-op threads spin after each run: a second session's threads then find the cores busy. The
 * pair is timed with spinning off, one variant's sessions alive at a time: with every variant's sessions open
 * and spinning, batch-1 latencies came out several times those of a session timed alone.
 */
const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' } } };

/** Batch-1 latency and throughput of our ONNX export of each variant (and of torchvision's, where the bench exported one) on onnxruntime-node. */
export async function measureOnnxExport(config: OnnxExportConfig, log: (line: string) => void): Promise<OnnxExportInference> {
  await initBackend('cpu'); // tfjs only builds the models and hands their weights to the exporter
  const ort = await loadOnnxRuntime();
  const options = { intraOpNumThreads: config.threads, interOpNumThreads: 1, extra: NO_SPINNING };
  const inputs = new Map<string, InstanceType<OnnxRuntime['Tensor']>>();
  const input = (n: number, size: number) => {
    const key = `${n}x${size}`;
    if (!inputs.has(key)) inputs.set(key, new ort.Tensor('float32', Float32Array.from({ length: n * 3 * size * size }, (_, i) => Math.sin(i)), [n, 3, size, size]));
    return inputs.get(key)!;
  };
  const time = async (s: Subject, n: number) => {
    const start = performance.now();
    await s.session.run({ [s.input]: input(n, s.size) });
    return performance.now() - start;
  };
  const row = (s: Subject): PytorchInferenceRow => ({
    warmupMs: s.warmupMs,
    latency: { medianMs: median(s.latencies), p90Ms: p90(s.latencies), runs: s.latencies.length },
    throughput: { batch: config.batch, imagesPerSecond: config.batch / (median(s.batchMs) / 1000) },
  });

  const models: OnnxExportInference['models'] = {};
  for (const name of config.models) {
    const model = createModel(name);
    const size = model.inputs[0]!.shape[1]!;
    const onnx = await exportOnnx(model);
    model.dispose();
    const subject = (session: Session, input: string): Subject => ({ session, input, size, warmupMs: 0, latencies: [], batchMs: [] });
    const ours = subject(await ort.InferenceSession.create(onnx, options), 'input');
    const theirsFile = join(ONNX_CACHE, `${name}.onnx`);
    const theirs = existsSync(theirsFile) ? subject(await ort.InferenceSession.create(theirsFile, options), 'x') : undefined;
    const pair = theirs ? [ours, theirs] : [ours];
    for (const s of pair) s.warmupMs = await time(s, 1);
    for (let i = 0; i < config.runs; i++) for (const s of pair) s.latencies.push(await time(s, 1));
    for (const s of pair) await time(s, config.batch);
    for (let i = 0; i < 3; i++) for (const s of pair) s.batchMs.push(await time(s, config.batch));
    await Promise.all(pair.map((s) => s.session.release()));
    const m = { ours: row(ours), bytes: onnx.length, ...(theirs ? { torchvision: row(theirs) } : {}) };
    models[name] = m;
    const vs = m.torchvision ? `; torchvision's export ${m.torchvision.latency.medianMs.toFixed(1)} ms, ${m.torchvision.throughput.imagesPerSecond.toFixed(1)} img/s` : '';
    log(`  ${name}: our export ${m.ours.latency.medianMs.toFixed(1)} ms, ${m.ours.throughput.imagesPerSecond.toFixed(1)} img/s at batch ${config.batch}${vs}`);
  }
  return { onnxruntime: ort.env.versions.common ?? 'unknown', threads: config.threads, models };
}
