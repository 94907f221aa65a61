/**
 * Makes the `fashion-tiny` model directory the quantization tests measure on: the tiny V3-style net trained
 * briefly (one epoch, Adam) on Fashion-MNIST's training split, through exactly the preprocessing infer applies.
 * Skipped in normal runs; run once with `MOBILENETS_MAKE_FIXTURES=1 npx vitest run src/__fixtures__/make-fashion-tiny.test.ts`.
 */
import { FASHION_MNIST_CLASSES, fashionMnist, permutation, mulberry32 } from '@mobilenets/data';
import { useBackend } from '@mobilenets/ops/testing';
import { defaultPreprocessing, type ModelRecipe, saveModel } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { imageSources } from '../input.js';
import { preprocess } from '../preprocess/preprocess.js';
import { tinyModel } from './models.js';

export const FASHION_TINY = new URL('./fashion-tiny', import.meta.url).pathname;
const SIZE = 28;
const BATCH = 64;

describe.runIf(process.env.MOBILENETS_MAKE_FIXTURES === '1')('make the fashion-tiny fixture', () => {
  it('trains one epoch and saves the model directory', async () => {
    await useBackend('wasm');
    const model = tinyModel({ numClasses: 10, inputSize: SIZE });
    const p = defaultPreprocessing((model.getUserDefinedMetadata() as { mobilenets: ModelRecipe }).mobilenets);
    const input = async (data: Awaited<ReturnType<typeof fashionMnist>>, indices: ArrayLike<number>) => {
      const batch = new Float32Array(indices.length * SIZE * SIZE * 3);
      const labels: number[] = [];
      for (let i = 0; i < indices.length; i++) {
        const { image, label } = await data.get(indices[i]!);
        const pixels = { data: Uint8Array.from(await image.data()), width: 28, height: 28 };
        image.dispose();
        batch.set(preprocess(await imageSources(pixels)[0]!.read(), p), i * SIZE * SIZE * 3);
        labels.push(label);
      }
      return { x: tf.tensor4d(batch, [indices.length, SIZE, SIZE, 3]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10), labels };
    };
    const train = await fashionMnist({ split: 'train' });
    const order = permutation(train.size, mulberry32(14));
    const optimizer = tf.train.adam(3e-3);
    for (let start = 0; start + BATCH <= train.size; start += BATCH) {
      const { x, y } = await input(train, order.slice(start, start + BATCH));
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
      if (start % (BATCH * 100) === 0) console.log(start, loss!.dataSync()[0]);
      tf.dispose([x, y, loss!]);
    }
    const test = await fashionMnist({ split: 'test' });
    let correct = 0;
    for (let start = 0; start < test.size; start += 500) {
      const { x, y, labels } = await input(test, Array.from({ length: 500 }, (_, i) => start + i));
      const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).dataSync();
      correct += labels.filter((l, i) => predicted[i] === l).length;
      tf.dispose([x, y]);
    }
    const accuracy = correct / test.size;
    console.log('test accuracy', accuracy);
    expect(accuracy).toBeGreaterThan(0.3); // chance is 0.1
    await saveModel(model, FASHION_TINY, {
      labels: [...FASHION_MNIST_CLASSES],
      preprocessing: p,
      provenance: { dataset: 'fashion-mnist (one epoch, Adam 3e-3, batch 64)', epochs: 1, metrics: { testTop1: accuracy } },
    });
    model.dispose();
  }, 3_600_000);
});
