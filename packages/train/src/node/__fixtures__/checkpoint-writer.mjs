// Writes checkpoints of a small model into <dir>/last forever, epoch after epoch, printing each epoch once it
// is in place: the kill -9 test's child process. Needs the package built (dist/).
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { createModel } from '@mobilenets/zoo';
import { adam } from '../../../dist/index.js';
import { writeCheckpoint } from '../../../dist/node/index.js';

const dir = process.argv[2];
await initBackend('cpu');
const model = createModel('mobilenetv3_small_075', { numClasses: 4, inputSize: 32 });
const optimizer = adam({ lr: 1e-3 });
const state = (epoch) => ({
  formatVersion: 1, epoch, batchInEpoch: 0, step: epoch, dataEpoch: epoch, seed: 0, epochs: 1e9, stepsPerEpoch: 1,
  optimizer: { config: optimizer.config, step: epoch }, schedule: { type: 'constant' }, labelSmoothing: 0, ema: null,
  partial: { loss: 0, top1: 0, top5: 0, count: 0 }, history: [], best: null,
});
for (let epoch = 1; ; epoch++) {
  // Each epoch's weights differ, so a torn write would show as a mismatch between files.
  tf.tidy(() => model.getLayer('classifier').setWeights([tf.fill([model.getLayer('classifier').getWeights()[0].shape[0], 4], epoch), tf.zeros([4])]));
  await writeCheckpoint(`${dir}/last`, { model, state: state(epoch), optimizer, ema: null, options: { dir, labels: ['a', 'b', 'c', 'd'] } });
  process.stdout.write(`${epoch}\n`);
}
