// Everything of the package that is the same in Node and in a page; index.ts and index.browser.ts add the rest.
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
export { METADATA_JSON, MODEL_JSON, WEIGHTS_BIN } from './io/model-files.js';
export { defaultPreprocessing, type ModelMetadata, type Preprocessing } from './io/metadata.js';
export { modelArtifacts } from './io/saved-model.js';
