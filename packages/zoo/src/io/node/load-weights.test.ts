import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, useBackend } from '@mobilenets/ops/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFileError, WeightMismatchError } from '../../errors.js';
import { createModel } from '../../registry.js';
import { loadWeights } from './load-weights.js';
import { saveModel } from './model-dir.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../__fixtures__/${name}`, import.meta.url));
interface Expected {
  input: { shape: number[]; values: number[] };
  logits: { shape: number[]; values: number[] };
}
const CASES = [
  { file: 'mobilenetv2_035_10classes', name: 'mobilenetv2_100', options: { widthMultiplier: 0.35, numClasses: 10, inputSize: 64 } },
  { file: 'mobilenetv3_small_050_10classes', name: 'mobilenetv3_small_100', options: { widthMultiplier: 0.5, numClasses: 10, inputSize: 64 } },
];

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-weights-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("torchvision weights (PyTorch state_dict as safetensors, torchvision's key names)", () => {
  it.each(CASES)('$file: logits equal PyTorch eval-mode logits', async ({ file, name, options }) => {
    const expected = JSON.parse(readFileSync(fixture(`${file}.json`), 'utf8')) as Expected;
    const model = createModel(name, options);
    await loadWeights(model, fixture(`${file}.safetensors`), { format: 'torchvision' });
    const x = tf.tensor(expected.input.values, expected.input.shape);
    const logits = model.predict(x) as tf.Tensor;
    expect(logits.shape).toEqual(expected.logits.shape);
    expect(relativeError(await logits.data(), expected.logits.values)).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, logits]);
    model.dispose();
  });

  it('a file for another architecture: an error naming the tensor, and the model left as it was', async () => {
    const model = createModel('mobilenetv3_small_100', { widthMultiplier: 0.5, numClasses: 10 });
    const before = await model.getWeights()[0]!.data();
    const error = await loadWeights(model, fixture('mobilenetv2_035_10classes.safetensors'), { format: 'torchvision' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightMismatchError);
    expect((error as WeightMismatchError).tensor).toMatch(/^features\.\d+\./);
    expect(Array.from(await model.getWeights()[0]!.data())).toEqual(Array.from(before));
    model.dispose();
  });

  it('the right keys at another width: a shape error naming the tensor', async () => {
    const model = createModel('mobilenetv2_100', { widthMultiplier: 0.5, numClasses: 10 });
    const error = await loadWeights(model, fixture('mobilenetv2_035_10classes.safetensors'), { format: 'torchvision' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightMismatchError);
    // 0.35 and 0.5 share the stem (16) and the first block's widths; the first difference is block 1's projection.
    expect((error as Error).message).toMatch(/^blocks_1_0\/project\/kernel: shape \[1,1,48,8\] in .*mobilenetv2_035_10classes.safetensors, \[1,1,48,16\] in the model$/);
    model.dispose();
  });

  it('a file that is not safetensors, or is missing: a ModelFileError naming it', async () => {
    const bad = join(dir, 'bad.safetensors');
    await writeFile(bad, 'not a tensor file at all');
    const model = createModel('mobilenetv2_050', { numClasses: 10 });
    await expect(loadWeights(model, bad, { format: 'torchvision' })).rejects.toThrow(ModelFileError);
    await expect(loadWeights(model, join(dir, 'absent.safetensors'), { format: 'torchvision' })).rejects.toThrow(/absent\.safetensors: cannot read it \(ENOENT\)/);
    model.dispose();
  });
});

describe('tfjs weights (a saved model directory)', () => {
  it('round-trips into a fresh model of the same architecture, and refuses another one', async () => {
    const source = createModel('mobilenetv3_small_075', { numClasses: 4, inputSize: 64 });
    const path = join(dir, 'v3s');
    await saveModel(source, path);
    const target = createModel('mobilenetv3_small_075', { numClasses: 4, inputSize: 64 });
    await loadWeights(target, path, { format: 'tfjs' });
    const x = tf.randomNormal([1, 64, 64, 3]);
    const [a, b] = [source.predict(x) as tf.Tensor, target.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    const other = createModel('mobilenetv3_small_100', { numClasses: 4, inputSize: 64 });
    await expect(loadWeights(other, path, { format: 'tfjs' })).rejects.toThrow(WeightMismatchError);
    tf.dispose([x, a, b]);
    for (const m of [source, target, other]) m.dispose();
  });
});
