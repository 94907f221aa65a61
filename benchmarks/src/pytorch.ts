import { runPythonJson, unavailable } from './python.js';
import { median } from './stats.js';

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
    const r = await runPythonJson<Omit<PytorchResult, 'batch' | 'medianMs' | 'imagesPerSecond'>>('cifar_mobilenetv1_step.py', [
      '--batch', `${batch}`, '--steps', `${steps}`, '--threads', `${threads}`,
    ]);
    const medianMs = median(r.stepMs);
    return { ...r, batch, medianMs, imagesPerSecond: batch / (medianMs / 1000) };
  } catch (err) {
    return unavailable(err);
  }
}
