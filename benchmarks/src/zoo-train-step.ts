import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendInfo, type BackendName } from '@mobilenets/ops';
import { type BlockFamily, createModel } from '@mobilenets/zoo';
import { median } from './stats.js';

export interface ZooTrainStepConfig {
  backend: BackendName;
  threads?: number;
  model: string;
  /** Rebuild the layout from another block family. */
  block?: BlockFamily;
  /** Default: the variant's own (224, or 32 for the CIFAR net). */
  inputSize?: number;
  batch: number;
  warmup: number;
  steps: number;
}

export interface ZooTrainStepResult extends ZooTrainStepConfig {
  inputSize: number;
  backendInfo: BackendInfo;
  warmupMs: number[];
  stepMs: number[];
  imagesPerSecond: number;
  /** Most bytes tfjs held at once during a step (from one more, profiled step), and the process's peak RSS. */
  tfPeakBytes: number;
  peakRssBytes: number;
}

/** Adam steps of a zoo model (training-mode BatchNorm) on synthetic data. */
export async function measureZooTrainStep(config: ZooTrainStepConfig, log: (line: string) => void): Promise<ZooTrainStepResult> {
  const backendInfo = await initBackend(config.backend, config.threads === undefined ? {} : { threads: config.threads });
  const model = createModel(config.model, {
    numClasses: 1000,
    ...(config.inputSize === undefined ? {} : { inputSize: config.inputSize }),
    ...(config.block ? { block: config.block } : {}),
  });
  const inputSize = model.inputs[0]!.shape[1]!;
  const x = tf.randomNormal([config.batch, inputSize, inputSize, 3], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([config.batch], 0, 1000, 'int32', 2) as tf.Tensor1D, 1000));
  const optimizer = tf.train.adam(1e-3);
  const step = async () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    await loss.data();
    loss.dispose();
  };
  const times: number[] = [];
  for (let i = 0; i < config.warmup + config.steps; i++) {
    const start = performance.now();
    await step();
    times.push(performance.now() - start);
    log(`  ${i < config.warmup ? 'warm-up' : 'step'} ${i + 1}: ${times.at(-1)!.toFixed(0)} ms`);
  }
  // Profiling times every kernel on its own, so the peak comes from a step apart from the timed ones.
  const { peakBytes } = await tf.profile(step);
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  const stepMs = times.slice(config.warmup);
  return {
    ...config,
    inputSize,
    backendInfo,
    warmupMs: times.slice(0, config.warmup),
    stepMs,
    imagesPerSecond: config.batch / (median(stepMs) / 1000),
    tfPeakBytes: peakBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
