// The package in a page (the `browser` export condition): datasets, transforms and the loader as in Node, and
// decodeImage from what a page has (files, URLs, <img>, ImageBitmap, ImageData, canvas, video). The file-system
// datasets (image folders, Fashion-MNIST, CIFAR-10 files) stay in Node.
export { type Dataset, type Sample, subset, withTransform } from './dataset.js';
export { type DecodeOptions, decodeImage, type ImageSource, MAX_PIXELS } from './decode.browser.js';
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
