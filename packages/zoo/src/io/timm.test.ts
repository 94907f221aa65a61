import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { WeightMismatchError } from '../errors.js';
import { createModel } from '../registry.js';
import { loadWeights } from './node/load-weights.js';

const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url));
interface Expected {
  input: { shape: number[]; values: number[] };
  logits: { shape: number[]; values: number[] };
}
/** fixtures/timm_mobilenetv4.py: timm models with random weights, BatchNorm statistics and LayerScale gammas. */
const CASES = [
  { file: 'mobilenetv4_conv_small_025_10classes', name: 'mobilenetv4_conv_small', options: { widthMultiplier: 0.25, numClasses: 10, inputSize: 64 } },
  { file: 'mobilenetv4_hybrid_medium_0125_10classes', name: 'mobilenetv4_hybrid_medium', options: { widthMultiplier: 0.125, numClasses: 10, inputSize: 72 } },
];

beforeAll(() => useBackend('wasm'));

describe("timm weights (a timm state_dict as safetensors, timm's key names)", () => {
  it.each(CASES)("$file: logits equal timm's eval-mode logits", async ({ file, name, options }) => {
    const before = tf.memory().numTensors;
    const expected = JSON.parse(readFileSync(fixture(`${file}.json`), 'utf8')) as Expected;
    const model = createModel(name, options);
    await loadWeights(model, fixture(`${file}.safetensors`), { format: 'timm' });
    const x = tf.tensor(expected.input.values, expected.input.shape);
    const logits = model.predict(x) as tf.Tensor;
    expect(logits.shape).toEqual(expected.logits.shape);
    expect(relativeError(await logits.data(), expected.logits.values)).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, logits]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a V4 file for another variant or width: an error naming the tensor, nothing loaded', async () => {
    const model = createModel('mobilenetv4_conv_small', { widthMultiplier: 0.125, numClasses: 10, inputSize: 64 });
    const before = await model.getWeights()[0]!.data();
    const error = await loadWeights(model, fixture('mobilenetv4_conv_small_025_10classes.safetensors'), { format: 'timm' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightMismatchError);
    // Widths 0.125 and 0.25 share the first stage (makeDivisible(4) = makeDivisible(8) = 8); then 96 · α: 16 vs 24.
    expect((error as Error).message).toMatch(/^blocks_1_0\/conv\/kernel: shape \[3,3,8,24\] in .*, \[3,3,8,16\] in the model$/);
    expect(Array.from(await model.getWeights()[0]!.data())).toEqual(Array.from(before));
    const hybrid = createModel('mobilenetv4_hybrid_medium', { widthMultiplier: 0.125, numClasses: 10, inputSize: 72 });
    const missing = await loadWeights(hybrid, fixture('mobilenetv4_conv_small_025_10classes.safetensors'), { format: 'timm' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(WeightMismatchError);
    expect((missing as WeightMismatchError).tensor).toBe('blocks.0.0.conv_exp.weight');
    model.dispose();
    hybrid.dispose();
  });

  it('MobileNeXt, which timm does not have: a ModelConfigError before the file is read', async () => {
    const model = createModel('mobilenext_035', { numClasses: 10 });
    await expect(loadWeights(model, fixture('mobilenetv2_035_10classes.safetensors'), { format: 'timm' })).rejects.toThrow(/no timm key map for mobilenext/);
    model.dispose();
  });
});
