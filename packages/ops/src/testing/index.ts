/** Test helpers shared by the packages' tests (`@mobilenets/ops/testing`): not part of the runtime API. */
export { TRAINING_BACKENDS, useBackend } from './backends.js';
export { relativeError, seeded, seededValues, valueAndGrads } from './compare.js';
