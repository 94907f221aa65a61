// Everything of the package that is the same on every runtime; index.ts and index.browser.ts add initBackend.
export { guardBackend, isWasmAbort, recoverBackend } from './backend/abort.js';
export type { AdapterDescription, BackendInfo, BackendName } from './backend/info.js';
export type { WasmPaths } from './backend/wasm.js';
export { conv2d, type ConvOptions } from './conv/conv2d.js';
export { depthwiseConv2d } from './conv/depthwise.js';
export { pointwiseConv2d, type PointwiseOptions } from './conv/pointwise.js';
export { groupedConv2d } from './conv/grouped.js';
export { separableConv2d, spatialSeparableConv2d } from './conv/separable.js';
export { convGeometry, type AxisPadding, type ConvGeometry, type Padding, type Size2 } from './conv/geometry.js';
export { checkTensor, describeArgument } from './conv/validate.js';
export { relu, relu6, hardSigmoid, hardSwish } from './activations.js';
export { gelu } from './gelu.js';
export { globalAvgPool } from './reduce.js';
export { makeDivisible } from './make-divisible.js';
export { convCost, type ConvCostInput, type Cost } from './cost.js';
export {
  BackendAbortedError,
  BackendUnavailableError,
  type MemoryShortfall,
  MobilenetsOpsError,
  OpsInputError,
  OutOfMemoryError,
} from './errors.js';
export {
  batchNormInference,
  batchNormTrain,
  type BatchNormOptions,
  type BatchNormTrainOptions,
  type BatchNormTrainResult,
} from './norm/batch-norm.js';
export { valueAndGradients, type Gradients } from './train/gradients.js';
export { minimize, type MinimizeOptions } from './train/minimize.js';
export {
  estimateTrainingMemory,
  planTrainingMemory,
  type MemoryLayer,
  type MemoryModel,
  type TrainingMemory,
  type TrainingMemoryEstimate,
  type TrainingMemoryOptions,
} from './train/memory.js';
export { checkpoint } from './train/checkpoint.js';
