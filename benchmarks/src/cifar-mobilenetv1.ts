import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain, conv2d, depthwiseConv2d, pointwiseConv2d } from '@mobilenets/ops';

/**
 * Seed 000's CIFAR-10 MobileNetV1 (32×32 input, stem 3×3 stride 1, 2,142,026 parameters) as plain
 * functions of variables, so a training step can be timed with our ops or with tfjs' stock convolutions.
 * (The zoo's `mobilenetv1_cifar` will replace it once it exists.)
 */

/** (out channels, stride) of each depthwise-separable block, as in the seed. */
export const CIFAR_V1_BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [1024, 2], [1024, 1],
];

type T4 = tf.Tensor4D;
export interface Convolutions {
  conv: (x: T4, w: T4, stride: number) => T4;
  depthwise: (x: T4, w: T4, stride: number) => T4;
  pointwise: (x: T4, w: T4) => T4;
  /** Training-mode BatchNorm, then ReLU. */
  normRelu: (x: T4, gamma: tf.Tensor1D, beta: tf.Tensor1D) => T4;
}

/** Our ops (gradients from forward kernels, BatchNorm and ReLU in one op): what the library trains with. */
export const OUR_CONVOLUTIONS: Convolutions = {
  conv: (x, w, stride) => conv2d(x, w, { stride, padding: 1 }),
  depthwise: (x, w, stride) => depthwiseConv2d(x, w, { stride, padding: 1 }),
  pointwise: (x, w) => pointwiseConv2d(x, w),
  normRelu: (x, gamma, beta) => batchNormTrain(x, gamma, beta, { activation: 'relu' }).y,
};

const PAD1: [[0, 0], [number, number], [number, number], [0, 0]] = [[0, 0], [1, 1], [1, 1], [0, 0]];
/** tfjs' own ops and gradients: the stock baseline. */
export const STOCK_CONVOLUTIONS: Convolutions = {
  conv: (x, w, stride) => tf.conv2d(x, w, stride, PAD1),
  depthwise: (x, w, stride) => tf.depthwiseConv2d(x, w, stride, PAD1),
  pointwise: (x, w) => tf.conv2d(x, w, 1, 'valid'),
  normRelu: (x, gamma, beta) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.relu(tf.batchNorm(x, mean, variance, beta, gamma, 1e-5)) as T4;
  },
};

interface BatchNormParams {
  gamma: tf.Variable;
  beta: tf.Variable;
}
export interface CifarV1Params {
  stem: tf.Variable;
  stemNorm: BatchNormParams;
  blocks: { depthwise: tf.Variable; dwNorm: BatchNormParams; pointwise: tf.Variable; pwNorm: BatchNormParams }[];
  fcWeight: tf.Variable;
  fcBias: tf.Variable;
}

function heNormal(shape: number[], fanIn: number): tf.Variable {
  return tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', 7));
}

function norm(channels: number): BatchNormParams {
  return { gamma: tf.variable(tf.ones([channels])), beta: tf.variable(tf.zeros([channels])) };
}

export function createCifarV1(numClasses = 10): CifarV1Params {
  let inC = 32;
  const blocks = CIFAR_V1_BLOCKS.map(([outC]) => {
    const block = {
      depthwise: heNormal([3, 3, inC, 1], 9),
      dwNorm: norm(inC),
      pointwise: heNormal([1, 1, inC, outC], inC),
      pwNorm: norm(outC),
    };
    inC = outC;
    return block;
  });
  return {
    stem: heNormal([3, 3, 3, 32], 27),
    stemNorm: norm(32),
    blocks,
    fcWeight: heNormal([1024, numClasses], 1024),
    fcBias: tf.variable(tf.zeros([numClasses])),
  };
}

export function cifarV1Variables(p: CifarV1Params): tf.Variable[] {
  const n = (b: BatchNormParams) => [b.gamma, b.beta];
  return [
    p.stem, ...n(p.stemNorm),
    ...p.blocks.flatMap((b) => [b.depthwise, ...n(b.dwNorm), b.pointwise, ...n(b.pwNorm)]),
    p.fcWeight, p.fcBias,
  ];
}

export function cifarV1Logits(p: CifarV1Params, convs: Convolutions, x: T4): tf.Tensor2D {
  // Training-mode BatchNorm (batch statistics, PyTorch's eps) followed by ReLU.
  const normRelu = (h: T4, n: BatchNormParams) => convs.normRelu(h, n.gamma as tf.Tensor as tf.Tensor1D, n.beta as tf.Tensor as tf.Tensor1D);
  let h = normRelu(convs.conv(x, p.stem as tf.Tensor as T4, 1), p.stemNorm);
  p.blocks.forEach((b, i) => {
    h = normRelu(convs.depthwise(h, b.depthwise as tf.Tensor as T4, CIFAR_V1_BLOCKS[i]![1]), b.dwNorm);
    h = normRelu(convs.pointwise(h, b.pointwise as tf.Tensor as T4), b.pwNorm);
  });
  // avg_pool2d(2) on the final 2×2 map = the global mean.
  return tf.add(tf.matMul(tf.mean(h, [1, 2]), p.fcWeight), p.fcBias);
}
