import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { OUR_CONVOLUTIONS, cifarV1Logits, createCifarV1 } from './cifar-mobilenetv1.js';

await initBackend('wasm', { threads: Number(process.argv[2] ?? 2) });
const batch = 128;
const net = createCifarV1();
const x = tf.randomNormal([batch, 32, 32, 3]) as tf.Tensor4D;
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
const opt = tf.train.adam(1e-3);
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, cifarV1Logits(net, OUR_CONVOLUTIONS, x)) as tf.Scalar, true)!;
  const t1 = performance.now();
  await l.data();
  l.dispose();
  console.log('step', (performance.now() - t0).toFixed(0), 'minimize', (t1 - t0).toFixed(0), 'mem', (process.memoryUsage().rss / 1e9).toFixed(2), 'GB', tf.memory().numBytes / 1e6);
}
