export * from './portable.js';
export { cifar10, CIFAR10_CLASSES, type Cifar10Options } from './node/cifar10.js';
export { CLASS_INDICES_FILE } from './node/class-indices.js';
export { type DecodeOptions, decodeImage, type ImageFile, MAX_PIXELS } from './node/decode.js';
export { DEBIAN_FASHION_MNIST, FASHION_MNIST_CLASSES, fashionMnist, type IdxDatasetOptions, mnist } from './node/fashion-mnist.js';
export { readIdx, type IdxArray } from './node/idx.js';
export { imageFolder, type ImageFolderDataset, type ImageFolderOptions } from './node/image-folder.js';
export { IMAGE_EXTENSIONS, type Skipped } from './node/list-images.js';
