import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from './stats.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../python/cifar_mobilenetv1_step.py', import.meta.url));
/** Debian's interpreter, where python3-torch installs; overridable for other set-ups. */
const PYTHON = process.env.MOBILENETS_PYTHON ?? '/usr/bin/python3';

export interface PytorchResult {
  torch: string;
  threads: number;
  params: number;
  batch: number;
  warmupMs: number[];
  stepMs: number[];
  medianMs: number;
  imagesPerSecond: number;
}

/** The PyTorch training-step baseline, or the reason it could not run (no Python or no torch). */
export async function pytorchTrainStep(
  batch: number,
  steps: number,
  threads: number,
): Promise<PytorchResult | { unavailable: string }> {
  try {
    const { stdout } = await run(PYTHON, [SCRIPT, '--batch', `${batch}`, '--steps', `${steps}`, '--threads', `${threads}`], {
      timeout: 600_000,
    });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<PytorchResult, 'batch' | 'medianMs' | 'imagesPerSecond'>;
    const medianMs = median(r.stepMs);
    return { ...r, batch, medianMs, imagesPerSecond: batch / (medianMs / 1000) };
  } catch (err) {
    const msg = String((err as { stderr?: string }).stderr || err).trim().split('\n').at(-1);
    return { unavailable: `${PYTHON} with torch: ${msg}` };
  }
}
