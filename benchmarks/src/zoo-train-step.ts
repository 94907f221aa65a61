import * as tf from '@tensorflow/tfjs-core';
import { initBackend, minimize, planTrainingMemory, type BackendInfo, type BackendName } from '@mobilenets/ops';
import { type BlockFamily, createModel } from '@mobilenets/zoo';
import { median } from './stats.js';

/**
 * How a step trains: `engine` with @mobilenets/ops' `minimize` (each gradient freed once used), its SIMD
 * kernels on wasm, and `planTrainingMemory` (block recomputation only where the batch would not fit);
 * `previous` as before that work: tfjs' `optimizer.minimize` with the kernels off (same model and ops otherwise).
 */
export type TrainPath = 'engine' | 'previous';
export const TRAIN_PATHS: readonly TrainPath[] = ['engine', 'previous'];

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
  /** Default `engine`. */
  path?: TrainPath;
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
  /** Peak RSS after the steps minus RSS before the first: what training took, as PyTorch's baseline measures it. */
  rssGrowthBytes?: number;
  /** The wasm heap after the steps (it never shrinks: the step's high-water mark), null on other backends. */
  heapBytes?: number | null;
  /** The engine's estimate of the step's peak, and the blocks it chose to recompute. */
  estimatedPeakBytes?: number;
  recomputed?: string[];
}

const KERNEL_FLAG = 'MOBILENETS_WASM_SIMD';

/** An Adam trainer of a zoo model (training-mode BatchNorm) on one synthetic batch. */
export async function zooTrainer(config: Omit<ZooTrainStepConfig, 'warmup' | 'steps'>) {
  const backendInfo = await initBackend(config.backend, config.threads === undefined ? {} : { threads: config.threads });
  const path = config.path ?? 'engine';
  tf.env().set(KERNEL_FLAG, path === 'engine');
  const model = createModel(config.model, {
    numClasses: 1000,
    ...(config.inputSize === undefined ? {} : { inputSize: config.inputSize }),
    ...(config.block ? { block: config.block } : {}),
  });
  const inputSize = model.inputs[0]!.shape[1]!;
  const memory = path === 'engine' ? planTrainingMemory(model, { batch: config.batch }) : undefined;
  const x = tf.randomNormal([config.batch, inputSize, inputSize, 3], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([config.batch], 0, 1000, 'int32', 2) as tf.Tensor1D, 1000));
  const optimizer = tf.train.adam(1e-3);
  const lossFn = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  return {
    backendInfo,
    path,
    inputSize,
    memory,
    async step(): Promise<void> {
      const loss = memory ? minimize(optimizer, lossFn, { memory }) : optimizer.minimize(lossFn, true)!;
      await loss.data();
      loss.dispose();
    },
    dispose(): void {
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** Times Adam steps of a zoo model, with their memory: tfjs' peak, the wasm heap, the RSS growth. */
export async function measureZooTrainStep(config: ZooTrainStepConfig, log: (line: string) => void): Promise<ZooTrainStepResult> {
  const trainer = await zooTrainer(config);
  const { backendInfo, path, inputSize, memory, step } = trainer;
  const rssBefore = process.memoryUsage().rss;
  const times: number[] = [];
  for (let i = 0; i < config.warmup + config.steps; i++) {
    const start = performance.now();
    await step();
    times.push(performance.now() - start);
    log(`  ${i < config.warmup ? 'warm-up' : 'step'} ${i + 1}: ${times.at(-1)!.toFixed(0)} ms`);
  }
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const heap = (tf.backend() as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.buffer.byteLength ?? null;
  // Profiling times every kernel on its own, so the peak comes from a step apart from the timed ones.
  const { peakBytes } = await tf.profile(step);
  trainer.dispose();
  const stepMs = times.slice(config.warmup);
  return {
    ...config,
    path,
    inputSize,
    backendInfo,
    warmupMs: times.slice(0, config.warmup),
    stepMs,
    imagesPerSecond: config.batch / (median(stepMs) / 1000),
    tfPeakBytes: peakBytes,
    peakRssBytes,
    rssGrowthBytes: Math.max(0, peakRssBytes - rssBefore),
    heapBytes: heap,
    ...(memory ? { estimatedPeakBytes: memory.peakBytes, recomputed: memory.recomputed } : {}),
  };
}
