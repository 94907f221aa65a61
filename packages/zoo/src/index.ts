export * from './portable.js';
export { loadWeights, type LoadedWeights, type LoadWeightsOptions, type WeightNaming } from './io/node/load-weights.js';
export { exportWeights, type ExportWeightsOptions } from './io/export-weights.js';
export { isModelDirectory, loadModel, saveModel, writeModelFiles, type LoadedModel, type SaveModelOptions } from './io/node/model-dir.js';
export { readDirectoryAtomic, writeDirectoryAtomic, writeFileAtomic, type WriteOptions } from './io/node/atomic.js';
export { readSafetensors, type RawTensor } from './io/safetensors.js';
