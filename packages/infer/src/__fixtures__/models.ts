/**
 * Models for the tests: a tiny V3-style net (stem, bnecks with SE, hard-swish, hidden layer), a tiny V4-style net
 * with the block options the registered V4s leave out, a micro V2, and random weights.
 */
import { V3_NORM } from '@mobilenets/blocks';
import { seededValues } from '@mobilenets/ops/testing';
import { buildModel, type ModelSpec, resolveRecipe, type SpecPreprocessing } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** torchvision's ImageNet evaluation (what an unregistered name gets from the zoo's defaultPreprocessing too). */
const IMAGENET: SpecPreprocessing = { resize: 256, crop: 224, interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

const TINY: ModelSpec = {
  family: 'mobilenetv3',
  stem: 'cn_r1_k3_s2_c8_nhs',
  stages: [['ir_r1_k3_s2_x16_c8_se0.25_nre'], ['ir_r1_k5_s1_x24_c8_se0.25_nhs']],
  head: 'cn_r1_k1_s1_c16_nhs',
  hidden: { channels: 16, activation: 'hardSwish' },
  dropout: 0.2,
  norm: V3_NORM,
  width: (c) => c,
  inputSize: 16,
  numClasses: 5,
  widthMultiplier: 1,
  source: 'infer tests',
  preprocessing: IMAGENET,
};

/** A 16×16, 5-class model of every kind of unit a V3 has, built in milliseconds. */
export function tinyModel(options: { numClasses?: number; inputSize?: number } = {}): tfl.LayersModel {
  return buildModel(TINY, resolveRecipe('tiny_v3', TINY, options));
}

/**
 * The UIB, FusedIB and Mobile MQA options no registered V4 uses: the stride on the start and on the end
 * depthwise, an end depthwise, squeeze-excite in UIB and FusedIB, GELU in a block; attention with and without
 * key/value down-sampling, with and without a residual.
 */
const TINY_V4: ModelSpec = {
  family: 'mobilenetv4',
  stem: 'cn_r1_k3_s2_c16_nre',
  stages: [
    ['uir_r1_a3_k0_s2_e2_c16_nre', 'er_r1_k3_s1_e2_c24_se0.25_nre'],
    ['uir_r1_a0_k0_p3_s2_e2_c24_ls_nge', 'uir_r1_a5_k3_p3_s1_e2_c24_se0.25_nre', 'mqa_r1_k3_h2_v2_s1_d8_c24_ls', 'mqa_r1_k3_h4_s1_d8_c32'],
  ],
  hidden: { channels: 48, activation: 'gelu', normalize: true },
  dropout: 0,
  width: (c) => c,
  inputSize: 32,
  numClasses: 5,
  widthMultiplier: 1,
  source: 'infer tests',
  preprocessing: { ...IMAGENET, interpolation: 'bicubic' },
};

/** A 32×32, 5-class V4-style net (see TINY_V4). */
export function tinyV4Model(): tfl.LayersModel {
  return buildModel(TINY_V4, resolveRecipe('tiny_v4', TINY_V4, {}));
}

const MICRO: ModelSpec = {
  family: 'mobilenetv2',
  stem: 'cn_r1_k3_s2_c4_nr6',
  stages: [['ir_r1_k3_s1_e1_c4']],
  dropout: 0,
  width: (c) => c,
  inputSize: 8,
  numClasses: 3,
  widthMultiplier: 1,
  source: 'infer tests',
  preprocessing: IMAGENET,
};

/** An 8×8, 3-class net of a dozen kernels: what 10,000 calls can afford. */
export function microModel(): tfl.LayersModel {
  return buildModel(MICRO, resolveRecipe('micro_v2', MICRO, {}));
}

/**
 * Seeded weights of realistic ranges, so that BatchNorm folding is really tested: γ and the running variance
 * in [0.5, 1.5], β and the running mean in [−0.2, 0.2], kernels scaled by 1/√fan-in, biases in [−0.1, 0.1].
 */
export function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  model.weights.forEach((w, i) => {
    const shape = w.shape as number[];
    const u = seededValues(shape.reduce((a, b) => a * b, 1), seed * 1000 + i);
    const name = w.originalName;
    let values: Float32Array;
    if (/(gamma|moving_variance)$/.test(name)) values = u.map((v) => 1 + 0.5 * v);
    else if (/(beta|moving_mean)$/.test(name)) values = u.map((v) => 0.2 * v);
    else if (shape.length === 1) values = u.map((v) => 0.1 * v);
    else {
      // Depthwise kernels [k, k, C, 1] sum k·k inputs; others k·k·in (dense: in).
      const fanIn = shape.length === 2 ? shape[0]! : shape[0]! * shape[1]! * (shape[3] === 1 ? 1 : shape[2]!);
      values = u.map((v) => (v * Math.sqrt(3)) / Math.sqrt(fanIn));
    }
    const t = tf.tensor(values, shape);
    w.write(t);
    t.dispose();
  });
}
