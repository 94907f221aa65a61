export { ClassifierError, ImageInputError, MissingPackageError, MobilenetsInferError, OnnxExportError } from './errors.js';
export { type ImageInput, type PixelData } from './input.js';
export { preprocess, resizedSize } from './preprocess/preprocess.js';
