import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type Batch, mixSeed } from '@mobilenets/data';
import type { Preprocessing } from '@mobilenets/zoo';
import { Ema, type EmaOptions } from './ema.js';
import { TrainConfigError, TrainDataError } from './errors.js';
import { evaluate } from './evaluate.js';
import { checkLabels } from './labels.js';
import { addBatch, type ConfusionMatrix, emptySums, finish, type Metrics } from './metrics.js';
import { layerChain } from './model/forward.js';
import { trainableParams } from './model/params.js';
import { createOptimizer } from './optim/create.js';
import { Optimizer, type OptimizerConfig } from './optim/optimizer.js';
import { checkSchedule, learningRate, type Schedule } from './schedule.js';
import { type EpochRecord, flatMetrics, type MetricName, type TrainerState } from './state.js';
import { trainStep } from './step.js';

/** Training batches: the data package's `loader` (its `epoch` counter lets a resumed run replay the data order). */
export type TrainData = AsyncIterable<Batch> & { readonly batchesPerEpoch: number; readonly epoch?: number };

export interface BatchInfo {
  /** 1-based. */
  epoch: number;
  /** Batches of this epoch done, 1-based. */
  batch: number;
  batches: number;
  lr: number;
  /** Running means over the epoch so far. */
  loss: number;
  top1: number;
  imagesPerSecond: number;
}

export interface Callbacks {
  onEpochBegin?(epoch: number, batches: number): void;
  onBatchEnd?(info: BatchInfo): void;
  onEpochEnd?(record: EpochRecord): void | Promise<void>;
  /** After a checkpoint directory was written (`best` or `last`). */
  onCheckpoint?(kind: 'best' | 'last', dir: string): void;
}

export interface CheckpointOptions {
  /** `best` and `last` are written inside it. */
  dir: string;
  /** What `best` maximizes (minimizes for a loss). Default `val_top1` with validation data, else `train_top1`. */
  monitor?: MetricName;
  /** Class names for `mobilenets.json`. */
  labels?: string[];
  preprocessing?: Partial<Preprocessing>;
  /** The dataset's name for the provenance. */
  dataset?: string;
}

export interface FitOptions {
  epochs: number;
  /** Default: Adam at 1e-3 (seed 000). */
  optimizer?: OptimizerConfig | Optimizer;
  /** Default constant. */
  schedule?: Schedule;
  labelSmoothing?: number;
  /** Sets the optimizer config's weight decay (never applied to BatchNorm γ / β or biases). */
  weightDecay?: number;
  /** An EMA of the weights, evaluated and checkpointed beside them: a decay, or its options. */
  ema?: number | EmaOptions;
  /** Evaluated after every epoch (re-iterated each time: pass a loader). */
  valData?: AsyncIterable<Batch>;
  callbacks?: Callbacks;
  checkpoint?: CheckpointOptions;
  /** Continue from `checkpoint.dir`'s `last`: weights, optimizer slots, schedule position, data order, EMA, history. */
  resume?: boolean;
  /** Stops after the current step; `last` is written. */
  signal?: AbortSignal;
  /** Seeds dropout. Default 0. */
  seed?: number;
}

export interface History {
  epochs: EpochRecord[];
  /** Of the last validation pass (rows: true class, columns: predicted); null without validation data. */
  confusion: ConfusionMatrix | null;
  best: TrainerState['best'];
  /** True when `signal` stopped the run early. */
  stopped: boolean;
}

function buildOptimizer(options: FitOptions): Optimizer {
  const given = options.optimizer ?? { type: 'adam', lr: 1e-3 };
  if (given instanceof Optimizer) {
    if (options.weightDecay !== undefined) throw new TrainConfigError('weightDecay', 'set it in the optimizer you pass, or pass the optimizer as a config');
    return given;
  }
  return createOptimizer(options.weightDecay === undefined ? given : { ...given, weightDecay: options.weightDecay });
}

function check(options: FitOptions): void {
  if (!(Number.isInteger(options.epochs) && options.epochs >= 1)) throw new TrainConfigError('epochs', `must be a positive integer, got ${options.epochs}`);
  const ls = options.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls < 1)) throw new TrainConfigError('labelSmoothing', `must be in [0, 1), got ${ls}`);
  if (options.resume && !options.checkpoint) throw new TrainConfigError('resume', 'needs checkpoint.dir to resume from');
  checkSchedule(options.schedule ?? { type: 'constant' });
}

const lowerIsBetter = (m: MetricName) => m.endsWith('_loss');

/** Replays the loader's epoch counter up to `epoch` (each iteration, even an abandoned one, advances it). */
async function advanceTo(data: TrainData, epoch: number): Promise<void> {
  while (data.epoch !== undefined && data.epoch < epoch) {
    const it = data[Symbol.asyncIterator]();
    const first = await it.next();
    if (!first.done) tf.dispose([first.value.x, first.value.y]);
    await it.return?.();
  }
}

/** Where fit keeps its checkpoints: directories on disk in Node (node/checkpoint.ts), IndexedDB in a page. */
export type CheckpointIo = Pick<typeof import('./node/checkpoint.js'), 'checkpointPath' | 'writeCheckpoint' | 'resumeCheckpoint'>;

