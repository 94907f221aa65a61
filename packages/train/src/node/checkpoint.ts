import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CLASS_INDICES_FILE } from '@mobilenets/data';
import { isModelDirectory, type ModelMetadata, loadWeights, readDirectoryAtomic, readSafetensors, writeDirectoryAtomic, writeModelFiles } from '@mobilenets/zoo';
import type { Ema } from '../ema.js';
import { CheckpointError } from '../errors.js';
import type { CheckpointOptions } from '../fit-loop.js';
import type { Optimizer } from '../optim/optimizer.js';
import { flatMetrics, type TrainerState } from '../state.js';
import { writeSafetensors } from './safetensors.js';

/** Inside a checkpoint directory, beside the zoo's model files. */
export const TRAINER_JSON = 'trainer.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const EMA_DIR = 'ema';

export const checkpointPath = (root: string, kind: 'best' | 'last') => join(root, kind);

export interface CheckpointContents {
  model: tfl.LayersModel;
  state: TrainerState;
  optimizer: Optimizer;
  ema: Ema | null;
  options: CheckpointOptions;
}

/**
 * Writes one checkpoint directory with the zoo's writeDirectoryAtomic (as saveModel does) — every checkpoint
 * goes through here: the model in the zoo's format (`mobilenets.json` with the epoch and metrics),
 * `trainer.json`, the optimizer's slots, the EMA weights as a model directory of their own (`ema/`), and seed
 * 003's `class_indices.json` when the labels are known. Only a model directory (a checkpoint) is replaced.
 */
export async function writeCheckpoint(dir: string, c: CheckpointContents): Promise<void> {
  const last = c.state.history.at(-1);
  const save = {
    ...(c.options.labels && { labels: c.options.labels }),
    ...(c.options.preprocessing && { preprocessing: c.options.preprocessing }),
    provenance: { ...(c.options.dataset && { dataset: c.options.dataset }), epochs: c.state.epoch, metrics: last ? (flatMetrics(last) as Record<string, number>) : {} },
  };
  await writeDirectoryAtomic(
    dir,
    async (tmp) => {
      await writeModelFiles(c.model, tmp, save);
      await writeFile(join(tmp, TRAINER_JSON), `${JSON.stringify(c.state, null, 2)}\n`);
      await writeSafetensors(join(tmp, OPTIMIZER_FILE), c.optimizer.getState().slots);
      if (c.ema) {
        await mkdir(join(tmp, EMA_DIR));
        await c.ema.withAveraged(() => writeModelFiles(c.model, join(tmp, EMA_DIR), save));
      }
      if (c.options.labels) {
        const indices = Object.fromEntries(c.options.labels.map((name, i) => [String(i), name]));
        await writeFile(join(tmp, CLASS_INDICES_FILE), `${JSON.stringify(indices, null, 4)}\n`);
      }
    },
    { isReplaceable: isModelDirectory },
  );
}

export interface Checkpoint {
  /** The directory read: `last`, or the previous version a writer killed between its two renames set aside. */
  dir: string;
  state: TrainerState;
  metadata: ModelMetadata;
}

/** Reads a checkpoint's `trainer.json` and `mobilenets.json` (the weights stay on disk). */
export function readCheckpoint(path: string): Promise<Checkpoint> {
  return readDirectoryAtomic(path, async (dir) => {
    if (!(await stat(dir).catch(() => null))) throw new CheckpointError(path, 'no checkpoint there');
    const json = async <T>(file: string): Promise<T> => {
      try {
        return JSON.parse(await readFile(join(dir, file), 'utf8')) as T;
      } catch (err) {
        throw new CheckpointError(join(dir, file), `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
      }
    };
    const state = await json<TrainerState>(TRAINER_JSON);
    if (state.formatVersion !== 1) throw new CheckpointError(join(dir, TRAINER_JSON), `has format version ${state.formatVersion}; this version reads 1`);
    return { dir, state, metadata: await json<ModelMetadata>('mobilenets.json') };
  });
}

async function tensorsOf(path: string): Promise<Map<string, tf.Tensor>> {
  const { tensors } = await readSafetensors(path);
  return new Map([...tensors].map(([name, t]) => [name, tf.tensor(t.values, t.shape)]));
}

/**
 * Restores a run from `root/last`: the model's weights (BatchNorm statistics included), the optimizer's slots
 * and step, the EMA; returns the trainer state (schedule position, data epoch, history).
 */
export async function resumeCheckpoint(
  root: string,
  into: { model: tfl.LayersModel; optimizer: Optimizer; ema: Ema | null; stepsPerEpoch: number },
): Promise<TrainerState> {
  const { dir, state } = await readCheckpoint(checkpointPath(root, 'last'));
  const fail = (message: string) => new CheckpointError(dir, message);
  if (state.optimizer.config.type !== into.optimizer.config.type) throw fail(`was trained with ${state.optimizer.config.type}, not ${into.optimizer.config.type}`);
  if (state.stepsPerEpoch !== into.stepsPerEpoch) throw fail(`has ${state.stepsPerEpoch} batches per epoch; the data gives ${into.stepsPerEpoch} (another data set or batch size?)`);
  if (!!state.ema !== !!into.ema) throw fail(state.ema ? 'has an EMA of the weights: resume with ema' : 'has no EMA of the weights: resume without ema');
  try {
    await loadWeights(into.model, dir, { format: 'tfjs' });
  } catch (err) {
    throw new CheckpointError(dir, `does not fit the model: ${(err as Error).message}`, { cause: err });
  }
  const slots = await tensorsOf(join(dir, OPTIMIZER_FILE));
  try {
    into.optimizer.setState({ step: state.optimizer.step, slots });
  } finally {
    tf.dispose([...slots.values()]);
  }
  if (into.ema && state.ema) {
    const averaged = await weightsOf(join(dir, EMA_DIR), into.model);
    try {
      into.ema.load(averaged, state.ema.updates);
    } finally {
      tf.dispose([...averaged.values()]);
    }
  }
  return state;
}

/** A saved model directory's weights by name, read through `model` (whose own weights are put back). */
async function weightsOf(dir: string, model: tfl.LayersModel): Promise<Map<string, tf.Tensor>> {
  const raw = model.weights.map((w) => w.read().clone());
  try {
    await loadWeights(model, dir, { format: 'tfjs' });
    return new Map(model.weights.map((w) => [w.originalName, w.read().clone()]));
  } finally {
    for (const [i, w] of model.weights.entries()) w.write(raw[i]!);
    tf.dispose(raw);
  }
}
