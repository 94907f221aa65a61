import { stat } from 'node:fs/promises';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  centerCrop,
  cifar10,
  compose,
  type Dataset,
  fashionMnist,
  grayscaleToRgb,
  IMAGENET_MEAN,
  IMAGENET_STD,
  imageFolder,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  randomResizedCrop,
  resize,
  splitDataset,
  subset,
  type Transform,
  toTensor,
} from '@mobilenets/data';
import type { Preprocessing } from '@mobilenets/zoo';
import { TrainDataError } from '../../errors.js';
import type { RunArgs } from './args.js';

/** Fashion-MNIST's pixel statistics (train split, [0, 1] scale). */
const FASHION_MEAN = [0.286, 0.286, 0.286] as const;
const FASHION_STD = [0.353, 0.353, 0.353] as const;

export interface RunData {
  train: Dataset;
  val: Dataset | null;
  /** Where validation comes from, for messages and provenance. */
  valSource: string;
  dataset: string;
  inputSize: number;
  preprocessing: Partial<Preprocessing>;
}

interface Source {
  kind: 'fashion-mnist' | 'cifar10' | 'folder';
  dir: string | undefined;
}

function parseSource(flag: string, spec: string): Source {
  const [kind, ...rest] = spec.split(':');
  const dir = rest.length > 0 ? rest.join(':') : undefined;
  if (kind === 'fashion-mnist') return { kind, dir };
  if ((kind === 'cifar10' || kind === 'folder') && dir) return { kind, dir };
  throw new TrainDataError(flag, `'${spec}' is not fashion-mnist[:DIR], cifar10:DIR or folder:DIR`);
}

async function checkDir(flag: string, dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new TrainDataError(flag, `${dir} is not a directory`);
}

/** Reads a data set, turning the data package's errors into ones that name the flag. */
async function open<T>(flag: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new TrainDataError(flag, (err as Error).message, { cause: err });
  }
}

/** Train and eval transforms and the preprocessing a saved model records, per source. */
function transforms(kind: Source['kind'], size: number): { train: Transform; eval: Transform; preprocessing: Partial<Preprocessing> } {
  if (kind === 'folder') {
    // Seed 003: RandomResizedCrop + flip; Resize(size / 0.875) + CenterCrop to evaluate.
    const norm = normalize(IMAGENET_MEAN, IMAGENET_STD);
    const resizeTo = Math.round(size / 0.875);
    return {
      train: compose(randomResizedCrop(size), randomHorizontalFlip(), toTensor(), norm),
      eval: compose(resize(resizeTo), centerCrop(size), toTensor(), norm),
      preprocessing: { resize: resizeTo, crop: size, mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD] },
    };
  }
  const [mean, std, native] = kind === 'cifar10' ? [CIFAR10_MEAN, CIFAR10_STD, 32] : [FASHION_MEAN, FASHION_STD, 28];
  const base = [...(kind === 'fashion-mnist' ? [grayscaleToRgb()] : []), ...(size !== native ? [resize(size)] : [])];
  const norm = normalize(mean, std);
  // Seed 000: pad-and-crop (4 pixels at 32) and flips.
  const pad = Math.round(size / 8);
  return {
    train: compose(...base, randomCrop(size, pad), randomHorizontalFlip(), toTensor(), norm),
    eval: compose(...base, toTensor(), norm),
    preprocessing: { resize: size, crop: size, mean: [...mean], std: [...std] },
  };
}

/** The classes of `val` mapped onto `train`'s (by name): a class the training data lacks is an error. */
function alignClasses(train: Dataset, val: Dataset, flag: string): Dataset {
  const missing = val.classes.find((c) => !train.classes.includes(c));
  if (missing !== undefined) throw new TrainDataError(flag, `class '${missing}' is not among the training classes (${train.classes.join(', ')})`);
  if (val.classes.every((c, i) => train.classes[i] === c)) return val;
  const map = val.classes.map((c) => train.classes.indexOf(c));
  return {
    size: val.size,
    classes: train.classes,
    async get(i, rng) {
      const sample = await val.get(i, rng);
      return { image: sample.image, label: map[sample.label]! };
    },
  };
}

/**
 * The run's training and validation data, checked before anything trains: folders exist, at least two
 * classes, validation classes among the training ones, a batch no larger than the training set.
 */
export async function openData(args: RunArgs): Promise<RunData> {
  const source = parseSource('--data', args.data);
  const size = args.inputSize ?? (source.kind === 'folder' ? 224 : 32);
  const t = transforms(source.kind, size);
  if (source.dir) await checkDir('--data', source.dir);
  const read = (split: 'train' | 'test', transform: Transform) =>
    open('--data', () =>
      source.kind === 'fashion-mnist'
        ? fashionMnist({ ...(source.dir && { dir: source.dir }), split, transform })
        : source.kind === 'cifar10'
          ? cifar10({ dir: source.dir!, split, transform })
          : imageFolder(source.dir!, { transform, classIndices: 'none' }),
    );
  let train = await read('train', t.train);
  if (train.classes.length < 2) throw new TrainDataError('--data', `${source.dir ?? args.data} has ${train.classes.length} class (${train.classes.join(', ')}); a classifier needs at least two`);
  let val: Dataset | null = null;
  let valSource: string;
  if (args.valSplit) {
    const evalSet = await read('train', t.eval);
    const split = splitDataset(train, args.valSplit, args.seed);
    const held = splitDataset(evalSet, args.valSplit, args.seed);
    train = split.train;
    val = held.val;
    valSource = `${Math.round(args.valSplit * 100)}% of ${args.data}`;
  } else if (args.val) {
    const v = parseSource('--val', args.val);
    if (v.kind !== 'folder') throw new TrainDataError('--val', `'${args.val}' must be folder:DIR`);
    await checkDir('--val', v.dir!);
    val = alignClasses(train, await open('--val', () => imageFolder(v.dir!, { transform: t.eval, classIndices: 'none' })), '--val');
    valSource = args.val;
  } else if (source.kind !== 'folder') {
    val = await read('test', t.eval);
    valSource = `${args.data} (test split)`;
  } else {
    valSource = 'none';
  }
  if (args.trainImages !== null) {
    if (args.trainImages > train.size) throw new TrainDataError('--train-images', `${args.trainImages} is more than the ${train.size} training images`);
    train = subset(train, Array.from({ length: args.trainImages }, (_, i) => i));
  }
  if (args.batchSize > train.size) throw new TrainDataError('--batch-size', `${args.batchSize} is larger than the ${train.size} training images`);
  return { train, val, valSource, dataset: args.data, inputSize: size, preprocessing: t.preprocessing };
}