/** `fit` with its checkpoint store, loaded only when `options.checkpoint` is given: each entry binds its own. */
export async function fitWith(loadIo: () => Promise<CheckpointIo>, model: tfl.LayersModel, trainData: TrainData, options: FitOptions): Promise<History> {
  check(options);
  const layers = layerChain(model);
  const numClasses = model.outputs[0]!.shape.at(-1) as number;
  const stepsPerEpoch = trainData.batchesPerEpoch;
  if (!(stepsPerEpoch >= 1)) throw new TrainDataError('trainData', `yields ${stepsPerEpoch} batches per epoch (a batch larger than the data set with dropLast?)`);
  const params = trainableParams(model);
  if (params.length === 0) throw new TrainConfigError('model', `${model.name} has no trainable weights (every layer is frozen)`);
  const emaOptions = typeof options.ema === 'number' ? { decay: options.ema } : options.ema;
  const monitor: MetricName = options.checkpoint?.monitor ?? (options.valData ? 'val_top1' : 'train_top1');
  if (monitor.startsWith('val') && !options.valData) throw new TrainConfigError('checkpoint.monitor', `'${monitor}' needs valData`);
  if (monitor.startsWith('ema') && !(options.valData && emaOptions)) throw new TrainConfigError('checkpoint.monitor', `'${monitor}' needs valData and ema`);
  const optimizer = buildOptimizer(options);
  const schedule = options.schedule ?? { type: 'constant' };
  const labelSmoothing = options.labelSmoothing ?? 0;
  const seed = options.seed ?? 0;
  const ema = emaOptions ? new Ema(model, emaOptions) : null;
  const io = options.checkpoint ? await loadIo() : null;

  let state: TrainerState = {
    formatVersion: 1,
    epoch: 0,
    batchInEpoch: 0,
    step: 0,
    dataEpoch: trainData.epoch ?? 0,
    seed,
    epochs: options.epochs,
    stepsPerEpoch,
    optimizer: { config: optimizer.config, step: 0 },
    schedule,
    labelSmoothing,
    ema: ema && { decay: ema.decay, warmup: ema.warmup, updates: 0 },
    partial: emptySums(),
    history: [],
    best: null,
  };
  try {
    if (options.resume && io) {
      state = await io.resumeCheckpoint(options.checkpoint!.dir, { model, optimizer, ema, stepsPerEpoch });
      await advanceTo(trainData, state.dataEpoch);
    }
    const save = async (kind: 'best' | 'last') => {
      if (!io) return;
      const dir = io.checkpointPath(options.checkpoint!.dir, kind);
      state.optimizer.step = optimizer.step;
      if (state.ema && ema) state.ema.updates = ema.updates;
      await io.writeCheckpoint(dir, { model, state, optimizer, ema, options: options.checkpoint! });
      options.callbacks?.onCheckpoint?.(kind, dir);
    };

    let confusion: ConfusionMatrix | null = null;
    let stopped = false;
    while (state.epoch < options.epochs && !stopped) {
      const epochNumber = state.epoch + 1;
      options.callbacks?.onEpochBegin?.(epochNumber, stepsPerEpoch);
      const started = performance.now();
      let images = 0;
      let lr = 0;
      let batch = 0;
      for await (const { x, y } of trainData) {
        if (batch++ < state.batchInEpoch) {
          tf.dispose([x, y]); // replaying a stopped epoch up to where it stopped
          continue;
        }
        let stats: Float32Array;
        try {
          checkLabels(await y.data(), numClasses, 'trainData');
          lr = learningRate(schedule, optimizer.config.lr, { step: state.step, stepsPerEpoch, epochs: options.epochs });
          const out = trainStep({ layers, params, optimizer, x, y, lr, labelSmoothing, dropoutSeed: mixSeed(seed, state.step) });
          stats = (await out.data()) as Float32Array;
          out.dispose();
        } finally {
          tf.dispose([x, y]);
        }
        ema?.update();
        // Let the event loop turn: with in-memory data every await of a step resolves as a microtask, and
        // timers, file writes and signal handlers (Ctrl-C) would wait for the whole run.
        await new Promise((resolve) => setTimeout(resolve, 0));
        const n = y.shape[0];
        images += n;
        state.step++;
        state.batchInEpoch++;
        addBatch(state.partial, stats[0]!, stats[1]!, stats[2]!, n);
        const seconds = (performance.now() - started) / 1000;
        const running = finish(state.partial, numClasses);
        options.callbacks?.onBatchEnd?.({ epoch: epochNumber, batch: state.batchInEpoch, batches: stepsPerEpoch, lr, loss: running.loss, top1: running.top1, imagesPerSecond: images / seconds });
        if (options.signal?.aborted && state.batchInEpoch < stepsPerEpoch) {
          stopped = true;
          break;
        }
      }
      if (stopped) {
        await save('last'); // mid-epoch: the position and the epoch's partial sums go with it
        break;
      }

      const seconds = (performance.now() - started) / 1000;
      const record: EpochRecord = { epoch: epochNumber, lr, train: finish(state.partial, numClasses), seconds, imagesPerSecond: images / seconds };
      if (options.valData) {
        const val = await evaluate(model, options.valData);
        confusion = val.confusion;
        record.val = strip(val);
        if (ema) record.emaVal = strip(await ema.withAveraged(() => evaluate(model, options.valData!)));
      }
      state.history.push(record);
      state.epoch = epochNumber;
      state.batchInEpoch = 0;
      state.dataEpoch = trainData.epoch ?? state.dataEpoch + 1;
      state.partial = emptySums();
      await options.callbacks?.onEpochEnd?.(record);
      const value = flatMetrics(record)[monitor];
      if (value !== undefined && (!state.best || (lowerIsBetter(monitor) ? value < state.best.value : value > state.best.value))) {
        state.best = { metric: monitor, value, epoch: epochNumber };
        await save('best');
      }
      await save('last');
      stopped = options.signal?.aborted === true && state.epoch < options.epochs;
    }
    return { epochs: state.history, confusion, best: state.best, stopped };
  } finally {
    ema?.dispose();
    if (!(options.optimizer instanceof Optimizer)) optimizer.dispose();
  }
}

function strip(m: Metrics): Metrics {
  return { loss: m.loss, top1: m.top1, top5: m.top5 };
}
