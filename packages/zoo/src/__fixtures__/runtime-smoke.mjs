// Run by runtimes.test.ts under Node, Bun and Deno: the same seeded model and input, printed as one JSON line.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { createModel } from '@mobilenets/zoo';

const info = await initBackend('wasm', { threads: 1 });
const model = createModel('mobilenetv3_small_100', { numClasses: 10, inputSize: 64 });
model.weights.forEach((w, i) => w.write(tf.tidy(() => tf.randomNormal(w.shape, 0, 0.1, 'float32', i + 1))));
const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 7);
const logits = await model.predict(x).data();
const grad = tf.grad((v) => tf.sum(model.apply(v, { training: true })))(x);
console.log(JSON.stringify({ backend: info.name, threads: info.threads, logits: Array.from(logits), gradShape: grad.shape }));
