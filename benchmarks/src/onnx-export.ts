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
   * size, and torchvision's own ONNX export of the same net when there is one — both timed round-robin in one
   * process, so the pair's ratio holds on a shared machine.
   */
  models: Record<string, { ours: PytorchInferenceRow; bytes: number; torchvision?: PytorchInferenceRow }>;
}

type Session = Awaited<ReturnType<OnnxRuntime['InferenceSession']['create']>>;

interface Subject {
  model: string;
  which: 'ours' | 'torchvision';
  session: Session;
  input: string;
  size: number;
  warmupMs: number;
  latencies: number[];
  batchMs: number[];
}

/** Batch-1 latency and throughput of our ONNX export of each variant (and of torchvision's, where the bench exported one) on onnxruntime-node. */
export async function measureOnnxExport(config: OnnxExportConfig, log: (line: string) => void): Promise<OnnxExportInference> {
  await initBackend('cpu'); // tfjs only builds the models and hands their weights to the exporter
  const ort = await loadOnnxRuntime();
  const options = { intraOpNumThreads: config.threads, interOpNumThreads: 1 };
  const subjects: Subject[] = [];
  const bytes: Record<string, number> = {};
  for (const name of config.models) {
    const model = createModel(name);
    const size = model.inputs[0]!.shape[1]!;
    const onnx = await exportOnnx(model);
    model.dispose();
    bytes[name] = onnx.length;
    const subject = (which: Subject['which'], session: Session, input: string) => ({ model: name, which, session, input, size, warmupMs: 0, latencies: [], batchMs: [] });
    subjects.push(subject('ours', await ort.InferenceSession.create(onnx, options), 'input'));
    const theirs = join(ONNX_CACHE, `${name}.onnx`);
    if (existsSync(theirs)) subjects.push(subject('torchvision', await ort.InferenceSession.create(theirs, options), 'x'));
  }
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
  for (const s of subjects) s.warmupMs = await time(s, 1);
  for (let i = 0; i < config.runs; i++) for (const s of subjects) s.latencies.push(await time(s, 1));
  for (const s of subjects) await time(s, config.batch);
  for (let i = 0; i < 3; i++) for (const s of subjects) s.batchMs.push(await time(s, config.batch));
  await Promise.all(subjects.map((s) => s.session.release()));

  const row = (s: Subject): PytorchInferenceRow => ({
    warmupMs: s.warmupMs,
    latency: { medianMs: median(s.latencies), p90Ms: p90(s.latencies), runs: s.latencies.length },
    throughput: { batch: config.batch, imagesPerSecond: config.batch / (median(s.batchMs) / 1000) },
  });
  const models: OnnxExportInference['models'] = {};
  for (const s of subjects) {
    if (s.which === 'ours') models[s.model] = { ours: row(s), bytes: bytes[s.model]! };
    else models[s.model]!.torchvision = row(s);
  }
  for (const [name, m] of Object.entries(models)) {
    const vs = m.torchvision ? `; torchvision's export ${m.torchvision.latency.medianMs.toFixed(1)} ms, ${m.torchvision.throughput.imagesPerSecond.toFixed(1)} img/s` : '';
    log(`  ${name}: our export ${m.ours.latency.medianMs.toFixed(1)} ms, ${m.ours.throughput.imagesPerSecond.toFixed(1)} img/s at batch ${config.batch}${vs}`);
  }
  return { onnxruntime: ort.env.versions.common ?? 'unknown', threads: config.threads, models };
}
