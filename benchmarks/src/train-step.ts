import * as tf from '@tensorflow/tfjs-core';
import { initBackend, minimize, type BackendInfo, type BackendName } from '@mobilenets/ops';
import {
  OUR_CONVOLUTIONS,
  STOCK_CONVOLUTIONS,
  cifarV1Logits,
  cifarV1Variables,
  createCifarV1,
} from './cifar-mobilenetv1.js';
import { median, p90 } from './stats.js';
import type { TrainPath } from './zoo-train-step.js';

export interface TrainStepConfig {
  backend: BackendName;
  threads?: number;
  /** `ours`: @mobilenets/ops convolutions; `stock`: tfjs' built-in convolutions and gradients. */
  convolutions: 'ours' | 'stock';
  /** With our convolutions: `engine` (default) or `previous` (see TrainPath). Stock convolutions train through tfjs. */
  path?: TrainPath;
  batch: number;
  warmup: number;
  steps: number;
}

export interface TrainStepResult extends TrainStepConfig {
  backendInfo: BackendInfo;
  params: number;
  warmupMs: number[];
  stepMs: number[];
  medianMs: number;
  p90Ms: number;
  imagesPerSecond: number;
  /** tf.memory().numTensors was the same after every timed step; null with fewer than two timed steps. */
  noLeak: boolean | null;
  peakRssBytes: number;
  tfBytes: number;
}

/** An Adam trainer of the seed-000 CIFAR MobileNetV1 on one fixed synthetic batch: `step()` returns the loss. */
export async function cifarTrainer(config: Omit<TrainStepConfig, 'warmup' | 'steps'>) {
  const backendInfo = await initBackend(config.backend, config.threads === undefined ? {} : { threads: config.threads });
  const net = createCifarV1();
  const variables = cifarV1Variables(net);
  const convs = config.convolutions === 'ours' ? OUR_CONVOLUTIONS : STOCK_CONVOLUTIONS;
  const engine = config.convolutions === 'ours' && (config.path ?? 'engine') === 'engine';
  tf.env().set('MOBILENETS_WASM_SIMD', engine);
  const x = tf.randomNormal([config.batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([config.batch], 0, 10, 'int32', 2) as tf.Tensor1D, 10));
  const optimizer = tf.train.adam(1e-3);
  return {
    backendInfo,
    params: variables.reduce((n, v) => n + v.size, 0),
    async step(): Promise<number> {
      const lossFn = () => tf.losses.softmaxCrossEntropy(y, cifarV1Logits(net, convs, x)) as tf.Scalar;
      const loss = engine ? minimize(optimizer, lossFn) : optimizer.minimize(lossFn, true)!;
      const value = (await loss.data())[0]!;
      loss.dispose();
      return value;
    },
    dispose(): void {
      tf.dispose([x, y, ...variables]);
      optimizer.dispose();
    },
  };
}

/** Times Adam training steps of the seed-000 CIFAR MobileNetV1 on synthetic data. */
export async function measureTrainStep(config: TrainStepConfig, log: (line: string) => void): Promise<TrainStepResult> {
  const trainer = await cifarTrainer(config);
  const times: number[] = [];
  const counts: number[] = [];
  let peakRss = process.memoryUsage().rss;
  for (let i = 0; i < config.warmup + config.steps; i++) {
    const start = performance.now();
    const value = await trainer.step();
    times.push(performance.now() - start);
    counts.push(tf.memory().numTensors);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const phase = i < config.warmup ? 'warm-up' : 'step';
    log(`  ${phase} ${i + 1}/${config.warmup + config.steps}: ${times.at(-1)!.toFixed(0)} ms, loss ${value.toFixed(3)}`);
  }
  const stepMs = times.slice(config.warmup);
  const result: TrainStepResult = {
    ...config,
    ...(config.convolutions === 'ours' ? { path: config.path ?? 'engine' } : {}),
    backendInfo: trainer.backendInfo,
    params: trainer.params,
    warmupMs: times.slice(0, config.warmup),
    stepMs,
    medianMs: median(stepMs),
    p90Ms: p90(stepMs),
    imagesPerSecond: config.batch / (median(stepMs) / 1000),
    noLeak: stepMs.length < 2 ? null : new Set(counts.slice(config.warmup)).size === 1,
    peakRssBytes: peakRss,
    tfBytes: tf.memory().numBytes,
  };
  trainer.dispose();
  return result;
}
