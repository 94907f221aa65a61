export { type Dataset, type Sample, subset, withTransform } from './dataset.js';
export { cifar10, CIFAR10_CLASSES, type Cifar10Options } from './cifar10.js';
export { CLASS_INDICES_FILE } from './class-indices.js';
export { type DecodeOptions, decodeImage, type ImageFile, MAX_PIXELS } from './decode.js';
export { DatasetError, DecodeError, EmptyClassError, FormatError, ImageTooLargeError, MissingPackageError, OptionError } from './errors.js';
export { DEBIAN_FASHION_MNIST, FASHION_MNIST_CLASSES, fashionMnist, type IdxDatasetOptions, mnist } from './fashion-mnist.js';
export { readIdx, type IdxArray } from './idx.js';
export { imageFolder, type ImageFolderDataset, type ImageFolderOptions } from './image-folder.js';
export { IMAGE_EXTENSIONS, type Skipped } from './list-images.js';
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
