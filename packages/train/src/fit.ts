import type * as tfl from '@tensorflow/tfjs-layers';
import { type FitOptions, fitWith, type History, type TrainData } from './fit-loop.js';

export type { BatchInfo, Callbacks, CheckpointOptions, FitOptions, History, TrainData } from './fit-loop.js';

/**
 * Trains `model` on `trainData` for `options.epochs` epochs and returns the history. Layers frozen with
 * `freeze` stay as they are. Each batch is disposed after its step. Checkpoints are directories on disk.
 */
export function fit(model: tfl.LayersModel, trainData: TrainData, options: FitOptions): Promise<History> {
  return fitWith(() => import('./node/checkpoint.js'), model, trainData, options);
}
