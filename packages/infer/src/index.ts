export {
  type Classifier,
  type ClassifierInfo,
  type ClassifyOptions,
  loadClassifier,
  type LoadClassifierOptions,
  type RunOptions,
  type Runtime,
} from './classifier.js';
export { ClassifierError, ImageInputError, MissingPackageError, MobilenetsInferError, OnnxExportError } from './errors.js';
export type { ImageInput, PageImage, PixelData } from './input.js';
export { checkOnnx } from './onnx/check.js';
export { EMBEDDING_NAME, exportOnnx, type ExportOnnxOptions, INPUT_NAME, LOGITS_NAME } from './onnx/export.js';
export { type Classification, type Embedding, type FailedImage, isFailed, type Prediction } from './predictions.js';
export { preprocess, resizedSize } from './preprocess/preprocess.js';
export { type Interpolation, resample, type Rgb8 } from './preprocess/resample.js';
export { type Agreement, measureAgreement } from './quantize/agreement.js';
export { QUANTIZATIONS, type Quantization } from './quantize/codecs.js';
export { quantizeModelDir, type QuantizeModelDirOptions, type QuantizeResult } from './quantize/node/model-dir.js';
export { loadOnnxRuntime, type OnnxRuntime } from './runtime/onnxruntime.js';
