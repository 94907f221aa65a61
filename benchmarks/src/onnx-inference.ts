import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PytorchInferenceRow } from './pytorch-inference.js';
import { runPythonJson, unavailable } from './python.js';
import { median, p90 } from './stats.js';

/** Exported once per machine: the nets do not change between runs. */
export const ONNX_CACHE = join(tmpdir(), 'mobilenets-onnx-v1');

export interface OnnxInference {
  onnxruntime: string;
  threads: number;
  models: Record<string, PytorchInferenceRow>;
}

/**
 * The members of onnxruntime-node used here, declared locally: the package is optional (`npm ci` drops it unless
 * its install script ran), and the typecheck must pass without it.
 */
interface OrtTensor {
  readonly dims: readonly number[];
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<unknown>;
  release(): Promise<void>;
}
interface Ort {
  env: { versions: { common?: string } };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: { create(path: string, options: { intraOpNumThreads: number; interOpNumThreads: number }): Promise<OrtSession> };
}

/** onnxruntime-node, or why it is not there. */
async function loadOrt(): Promise<Ort | { unavailable: string }> {
  const name = 'onnxruntime-node'; // a plain string: neither tsc nor the bundler resolves the optional package
  try {
    return (await import(name)) as Ort;
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    return {
      unavailable: missing
        ? 'onnxruntime-node is not installed (an optional dependency: `npm install onnxruntime-node`, or `bash scripts/setup.sh`)'
        : `onnxruntime-node could not be loaded (${String(err).split('\n')[0]})`,
    };
  }
}

/**
 * onnxruntime-node on the CPU, the same nets exported from PyTorch to ONNX: batch-1 latency and throughput.
 * Unavailable without onnxruntime-node (an optional dependency) or without Python and torch to export.
 */
export async function onnxInference(models: string[], threads: number, runs: number, batch: number): Promise<OnnxInference | { unavailable: string }> {
  const ort = await loadOrt();
  if ('unavailable' in ort) return ort;
  let exported: string[];
  try {
    exported = await runPythonJson<string[]>('export_onnx.py', ['--models', models.join(','), '--out', ONNX_CACHE]);
  } catch (err) {
    return { unavailable: `exporting to ONNX failed: ${unavailable(err).unavailable}` };
  }
  const rows: Record<string, PytorchInferenceRow> = {};
  for (const name of exported) {
    const session = await ort.InferenceSession.create(join(ONNX_CACHE, `${name}.onnx`), { intraOpNumThreads: threads, interOpNumThreads: 1 });
    const input = (n: number) => new ort.Tensor('float32', Float32Array.from({ length: n * 3 * 224 * 224 }, (_, i) => Math.sin(i)), [n, 3, 224, 224]);
    const time = async (x: OrtTensor) => {
      const start = performance.now();
      await session.run({ x });
      return performance.now() - start;
    };
    const one = input(1);
    const warmupMs = await time(one);
    const latencies: number[] = [];
    for (let i = 0; i < runs; i++) latencies.push(await time(one));
    const many = input(batch);
    await time(many);
    const batchMs: number[] = [];
    for (let i = 0; i < 3; i++) batchMs.push(await time(many));
    await session.release();
    rows[name] = {
      warmupMs,
      latency: { medianMs: median(latencies), p90Ms: p90(latencies), runs },
      throughput: { batch, imagesPerSecond: batch / (median(batchMs) / 1000) },
    };
  }
  return { onnxruntime: ort.env.versions.common ?? 'unknown', threads, models: rows };
}
