// Run by runtimes.test.mjs under Node, Bun and Deno (from the repository root, on the built packages): one small
// seeded job per package, printed as one JSON line so that the runtimes can be compared.
// Arguments: the wasm thread count; `--cause` instead runs only the backend set-up and reports its error.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { Sandglass } from '@mobilenets/blocks';
import { createModel } from '@mobilenets/zoo';
import { compose, loader, randomHorizontalFlip, toTensor } from '@mobilenets/data';
import { loadClassifier } from '@mobilenets/infer';
import { fit } from '@mobilenets/train';

const arg = (globalThis.Deno?.args ?? process.argv.slice(2))[0];

if (arg === '--cause') {
  const error = await initBackend('wasm', { threads: 1 }).catch((e) => e);
  console.log(JSON.stringify({ name: error.name, message: error.message, cause: String(error.cause), causeName: error.cause?.name }));
} else {
  const info = await initBackend('wasm', { threads: Number(arg) });
  /** Seeded weights (tfjs' initializers draw from an unseeded generator); BatchNorm scales and variances near one. */
  const seed = (weights) =>
    weights.forEach((w, i) => {
      const [low, high] = /variance|gamma/.test(w.name) ? [0.5, 1.5] : [-0.3, 0.3];
      w.write(tf.tidy(() => tf.randomUniform(w.shape, low, high, 'float32', i + 1)));
    });
  const values = async (t) => Array.from(await t.data());

  // blocks: one sandglass, inference.
  const block = new Sandglass({ type: 'Sandglass', inChannels: 8, outChannels: 8, stride: 1, reduction: 2 });
  block.build([1, 6, 6, 8]);
  seed(block.weights);
  const blockOut = block.apply(tf.randomUniform([1, 6, 6, 8], -1, 1, 'float32', 3));

  // zoo and ops: a whole V3, its logits and the gradient of their sum with respect to the input.
  const model = createModel('mobilenetv3_small_075', { numClasses: 10, inputSize: 32 });
  seed(model.weights);
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 7);
  const logits = model.predict(x);
  // Inference mode (training mode draws dropout masks unseeded); weighted, since the outputs sum to one.
  const grad = tf.grad((v) => tf.sum(tf.mul(model.apply(v), tf.range(0, 10))))(x);

  // data: an in-memory dataset through seeded transforms and a shuffling loader.
  const images = Array.from({ length: 8 }, (_, i) => tf.randomUniform([32, 32, 3], 0, 255, 'int32', 100 + i));
  const dataset = {
    size: 8,
    classes: Array.from({ length: 10 }, (_, i) => `class ${i}`),
    get: async (i, rng) => ({ image: compose(randomHorizontalFlip(), toTensor())(images[i], rng), label: i % 10 }),
  };
  const labels = [];
  for await (const { x: bx, y: by } of loader(dataset, { batchSize: 4, shuffle: true, seed: 1 })) {
    labels.push(...(await by.data()));
    tf.dispose([bx, by]);
  }

  // train: one epoch of SGD on that dataset.
  const history = await fit(model, loader(dataset, { batchSize: 4, shuffle: true, seed: 1 }), { epochs: 1, optimizer: { type: 'sgd', lr: 0.01 }, seed: 1 });

  // infer: the tiny Fashion-MNIST classifier on one seeded image.
  const classifier = await loadClassifier('packages/infer/src/__fixtures__/fashion-tiny');
  const [prediction] = await classifier.classify(tf.randomUniform([28, 28, 1], 0, 255, 'int32', 11), { topk: 3 });

  console.log(
    JSON.stringify({
      backend: info.name,
      threads: info.threads,
      block: await values(blockOut),
      logits: await values(logits),
      gradShape: grad.shape,
      grad: await values(tf.sum(tf.abs(grad), [1, 2, 3])),
      labels,
      loss: history.epochs[0].train.loss,
      prediction: { classIds: prediction.classIds, scores: prediction.scores },
    }),
  );
}
