import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { TrainConfigError } from './errors.js';

export interface EmaOptions {
  /** ema ← d · ema + (1 − d) · w after every step. */
  decay: number;
  /**
   * TF's `num_updates` warm-up (tf.train.ExponentialMovingAverage): d_n = min(decay, (1 + n) / (10 + n)), so
   * early averages are not stuck at the initial weights. Default true.
   */
  warmup?: boolean;
}

/**
 * An exponential moving average of every weight of a model (trainable ones and BatchNorm's running
 * statistics, as timm's ModelEma), kept beside the raw weights, named by the zoo's weight names.
 */
export class Ema {
  readonly decay: number;
  readonly warmup: boolean;
  /** Updates so far. */
  updates = 0;
  private readonly shadow = new Map<string, tf.Variable>();

  constructor(
    private readonly model: tfl.LayersModel,
    options: EmaOptions,
  ) {
    if (!(options.decay > 0 && options.decay < 1)) throw new TrainConfigError('ema.decay', `must be in (0, 1), got ${options.decay}`);
    this.decay = options.decay;
    this.warmup = options.warmup ?? true;
    for (const w of model.weights) this.shadow.set(w.originalName, tf.tidy(() => tf.variable(w.read().clone(), false)));
  }

  /** The decay the next update uses. */
  get currentDecay(): number {
    return this.warmup ? Math.min(this.decay, (1 + this.updates) / (10 + this.updates)) : this.decay;
  }

  update(): void {
    const d = this.currentDecay;
    tf.tidy(() => {
      for (const w of this.model.weights) {
        const s = this.shadow.get(w.originalName)!;
        s.assign(tf.add(tf.mul(s, d), tf.mul(w.read(), 1 - d)));
      }
    });
    this.updates++;
  }

  /** The averaged weights by name (the EMA's own tensors). */
  get weights(): ReadonlyMap<string, tf.Tensor> {
    return this.shadow;
  }

  /** Restores averages from a checkpoint (values are copied). */
  load(values: ReadonlyMap<string, tf.Tensor>, updates: number): void {
    for (const [name, s] of this.shadow) {
      const v = values.get(name);
      if (!v) throw new TrainConfigError('ema', `the checkpoint has no average of ${name}`);
      s.assign(v);
    }
    this.updates = updates;
  }

  /** Runs `fn` with the averages written into the model, then puts the raw weights back. */
  async withAveraged<T>(fn: () => Promise<T>): Promise<T> {
    const raw = this.model.weights.map((w) => w.read().clone());
    try {
      for (const w of this.model.weights) w.write(this.shadow.get(w.originalName)!);
      return await fn();
    } finally {
      for (const [i, w] of this.model.weights.entries()) w.write(raw[i]!);
      tf.dispose(raw);
    }
  }

  dispose(): void {
    for (const s of this.shadow.values()) s.dispose();
    this.shadow.clear();
  }
}
