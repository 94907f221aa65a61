import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median, p90 } from './stats.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../python/inference_latency.py', import.meta.url));
const PYTHON = process.env.MOBILENETS_PYTHON ?? '/usr/bin/python3';

export interface PytorchInferenceRow {
  warmupMs: number;
  latency: { medianMs: number; p90Ms: number; runs: number };
  throughput: { batch: number; imagesPerSecond: number };
}

export interface PytorchInference {
  torch: string;
  threads: number;
  /** Keyed by registry name; models with no PyTorch counterpart are absent. */
  models: Record<string, PytorchInferenceRow>;
}

/** PyTorch's CPU latency and throughput on the same nets, or why it could not run. */
export async function pytorchInference(models: string[], threads: number, runs: number, batch: number): Promise<PytorchInference | { unavailable: string }> {
  try {
    const args = [SCRIPT, '--models', models.join(','), '--threads', `${threads}`, '--runs', `${runs}`, '--batch', `${batch}`];
    const { stdout } = await run(PYTHON, args, { timeout: 900_000, maxBuffer: 1 << 24 });
    const raw = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      torch: string;
      threads: number;
      models: Record<string, { warmupMs: number; latencyMs: number[]; batch: number; batchMs: number[] }>;
    };
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
    return { torch: raw.torch, threads: raw.threads, models: rows };
  } catch (err) {
    const msg = String((err as { stderr?: string }).stderr || err).trim().split('\n').at(-1);
    return { unavailable: `${PYTHON} with torch: ${msg}` };
  }
}

export interface PytorchTraining {
  torch: string;
  threads: number;
  /** Keyed by registry name. */
  models: Record<string, { batch: number; warmupMs: number; stepMs: number[]; imagesPerSecond: number }>;
}

/** PyTorch's Adam training steps at 224×224 on the same nets, or why it could not run. */
export async function pytorchTraining(models: string[], threads: number, batch: number, steps: number): Promise<PytorchTraining | { unavailable: string }> {
  try {
    const script = fileURLToPath(new URL('../python/train_step.py', import.meta.url));
    const args = [script, '--models', models.join(','), '--threads', `${threads}`, '--batch', `${batch}`, '--steps', `${steps}`];
    const { stdout } = await run(PYTHON, args, { timeout: 900_000, maxBuffer: 1 << 24 });
    const raw = JSON.parse(stdout.trim().split('\n').at(-1)!) as { torch: string; threads: number; models: Record<string, { batch: number; warmupMs: number; stepMs: number[] }> };
    const rows = Object.fromEntries(Object.entries(raw.models).map(([n, m]) => [n, { ...m, imagesPerSecond: m.batch / (median(m.stepMs) / 1000) }]));
    return { torch: raw.torch, threads: raw.threads, models: rows };
  } catch (err) {
    const msg = String((err as { stderr?: string }).stderr || err).trim().split('\n').at(-1);
    return { unavailable: `${PYTHON} with torch: ${msg}` };
  }
}
