// A user's ES module: one sandglass block on the wasm backend, weights seeded so that runs compare.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { Sandglass } from '@mobilenets/blocks';

const info = await initBackend('wasm', { threads: 1 });
const block = new Sandglass({ type: 'Sandglass', inChannels: 16, outChannels: 16, stride: 1, reduction: 4 });
block.build([1, 8, 8, 16]);
block.weights.forEach((w, i) => w.write(tf.tidy(() => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i + 1))));
const before = tf.memory().numTensors;
const x = tf.randomUniform([1, 8, 8, 16], -1, 1, 'float32', 7);
const y = block.apply(x);
const values = Array.from(await y.data());
tf.dispose([x, y]);
block.releaseInferenceCache(); // the folded BatchNorm weights the first call cached
console.log(JSON.stringify({ backend: info.name, shape: y.shape, values, leaked: tf.memory().numTensors - before }));
