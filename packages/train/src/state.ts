import type { Metrics, MetricSums } from './metrics.js';
import type { OptimizerConfig } from './optim/optimizer.js';
import type { Schedule } from './schedule.js';

/** One finished epoch. */
export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** The rate of the epoch's last step. */
  lr: number;
  train: Metrics;
  val?: Metrics;
  /** The EMA weights on the validation data. */
  emaVal?: Metrics;
  seconds: number;
  imagesPerSecond: number;
}

/** The flat metric names a checkpoint records and `monitor` picks from. */
export type MetricName = `${'train' | 'val' | 'ema_val'}_${'loss' | 'top1' | 'top5'}`;

export function flatMetrics(r: EpochRecord): Partial<Record<MetricName, number>> {
  const out: Partial<Record<MetricName, number>> = {};
  const put = (prefix: 'train' | 'val' | 'ema_val', m: Metrics | undefined) => {
    if (!m) return;
    out[`${prefix}_loss`] = m.loss;
    out[`${prefix}_top1`] = m.top1;
    if (m.top5 !== null) out[`${prefix}_top5`] = m.top5;
  };
  put('train', r.train);
  put('val', r.val);
  put('ema_val', r.emaVal);
  return out;
}

/**
 * Everything besides the weights that a resumed run needs to continue exactly where a run stopped
 * (`trainer.json` in a checkpoint). Optimizer slots and EMA weights are stored beside it as tensors.
 */
export interface TrainerState {
  formatVersion: 1;
  /** Epochs finished. */
  epoch: number;
  /** Batches of the next epoch already trained (a run stopped mid-epoch). */
  batchInEpoch: number;
  /** Optimizer steps so far (the schedule's position; dropout's seed). */
  step: number;
  /** The data loader's epoch counter of the current (or next) epoch: its shuffle and augmentation stream. */
  dataEpoch: number;
  seed: number;
  epochs: number;
  stepsPerEpoch: number;
  optimizer: { config: OptimizerConfig; step: number };
  schedule: Schedule;
  labelSmoothing: number;
  ema: { decay: number; warmup: boolean; updates: number } | null;
  /** Sums of the current epoch's batches so far. */
  partial: MetricSums;
  history: EpochRecord[];
  best: { metric: MetricName; value: number; epoch: number } | null;
}
