import * as tf from '@tensorflow/tfjs-core';
import { cifarTrainer, type TrainStepConfig } from './train-step.js';
import { type ZooTrainStepConfig, zooTrainer } from './zoo-train-step.js';

export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
}

/**
 * Kernel times of one training step (after one untimed step) of the CIFAR net or a zoo model, summed per kernel
 * name, or per kernel name and input shapes with `byShape`. Kernels run inside a custom op's forward pass are
 * counted on their own too, so its row (`unnamed scope`) overlaps the rest.
 */
export async function profileTrainStep(
  config: Omit<TrainStepConfig, 'warmup' | 'steps'> | Omit<ZooTrainStepConfig, 'warmup' | 'steps'>,
  byShape: boolean,
): Promise<KernelTime[]> {
  const trainer = 'model' in config ? await zooTrainer(config) : await cifarTrainer(config);
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
