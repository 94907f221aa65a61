// Type-checked with --strict and no skipLibCheck: blocks' declarations must not pull in tfjs-layers' own.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@mobilenets/ops';
import { Sandglass, type SandglassConfig } from '@mobilenets/blocks';

const config: SandglassConfig = { type: 'Sandglass', inChannels: 16, outChannels: 16, stride: 1, reduction: 4 };
await initBackend('wasm');
const block = new Sandglass(config);
const y = block.apply(tf.zeros([1, 8, 8, 16])) as tf.Tensor;
const params: number = block.countParams() + block.cost([8, 8]).macs;
console.log(y.shape, params, block.getConfig());
