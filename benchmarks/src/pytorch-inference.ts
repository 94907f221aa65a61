import { runPythonJson, unavailable } from './python.js';
import { median, p90 } from './stats.js';

export interface PytorchInferenceRow {
  warmupMs: number;
  latency: { medianMs: number; p90Ms: number; runs: number };
  throughput: { batch: number; imagesPerSecond: number };
}

export interface PytorchInference {
  torch: string;
  threads: number;
  /** 'cpu', or the CUDA device's name. */
  device: string;
  /** Keyed by registry name; models with no PyTorch counterpart are absent. */
  models: Record<string, PytorchInferenceRow>;
}

/** PyTorch's latency and throughput on the same nets (on the CPU, or on CUDA), or why it could not run. */
export async function pytorchInference(
  models: string[],
  threads: number,
  runs: number,
  batch: number,
  device: 'cpu' | 'cuda' = 'cpu',
): Promise<PytorchInference | { unavailable: string }> {
  try {
    const raw = await runPythonJson<{
      torch: string;
      threads: number;
      device: string;
      models: Record<string, { warmupMs: number; latencyMs: number[]; batch: number; batchMs: number[] }>;
    }>('inference_latency.py', ['--models', models.join(','), '--threads', `${threads}`, '--runs', `${runs}`, '--batch', `${batch}`, '--device', device]);
    const rows = Object.fromEntries(
      Object.entries(raw.models).map(([name, m]) => [
        name,
        {
          warmupMs: m.warmupMs,
          latency: { medianMs: median(m.latencyMs), p90Ms: p90(m.latencyMs), runs: m.latencyMs.length },
          throughput: { batch: m.batch, imagesPerSecond: m.batch / (median(m.batchMs) / 1000) },
        },
      ]),
    );
    return { torch: raw.torch, threads: raw.threads, device: raw.device, models: rows };
  } catch (err) {
    return unavailable(err);
  }
}

export interface PytorchTraining {
  torch: string;
  threads: number;
  /** 'cpu', or the CUDA device's name. */
  device: string;
  /** Keyed by registry name. */
  models: Record<string, PytorchTrainingRow>;
}

export interface PytorchTrainingRow {
  batch: number;
  warmupMs: number;
  stepMs: number[];
  imagesPerSecond: number;
  /** Peak RSS after the steps minus RSS before them: what the step took (absent in older results). */
  rssGrowthBytes?: number;
}

/**
 * PyTorch's Adam training steps at 224×224 on the same nets (on the CPU, or on CUDA), one process per net so that
 * each one's RSS growth is its own; or why it could not run.
 */
export async function pytorchTraining(
  models: string[],
  threads: number,
  batch: number,
  steps: number,
  device: 'cpu' | 'cuda' = 'cpu',
): Promise<PytorchTraining | { unavailable: string }> {
  try {
    let result: PytorchTraining | undefined;
    for (const model of models) {
      const raw = await runPythonJson<Omit<PytorchTraining, 'models'> & { models: Record<string, Omit<PytorchTrainingRow, 'imagesPerSecond'>> }>(
        'train_step.py',
        ['--models', model, '--threads', `${threads}`, '--batch', `${batch}`, '--steps', `${steps}`, '--device', device],
      );
      result ??= { torch: raw.torch, threads: raw.threads, device: raw.device, models: {} };
      for (const [n, m] of Object.entries(raw.models)) result.models[n] = { ...m, imagesPerSecond: m.batch / (median(m.stepMs) / 1000) };
    }
    return result ?? { unavailable: 'no model to run' };
  } catch (err) {
    return unavailable(err);
  }
}
