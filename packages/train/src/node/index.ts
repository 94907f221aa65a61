export { type Checkpoint, type CheckpointContents, checkpointPath, readCheckpoint, resumeCheckpoint, writeCheckpoint } from './checkpoint.js';
export { writeSafetensors } from './safetensors.js';
export { loadPretrained, type Pretrained } from './pretrained.js';
