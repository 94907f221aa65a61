import { TrainConfigError } from '../errors.js';
import { adam, adamw } from './adam.js';
import type { Optimizer, OptimizerConfig } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';

/** Builds an optimizer from its plain config (what a checkpoint stores). */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  if (!(typeof config.lr === 'number' && config.lr > 0)) throw new TrainConfigError('optimizer.lr', `must be a positive number, got ${config.lr}`);
  if (config.weightDecay !== undefined && !(config.weightDecay >= 0)) {
    throw new TrainConfigError('optimizer.weightDecay', `must be ≥ 0, got ${config.weightDecay}`);
  }
  switch (config.type) {
    case 'sgd':
      return sgd(config);
    case 'adam':
      return adam(config);
    case 'adamw':
      return adamw(config);
    case 'rmsprop':
      return rmsprop(config);
    default:
      throw new TrainConfigError('optimizer.type', `must be sgd, adam, adamw or rmsprop, got '${(config as { type: unknown }).type}'`);
  }
}
