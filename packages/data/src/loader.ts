import * as tf from '@tensorflow/tfjs-core';
import { type Dataset, type Sample, subset } from './dataset.js';
import { DatasetError } from './errors.js';
import { boolean, checkOptions, checkValue, func, integer, nonNegativeInteger, oneOf, positiveInteger, probability, required, type Rules } from './options.js';
import { mixSeed, mulberry32, permutation, sampleRng } from './rng.js';

/** A batch: x is NHWC float32, y int32 labels. The consumer owns both (and disposes them after the step). */
export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
}

export interface LoaderOptions {
  batchSize: number;
  /** Reshuffle every epoch. Default false. */
  shuffle?: boolean;
  /** Seeds the shuffles and every sample's random transforms. Default 0. */
  seed?: number;
  /** Drop a last batch smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** Batches decoded ahead of the consumer, so decoding overlaps training. Default 2. */
  prefetch?: number;
  /** A sample that fails to load (a DatasetError): `throw` (default), or `skip` it (its batch is one smaller) with a warning. */
  onError?: 'throw' | 'skip';
  warn?: (message: string) => void;
}

/** A sample the loader skipped: which, in which epoch, the file and why. */
export interface SkippedSample {
  index: number;
  epoch: number;
  file: string;
  reason: string;
}

const RULES: Rules<LoaderOptions> = {
  batchSize: required(positiveInteger),
  shuffle: boolean,
  seed: integer,
  dropLast: boolean,
  prefetch: nonNegativeInteger,
  onError: oneOf('throw', 'skip'),
  warn: func,
};

export interface Loader extends AsyncIterable<Batch> {
  readonly batchesPerEpoch: number;
  /** The epoch the next iteration will run (each full or partial iteration advances it). */
  readonly epoch: number;
  /** Samples skipped so far (with onError: 'skip'), with their reasons. */
  readonly skipped: readonly SkippedSample[];
}

/** Batches a dataset: seeded shuffling per epoch, drop-last, prefetching, an async iterator of {x, y}. */
export function loader(dataset: Dataset, options: LoaderOptions): Loader {
  checkOptions('loader', options, RULES);
  const { batchSize, shuffle = false, seed = 0, dropLast = false, prefetch = 2, onError = 'throw' } = options;
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const batchesPerEpoch = dropLast ? Math.floor(dataset.size / batchSize) : Math.ceil(dataset.size / batchSize);
  let epoch = 0;
  const skipped: SkippedSample[] = [];

  async function sample(index: number, e: number): Promise<Sample | null> {
    try {
      return await dataset.get(index, sampleRng(seed, e, index));
    } catch (err) {
      if (onError !== 'skip' || !(err instanceof DatasetError)) throw err;
      skipped.push({ index, epoch: e, file: err.file, reason: err.reason });
      warn(`loader: skipped sample ${index}: ${err.message}`);
      return null;
    }
  }

  async function makeBatch(indices: ArrayLike<number>, e: number): Promise<Batch | null> {
    const settled = await Promise.allSettled(Array.from(indices, (i) => sample(i, e)));
    const samples = settled.flatMap((s) => (s.status === 'fulfilled' && s.value ? [s.value] : []));
    const failure = settled.find((s) => s.status === 'rejected');
    try {
      if (failure) throw (failure as PromiseRejectedResult).reason;
      if (samples.length === 0) return null;
      const shape = samples[0]!.image.shape;
      const odd = samples.findIndex((s) => s.image.shape.some((d, i) => d !== shape[i]));
      if (odd >= 0) throw new RangeError(`loader: samples of one batch differ in shape ([${shape}] vs [${samples[odd]!.image.shape}]); resize or crop them in the transform`);
      return tf.tidy(() => ({
        x: tf.cast(tf.stack(samples.map((s) => s.image)), 'float32') as tf.Tensor4D,
        y: tf.tensor1d(samples.map((s) => s.label), 'int32'),
      }));
    } finally {
      tf.dispose(samples.map((s) => s.image));
    }
  }

  async function* run(): AsyncGenerator<Batch> {
    const e = epoch++;
    const order = shuffle ? permutation(dataset.size, mulberry32(mixSeed(seed, e, 0x5eed))) : Int32Array.from({ length: dataset.size }, (_, i) => i);
    const pending: Promise<Batch | null>[] = [];
    let next = 0;
    const schedule = () => {
      while (pending.length <= prefetch && next < batchesPerEpoch) {
        const b = next++;
        const batch = makeBatch(order.subarray(b * batchSize, Math.min((b + 1) * batchSize, dataset.size)), e);
        batch.catch(() => {}); // surfaced when awaited below
        pending.push(batch);
      }
    };
    try {
      schedule();
      while (pending.length > 0) {
        const batch = await pending.shift()!;
        schedule();
        if (batch) yield batch;
      }
    } finally {
      // Stopped early (break, or an error): dispose what was decoded ahead and never handed out.
      for (const p of pending.splice(0)) {
        const b = await p.catch(() => null);
        if (b) tf.dispose([b.x, b.y]);
      }
    }
  }

  return {
    batchesPerEpoch,
    get epoch() {
      return epoch;
    },
    get skipped() {
      return skipped;
    },
    [Symbol.asyncIterator]: run,
  };
}

/** Splits a dataset into train and validation parts, `valFraction` of the samples (rounded) going to validation. */
export function splitDataset(dataset: Dataset, valFraction: number, seed = 0): { train: Dataset; val: Dataset } {
  checkValue('splitDataset', 'valFraction', valFraction, probability);
  checkValue('splitDataset', 'seed', seed, integer);
  const order = permutation(dataset.size, mulberry32(mixSeed(seed, 0x5b1e)));
  const valCount = Math.round(dataset.size * valFraction);
  return { train: subset(dataset, order.subarray(valCount)), val: subset(dataset, order.subarray(0, valCount)) };
}
