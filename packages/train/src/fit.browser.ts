import { saveModel } from '@mobilenets/zoo';
import type * as tfl from '@tensorflow/tfjs-layers';
import { TrainConfigError } from './errors.js';
import { type CheckpointIo, type FitOptions, fitWith, type History, type TrainData } from './fit-loop.js';

export type { BatchInfo, Callbacks, CheckpointOptions, FitOptions, History, TrainData } from './fit-loop.js';

/**
 * A page's checkpoints: `checkpoint.dir` is an `indexeddb://<name>` key (or `downloads://`); `best` and `last` are
 * saved as model directories under it (`indexeddb://<name>/best`), loadable with the zoo's `loadModel`.
 * The optimizer's state is not kept, so `resume` runs in Node only.
 */
const pageCheckpoints: CheckpointIo = {
  checkpointPath: (root, kind) => `${root.replace(/\/$/, '')}/${kind}`,
  async writeCheckpoint(dir, { model, state, options }) {
    const metrics = state.history.at(-1);
    await saveModel(model, dir, {
      labels: options.labels,
      preprocessing: options.preprocessing,
      provenance: { dataset: options.dataset, epochs: state.epoch, metrics: metrics && { train_top1: metrics.train.top1, train_loss: metrics.train.loss } },
    });
  },
  async resumeCheckpoint() {
    throw new TrainConfigError('resume', 'resuming needs the optimizer state of a checkpoint on disk: it runs in Node only');
  },
};

/**
 * Trains `model` on `trainData` for `options.epochs` epochs in a page and returns the history. Layers frozen
 * with `freeze` stay as they are. Each batch is disposed after its step. Checkpoints go to IndexedDB (or
 * downloads): see `CheckpointOptions.dir`.
 */
export function fit(model: tfl.LayersModel, trainData: TrainData, options: FitOptions): Promise<History> {
  return fitWith(async () => pageCheckpoints, model, trainData, options);
}
