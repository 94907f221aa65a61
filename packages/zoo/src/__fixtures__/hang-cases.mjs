// Run by bad-input.test.ts, one case per child process (each of these used to hang or abort the process):
// prints one JSON line with the error the bad call gave and whether the next good call worked.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { createModel } from '@mobilenets/zoo';

await initBackend('wasm'); // the default: every core
const error = (f) => {
  try {
    f();
    return null;
  } catch (e) {
    return { name: e.name, message: e.message };
  }
};
const x = tf.zeros([1, 64, 64, 3]);
const rank3 = tf.zeros([64, 64, 3]);
let result;
switch (process.argv[2]) {
  case 'widthMultiplier 100': {
    const before = tf.memory().numTensors;
    result = { error: error(() => createModel('mobilenetv3_small_100', { widthMultiplier: 100 })), leaked: tf.memory().numTensors - before };
    break;
  }
  case 'rank 3 to a built V3 block': {
    const model = createModel('mobilenetv3_small_100', { inputSize: 64 });
    const block = model.getLayer('blocks_0_0');
    const input = tf.zeros([1, 32, 32, 16]);
    tf.dispose(block.apply(input));
    result = { error: error(() => block.apply(tf.zeros([32, 32, 16]))), next: block.apply(input).shape };
    break;
  }
  case 'rank 3 to mobilenetv3_small_100.apply': {
    const model = createModel('mobilenetv3_small_100', { inputSize: 64 });
    tf.dispose(model.apply(x));
    result = { error: error(() => model.apply(rank3)), next: model.apply(x).shape };
    break;
  }
}
console.log(JSON.stringify(result));
