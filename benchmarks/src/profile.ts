import * as tf from '@tensorflow/tfjs-core';
import { cifarTrainer, type TrainStepConfig } from './train-step.js';

export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
}

/**
 * Kernel times of one training step (after one untimed step), summed per kernel name, or per kernel name and
 * input shapes with `byShape`. Kernels run inside a custom gradient's forward are counted on their own too,
 * so `forward` overlaps the rest.
 */
export async function profileTrainStep(config: Omit<TrainStepConfig, 'warmup' | 'steps'>, byShape: boolean): Promise<KernelTime[]> {
  const trainer = await cifarTrainer(config);
  const step = async () => {
    await trainer.step();
  };
  await step();
  const info = await tf.profile(step);
  const times = new Map<string, KernelTime>();
  for (const k of info.kernels) {
    const key = byShape ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
    const t = times.get(key) ?? { kernel: key, calls: 0, ms: 0 };
    t.calls++;
    t.ms += Number(k.kernelTimeMs);
    times.set(key, t);
  }
  trainer.dispose();
  return [...times.values()].sort((a, b) => b.ms - a.ms);
}
