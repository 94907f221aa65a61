#!/usr/bin/env node
// The TypeScript side of examples/reference/fmnist_torch.py: the same Fashion-MNIST images, input size,
// normalization, augmentation, optimizer, schedule and epochs through `fit`, one JSON line per epoch.
//   nice -n 10 node examples/reference/fmnist-ts.mjs --model mobilenetv2_035 --train 2000 --test 1000 \
//     --epochs 3 --batch-size 100 --optimizer adam --lr 3e-3
import { parseArgs } from 'node:util';
import { compose, fashionMnist, grayscaleToRgb, loader, normalize, randomCrop, randomHorizontalFlip, resize, subset, toTensor } from '@mobilenets/data';
import { initBackend } from '@mobilenets/ops';
import { fit } from '@mobilenets/train';
import { createModel, exportWeights } from '@mobilenets/zoo';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'mobilenetv2_035' },
    dropout: { type: 'string' },
    size: { type: 'string', default: '32' },
    train: { type: 'string', default: '60000' },
    test: { type: 'string', default: '10000' },
    epochs: { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '100' },
    optimizer: { type: 'string', default: 'adam' },
    lr: { type: 'string', default: '3e-3' },
    'weight-decay': { type: 'string', default: '0' },
    schedule: { type: 'string', default: 'constant' },
    warmup: { type: 'string', default: '0' },
    'label-smoothing': { type: 'string', default: '0' },
    normalize: { type: 'boolean', default: false },
    pad: { type: 'string', default: '0' },
    flip: { type: 'boolean', default: false },
    seed: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'wasm' },
    'no-shuffle': { type: 'boolean', default: false },
    'export-init': { type: 'string' },
    'log-steps': { type: 'boolean', default: false },
  },
});
const size = Number(a.size);
await initBackend(a.backend);
const base = [grayscaleToRgb(), ...(size !== 28 ? [resize(size)] : [])];
const tail = [toTensor(), ...(a.normalize ? [normalize([0.286, 0.286, 0.286], [0.353, 0.353, 0.353])] : [])];
const augment = [...(Number(a.pad) > 0 ? [randomCrop(size, Number(a.pad))] : []), ...(a.flip ? [randomHorizontalFlip()] : [])];
const first = (n) => Array.from({ length: n }, (_, i) => i);
const train = subset(await fashionMnist({ split: 'train', transform: compose(...base, ...augment, ...tail) }), first(Number(a.train)));
const test = subset(await fashionMnist({ split: 'test', transform: compose(...base, ...tail) }), first(Number(a.test)));
const model = createModel(a.model, { numClasses: 10, inputSize: size, ...(a.dropout !== undefined && { dropout: Number(a.dropout) }) });
if (a['export-init']) await exportWeights(model, a['export-init'], { format: 'torchvision', overwrite: true });
const data = loader(train, { batchSize: Number(a['batch-size']), shuffle: !a['no-shuffle'], seed: Number(a.seed) });
const warmup = Math.round(Number(a.warmup) * data.batchesPerEpoch);
const after = a.schedule === 'cosine' ? { type: 'cosine', per: 'step' } : { type: 'constant' };
let previous = 0;
await fit(model, data, {
  epochs: Number(a.epochs),
  optimizer: a.optimizer === 'sgd' ? { type: 'sgd', lr: Number(a.lr), momentum: 0.9, nesterov: true } : { type: a.optimizer, lr: Number(a.lr) },
  weightDecay: Number(a['weight-decay']),
  schedule: warmup > 0 ? { type: 'warmup', length: warmup, per: 'step', after } : after,
  labelSmoothing: Number(a['label-smoothing']),
  valData: loader(test, { batchSize: 500 }),
  seed: Number(a.seed),
  callbacks: {
    // b.loss is the epoch's running mean: the step's own loss is the difference of running sums (equal batches).
    onBatchEnd: (b) => {
      if (a['log-steps']) console.log(JSON.stringify({ step: (b.epoch - 1) * b.batches + b.batch, loss: b.batch * b.loss - (b.batch - 1) * previous }));
      previous = b.batch === b.batches ? 0 : b.loss;
    },
    onEpochEnd: (r) =>
      console.log(JSON.stringify({ epoch: r.epoch, train_loss: r.train.loss, train_top1: r.train.top1, val_loss: r.val.loss, val_top1: r.val.top1, seconds: Math.round(r.seconds * 10) / 10 })),
  },
});
