#!/usr/bin/env node
// The MobileNeXt paper's claim at small scale (docs/benchmarks.md): MobileNetV2's layout with inverted
// residual blocks vs the same layout with sandglass blocks, and MobileNetV2 vs MobileNeXt — same width,
// recipe and budget on Fashion-MNIST. The CLI has no flag for the block swap (`createModel`'s `block`), so
// this runs `fit` with the CLI's recipe.
// Usage: nice -n 10 node examples/mobilenext-claim.mjs [TRAIN=6000] [EPOCHS=4] [TEST=2000]
import { compose, fashionMnist, grayscaleToRgb, loader, normalize, randomCrop, randomHorizontalFlip, resize, subset, toTensor } from '@mobilenets/data';
import { initBackend } from '@mobilenets/ops';
import { fit } from '@mobilenets/train';
import { createModel, summarize } from '@mobilenets/zoo';

const trainSize = Number(process.argv[2] ?? 6000);
const epochs = Number(process.argv[3] ?? 4);
const testSize = Number(process.argv[4] ?? 2000);
const backend = await initBackend('wasm');
const stats = normalize([0.286, 0.286, 0.286], [0.353, 0.353, 0.353]);
const trainT = compose(grayscaleToRgb(), resize(32), randomCrop(32, 4), randomHorizontalFlip(), toTensor(), stats);
const testT = compose(grayscaleToRgb(), resize(32), toTensor(), stats);
const first = (n) => Array.from({ length: n }, (_, i) => i);
const train = subset(await fashionMnist({ split: 'train', transform: trainT }), first(trainSize));
const test = subset(await fashionMnist({ split: 'test', transform: testT }), first(testSize));

const variants = [
  ['MobileNetV2 0.35, inverted residual', 'mobilenetv2_035', {}],
  ['MobileNetV2 0.35 layout, sandglass', 'mobilenetv2_035', { block: 'sandglass' }],
  ['MobileNeXt 0.35', 'mobilenext_035', {}],
];
const rows = [];
for (const [label, name, options] of variants) {
  const model = createModel(name, { numClasses: 10, inputSize: 32, ...options });
  const { trainableParams, macs } = summarize(model).totals;
  const started = performance.now();
  const history = await fit(model, loader(train, { batchSize: 128, shuffle: true, seed: 0 }), {
    epochs,
    optimizer: { type: 'adam', lr: 3e-3 },
    schedule: { type: 'cosine', per: 'step' },
    labelSmoothing: 0.1,
    valData: loader(test, { batchSize: 500 }),
    seed: 0,
  });
  const seconds = (performance.now() - started) / 1000;
  const last = history.epochs.at(-1);
  rows.push({ label, name, ...options, params: trainableParams, macs, top1: last.val.top1, trainImagesPerSecond: last.imagesPerSecond, seconds });
  console.error(`${label}: ${(last.val.top1 * 100).toFixed(2)}% in ${(seconds / 60).toFixed(1)} min`);
  model.dispose();
}
console.log(JSON.stringify({ backend, trainSize, testSize: test.size, epochs, rows }, null, 2));
