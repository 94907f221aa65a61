// The package in a page (the `browser` export condition): the tfjs classifier on model directories from a URL,
// IndexedDB or picked files, and on images a page has. ONNX export and onnxruntime-node, quantizing directories
// on disk and the CLIs stay in Node.
export {
  type Classifier,
  type ClassifierInfo,
  type ClassifierSource,
  type ClassifyOptions,
  loadClassifier,
  type LoadClassifierPageOptions,
  type RunOptions,
  type Runtime,
} from './classifier.browser.js';
export { ClassifierError, ImageInputError, MissingPackageError, MobilenetsInferError } from './errors.js';
export type { ImageInput, PageImage, PixelData } from './input.js';
export { type Classification, type Embedding, type FailedImage, isFailed, type Prediction } from './predictions.js';
export { preprocess, resizedSize } from './preprocess/preprocess.js';
export { type Interpolation, resample, type Rgb8 } from './preprocess/resample.js';
