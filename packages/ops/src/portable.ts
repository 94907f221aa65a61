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
export { relu6, hardSigmoid, hardSwish } from './activations.js';
export { gelu } from './gelu.js';
export { makeDivisible } from './make-divisible.js';
export { convCost, type ConvCostInput, type Cost } from './cost.js';
export { BackendAbortedError, BackendUnavailableError, MobilenetsOpsError, OpsInputError } from './errors.js';
export { batchNormInference, batchNormTrain, type BatchNormOptions, type BatchNormTrainResult } from './norm/batch-norm.js';
