import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { OUR_CONVOLUTIONS, STOCK_CONVOLUTIONS, cifarV1Logits, createCifarV1, cifarV1Variables } from './cifar-mobilenetv1.js';
import type { TrainStepConfig } from './train-step.js';

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
  await initBackend(config.backend, config.threads === undefined ? {} : { threads: config.threads });
  const net = createCifarV1();
  const convs = config.convolutions === 'ours' ? OUR_CONVOLUTIONS : STOCK_CONVOLUTIONS;
  const x = tf.randomNormal([config.batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([config.batch], 0, 10, 'int32', 2) as tf.Tensor1D, 10));
  const optimizer = tf.train.adam(1e-3);
  const step = async () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, cifarV1Logits(net, convs, x)) as tf.Scalar, true)!;
    await loss.data();
    loss.dispose();
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
  tf.dispose([x, y, ...cifarV1Variables(net)]);
  optimizer.dispose();
  return [...times.values()].sort((a, b) => b.ms - a.ms);
}
