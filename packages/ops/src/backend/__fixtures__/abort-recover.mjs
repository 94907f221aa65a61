// Run by abort.test.ts in a child process: a real wasm abort at one of our entry points, the calls refused after
// it, then recoverBackend(). Prints one JSON line.
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, guardBackend, initBackend, recoverBackend } from '../../../dist/index.js';

const threads = Number(process.argv[2]);
await initBackend('wasm', { threads });
const caught = (f) => {
  try {
    f();
    return null;
  } catch (e) {
    return { name: e.name, message: e.message, where: e.where, backend: e.backend, cause: e.cause?.constructor?.name };
  }
};

const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 1);
const w = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 2);
const before = Array.from(await conv2d(x, w).data());
const tensors = tf.memory().numTensors;
// A pooling window wider than its input: tfjs-core lets it through and the wasm kernel reads out of bounds.
const input = tf.zeros([1, 8, 8, 4]);
const abort = caught(() => guardBackend('wide pooling', () => tf.avgPool(input, [8, 64], [8, 64], 'valid')));
const refusedOp = caught(() => conv2d(x, w));
const refusedRaw = caught(() => tf.add(x, 1));
input.dispose(); // forgotten by the inert backend without calling into the module
const recovered = await recoverBackend();
const again = conv2d(x, w);
const after = Array.from(await again.data());
again.dispose();
console.log(JSON.stringify({ abort, refusedOp, refusedRaw, recovered, same: JSON.stringify(after) === JSON.stringify(before), leaked: tf.memory().numTensors - tensors }));
