// The package in a page (the `browser` export condition): fit's checkpoints go to IndexedDB or downloads; the
// checkpoint files, pretrained loading and the CLI (the `./node` entry) stay in Node.
export { Ema, type EmaOptions } from './ema.js';
export { CheckpointError, PretrainedMismatchError, TrainConfigError, TrainDataError } from './errors.js';
export { evaluate, type Evaluation } from './evaluate.js';
export { type BatchInfo, type Callbacks, type CheckpointOptions, fit, type FitOptions, type History, type TrainData } from './fit.browser.js';
export { crossEntropy } from './loss.js';
export type { ConfusionMatrix, Metrics } from './metrics.js';
export { layerChain, runLayers, type ForwardOptions } from './model/forward.js';
export { trainableParams } from './model/params.js';
export { freeze, type FreezeOptions, replaceHead, unfreeze } from './model/transfer.js';
export { Adam, adam, adamw } from './optim/adam.js';
export { createOptimizer } from './optim/create.js';
export { Optimizer, type AdamConfig, type OptimizerConfig, type OptimizerState, type Param, type RmsPropConfig, type SgdConfig } from './optim/optimizer.js';
export { RmsProp, rmsprop } from './optim/rmsprop.js';
export { Sgd, sgd } from './optim/sgd.js';
export { decays } from './optim/weight-decay.js';
export { checkSchedule, learningRate, type Schedule, type SchedulePosition, type ScheduleUnit } from './schedule.js';
export type { EpochRecord, MetricName, TrainerState } from './state.js';
