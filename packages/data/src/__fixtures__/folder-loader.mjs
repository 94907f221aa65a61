// Run by image-folder-bomb.test.ts in a child process, so a hang or an abort fails the test instead of wedging
// it: the built package lists the folder given and runs one epoch with onError 'skip' on the wasm backend, then
// prints what it got as one JSON line.
import { initBackend } from '@mobilenets/ops';
import * as tf from '@tensorflow/tfjs-core';
import { centerCrop, compose, imageFolder, loader, resize } from '@mobilenets/data';

await initBackend('wasm', { threads: 1 });
const dataset = await imageFolder(process.argv[2], { transform: compose(resize(8), centerCrop(8)) });
const batches = loader(dataset, { batchSize: 2, onError: 'skip', warn: () => {} });
const sizes = [];
for await (const { x, y } of batches) {
  sizes.push(x.shape[0]);
  tf.dispose([x, y]);
}
console.log(JSON.stringify({ sizes, skipped: batches.skipped, tensors: tf.memory().numTensors }));
process.exit(0);
