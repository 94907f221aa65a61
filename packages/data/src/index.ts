export * from './portable.js';
export { cifar10, CIFAR10_CLASSES, type Cifar10Options } from './cifar10.js';
export { CLASS_INDICES_FILE } from './class-indices.js';
export { type DecodeOptions, decodeImage, type ImageFile, MAX_PIXELS } from './decode.js';
export { DEBIAN_FASHION_MNIST, FASHION_MNIST_CLASSES, fashionMnist, type IdxDatasetOptions, mnist } from './fashion-mnist.js';
export { readIdx, type IdxArray } from './idx.js';
export { imageFolder, type ImageFolderDataset, type ImageFolderOptions } from './image-folder.js';
export { IMAGE_EXTENSIONS, type Skipped } from './list-images.js';
