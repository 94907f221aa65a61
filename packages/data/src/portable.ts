// Everything of the package that is the same in Node and in a page; index.ts and index.browser.ts add the rest.
export { type Dataset, type Sample, subset, withTransform } from './dataset.js';
export { DatasetError, DecodeError, EmptyClassError, FormatError, ImageTooLargeError, MissingPackageError, OptionError } from './errors.js';
export { type Batch, type Loader, type LoaderOptions, loader, type SkippedSample, splitDataset } from './loader.js';
export { mixSeed, mulberry32, permutation, type Rng, sampleRng } from './rng.js';
export {
  CIFAR10_MEAN,
  CIFAR10_STD,
  centerCrop,
  compose,
  grayscaleToRgb,
  IMAGENET_MEAN,
  IMAGENET_STD,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  randomResizedCrop,
  resize,
  type Transform,
  toTensor,
} from './transforms.js';
