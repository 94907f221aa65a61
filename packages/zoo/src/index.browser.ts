// The package in a page (the `browser` export condition): architectures, the builder, summaries, and model
// directories loaded from a URL, IndexedDB or picked files and saved to IndexedDB or downloads. Weight files of
// other frameworks and writing to disk stay in Node.
export { decodeArch, type DecodeOptions, type DecodedArch } from './arch/decode.js';
export { type BlockArgs, type BlockKind, parseToken } from './arch/tokens.js';
export type { ChannelRole, ModelSpec, SpecPreprocessing, V4Variant, WidthRule } from './arch/specs.js';
export {
  buildModel,
  MAX_WEIGHT_BYTES,
  MAX_WIDTH_MULTIPLIER,
  modelBlocks,
  resolveRecipe,
  type BlockFamily,
  type CreateModelOptions,
  type FeatureOutput,
  type ModelRecipe,
} from './build.js';
export { createModel, listModels, modelSpec, registerModel, type ModelFactory } from './registry.js';
export { ArchDecodeError, ModelConfigError, ModelFileError, ModelInputError, UnsafePickleError, WeightMismatchError, WriteError } from './errors.js';
export { formatSummary, summarize, type ModelSummary, type SummaryRow } from './summary.js';
export { loadModel, type LoadedModel, type ModelSource, saveModel, type SaveModelOptions } from './io/model-dir.browser.js';
export { METADATA_JSON, MODEL_JSON, WEIGHTS_BIN } from './io/model-files.js';
export { defaultPreprocessing, type ModelMetadata, type Preprocessing } from './io/metadata.js';
