import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '@mobilenets/ops';
import { OUR_CONVOLUTIONS, cifarV1Logits, createCifarV1 } from './cifar-mobilenetv1.js';

const backend = (process.argv[2] ?? 'wasm') as BackendName;
await initBackend(backend, { threads: Number(process.argv[3] ?? 2) });
const batch = Number(process.argv[4] ?? 128);
const net = createCifarV1();
const x = tf.randomNormal([batch, 32, 32, 3]) as tf.Tensor4D;
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
const opt = tf.train.adam(1e-3);
const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, cifarV1Logits(net, OUR_CONVOLUTIONS, x)) as tf.Scalar, true)!;
(await step()).dispose();
const info = await tf.profile(async () => { const l = step(); await l.data(); l.dispose(); });
const by = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const key = process.argv[5] === 'shapes' ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
  const e = by.get(key) ?? { ms: 0, n: 0 };
  e.ms += Number(k.kernelTimeMs); e.n++;
  by.set(key, e);
}
const total = [...by.values()].reduce((a, b) => a + b.ms, 0);
console.log('total kernel ms', total.toFixed(0));
for (const [k, v] of [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(4), k);
