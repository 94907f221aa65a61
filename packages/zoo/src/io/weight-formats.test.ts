import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { relativeError, useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TinyName, registerTinySpecs } from '../__fixtures__/tiny-specs.js';
import { createModel } from '../registry.js';
import { type WeightNaming, loadWeights } from './node/load-weights.js';
import { readWeightFile } from './node/weight-file.js';

const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/weights/${name}`, import.meta.url));
interface Reference {
  input: { shape: number[]; values: number[] };
  logits: Record<string, { shape: number[]; values: number[] }>;
}
/** fixtures/weight_formats.py: one small model per family, written in every format and naming. */
const REF = JSON.parse(readFileSync(fixture('weight-formats.json'), 'utf8')) as Reference;
const CLASSES = 4;
const build = (name: TinyName) => createModel(name, { numClasses: CLASSES, inputSize: 32 });

interface Case {
  file: string;
  model: TinyName;
  format: WeightNaming;
  container: string;
  /** The reference's logits in weight-formats.json. */
  ref: string;
}
const CASES: Case[] = [
  { file: 'v1_timm.safetensors', model: 'test_v1_tiny', format: 'timm', container: 'safetensors', ref: 'v1' },
  { file: 'v1_timm.pth', model: 'test_v1_tiny', format: 'timm', container: 'torch-zip', ref: 'v1' },
  { file: 'v1_paddle.pdparams', model: 'test_v1_tiny', format: 'paddle', container: 'pickle', ref: 'v1' },
  { file: 'v1_keras.h5', model: 'test_v1_tiny', format: 'keras', container: 'hdf5', ref: 'v1' },
  { file: 'v2_torchvision.pth', model: 'test_v2_tiny', format: 'torchvision', container: 'torch-zip', ref: 'v2' },
  { file: 'v2_timm.safetensors', model: 'test_v2_tiny', format: 'timm', container: 'safetensors', ref: 'v2' },
  { file: 'v2_paddle.pdparams', model: 'test_v2_tiny', format: 'paddle', container: 'pickle', ref: 'v2' },
  { file: 'v2_keras.h5', model: 'test_v2_tiny', format: 'keras', container: 'hdf5', ref: 'v2' },
  { file: 'v3_timm.safetensors', model: 'test_v3_tiny', format: 'timm', container: 'safetensors', ref: 'v3' },
  { file: 'v3_torchvision_legacy.pth', model: 'test_v3_tiny', format: 'torchvision', container: 'torch-legacy', ref: 'v3' },
  { file: 'v3_wrapped_f16.pth', model: 'test_v3_tiny', format: 'torchvision', container: 'torch-zip', ref: 'v3_f16' },
  { file: 'v3_paddle.pdparams', model: 'test_v3_tiny', format: 'paddle', container: 'pickle', ref: 'v3' },
  { file: 'v3_keras.h5', model: 'test_v3_tiny', format: 'keras', container: 'hdf5', ref: 'v3' },
  { file: 'next_paddle.pdparams', model: 'test_next_tiny', format: 'paddle', container: 'pickle', ref: 'next' },
];

async function logitsOf(model: tfl.LayersModel): Promise<Float32Array> {
  const x = tf.tensor(REF.input.values, REF.input.shape);
  const y = model.predict(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return values;
}

const weightsOf = (model: tfl.LayersModel) => model.weights.map((w) => Array.from(w.read().dataSync()));

beforeAll(async () => {
  await useBackend('wasm');
  registerTinySpecs();
});

describe('weights from where they live: every format and naming, each family', () => {
  it.each(CASES)("$file ($format names, $container): logits equal the reference framework's", async ({ file, model: name, format, container, ref }) => {
    const before = tf.memory().numTensors;
    const model = build(name);
    expect(await loadWeights(model, fixture(file), { format })).toEqual({ format, container, tensors: model.weights.length });
    expect(relativeError(await logitsOf(model), REF.logits[ref]!.values)).toBeLessThanOrEqual(1e-4);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(CASES)("$file: format 'auto' tells the naming by the keys and the format by the content", async ({ file, model: name, format, container }) => {
    const model = build(name);
    expect(await loadWeights(model, fixture(file), { format: 'auto' })).toMatchObject({ format, container });
    model.dispose();
  });

  it.each(['v1', 'v2', 'v3'])(
    '%s: every file of the same weights (PaddleClas and Keras written without their frameworks) loads bit for bit the same tensors',
    async (family) => {
      const files = CASES.filter((c) => c.ref === family);
      const models = files.map((c) => build(c.model));
      for (const [i, c] of files.entries()) await loadWeights(models[i]!, fixture(c.file), { format: c.format });
      const first = weightsOf(models[0]!);
      const logits = await logitsOf(models[0]!);
      for (const m of models.slice(1)) {
        expect(weightsOf(m)).toEqual(first);
        expect(Array.from(await logitsOf(m))).toEqual(Array.from(logits));
      }
      for (const m of models) m.dispose();
    },
  );
});

describe('the pickle reader on numpy arrays of known values', () => {
  it.each(['p2', 'p4'])('protocol %s: C and Fortran order, float16 / float32 / float64 exact; integer arrays listed as skipped', async (p) => {
    const { container, tensors, skipped } = await readWeightFile(fixture(`numpy_cases_${p}.pdparams`));
    expect(container).toBe('pickle');
    expect(tensors.get('f4')).toEqual({ shape: [2, 3, 4], values: Float32Array.from({ length: 24 }, (_, i) => i / 8) });
    // np.arange(12).reshape(3, 4) - 5.5, stored column-major: read back row-major.
    expect(tensors.get('f8_fortran')).toEqual({ shape: [3, 4], values: Float32Array.from({ length: 12 }, (_, i) => i - 5.5) });
    expect(tensors.get('f2')).toEqual({ shape: [6, 1], values: Float32Array.from({ length: 6 }, (_, i) => i - 2.5) });
    expect(skipped).toEqual(['i8']);
  });
});

describe('torch.save files: wrappers, prefixes, dtypes and strides', () => {
  it("reads a checkpoint's float16 / bfloat16 'state_dict' with 'module.' prefixes, non-contiguous and storage-sharing tensors", async () => {
    const { container, tensors, skipped } = await readWeightFile(fixture('v3_wrapped_f16.pth'));
    const legacy = await readWeightFile(fixture('v3_torchvision_legacy.pth'));
    expect(container).toBe('torch-zip');
    expect([...tensors.keys()].sort()).toEqual([...legacy.tensors.keys()].sort());
    expect(skipped.sort()).toEqual(legacy.skipped.sort());
    expect(skipped.every((k) => k.endsWith('num_batches_tracked'))).toBe(true);
    // The same tensors rounded to float16 (weights) and bfloat16 (running statistics), whatever their strides.
    const round = (v: Float32Array, key: string) => (key.includes('running') ? v.map(bf16) : v.map(f16));
    for (const [key, t] of legacy.tensors) {
      expect(tensors.get(key)!.shape).toEqual(t.shape);
      expect(Array.from(tensors.get(key)!.values), key).toEqual(Array.from(round(t.values, key)));
    }
  });
});

/** The nearest float16 (ties to even), as a number. */
function f16(x: number): number {
  const step = 2 ** (Math.max(Math.floor(Math.log2(Math.abs(x))), -14) - 10);
  const q = Math.abs(x) / step;
  const floor = Math.floor(q);
  const up = q - floor > 0.5 || (q - floor === 0.5 && floor % 2 === 1);
  return Math.sign(x) * (up ? floor + 1 : floor) * step;
}

/** The nearest bfloat16 (ties to even), as a number. */
function bf16(x: number): number {
  const bits = new Uint32Array(new Float32Array([x]).buffer)[0]!;
  const rounded = (bits + 0x7fff + ((bits >> 16) & 1)) & 0xffff0000;
  return new Float32Array(new Uint32Array([rounded >>> 0]).buffer)[0]!;
}
