import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { relativeError, useBackend } from '@mobilenets/ops/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, type ReferenceModel, TIMM_PYTHON, pythonHas, torchReference } from '../__fixtures__/node/python.js';
import { registerTinySpecs } from '../__fixtures__/tiny-specs.js';
import { ModelConfigError, WriteError } from '../errors.js';
import { createModel } from '../registry.js';
import { exportWeights } from './export-weights.js';
import { loadWeights } from './node/load-weights.js';
import { readWeightFile } from './node/weight-file.js';

const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url));
const tiny = { numClasses: 4, inputSize: 32 };

/** A file of each family in each exported naming; the exported file must hold exactly its keys and its bytes. */
const ROUND_TRIPS = [
  { source: 'weights/v2_torchvision.pth', name: 'test_v2_tiny', options: tiny, format: 'torchvision' },
  { source: 'weights/v3_torchvision_legacy.pth', name: 'test_v3_tiny', options: tiny, format: 'torchvision' },
  { source: 'weights/v1_timm.safetensors', name: 'test_v1_tiny', options: tiny, format: 'timm' },
  { source: 'weights/v2_timm.safetensors', name: 'test_v2_tiny', options: tiny, format: 'timm' },
  { source: 'weights/v3_timm.safetensors', name: 'test_v3_tiny', options: tiny, format: 'timm' },
  { source: 'mobilenetv4_hybrid_medium_0125_10classes.safetensors', name: 'mobilenetv4_hybrid_medium', options: { widthMultiplier: 0.125, numClasses: 10, inputSize: 72 }, format: 'timm' },
] as const;

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  registerTinySpecs();
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-export-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const weightsOf = (model: tfl.LayersModel) => model.weights.map((w) => Array.from(w.read().dataSync()));

describe('exportWeights: a PyTorch state_dict in safetensors', () => {
  it.each(ROUND_TRIPS)('$source → $format: the same keys (num_batches_tracked included) and bytes; re-imported bit for bit', async ({ source, name, options, format }) => {
    const model = createModel(name, options);
    await loadWeights(model, fixture(source), { format });
    const out = join(dir, `${name}-${format}.safetensors`);
    expect(await exportWeights(model, out, { format })).toBe(out);
    const [original, exported] = [await readWeightFile(fixture(source)), await readWeightFile(out)];
    expect([...exported.tensors.keys()].sort()).toEqual([...original.tensors.keys()].sort());
    expect(exported.skipped.sort()).toEqual(original.skipped.sort());
    for (const [key, t] of original.tensors) expect(exported.tensors.get(key), key).toEqual(t);
    const again = createModel(name, options);
    await loadWeights(again, out, { format });
    expect(weightsOf(again)).toEqual(weightsOf(model));
    model.dispose();
    again.dispose();
  });

  it('refuses to replace a file unasked, a naming it does not write, and a family the naming has no map for', async () => {
    const model = createModel('test_v1_tiny', tiny);
    const out = join(dir, 'once.safetensors');
    await exportWeights(model, out, { format: 'timm' });
    await expect(exportWeights(model, out, { format: 'timm' })).rejects.toThrow(WriteError);
    await exportWeights(model, out, { format: 'timm', overwrite: true });
    await expect(exportWeights(model, out, { format: 'paddle' as 'timm' })).rejects.toThrow(/writes torchvision or timm state_dicts, not paddle/);
    await expect(exportWeights(model, out, { format: 'torchvision', overwrite: true })).rejects.toThrow(ModelConfigError);
    model.dispose();
  });
});

interface Expected {
  input: { shape: number[]; values: number[] };
}
/** Exports of registered models, loaded by PyTorch / timm with load_state_dict(strict=True), logits compared. */
const STRICT_LOADS = [
  {
    python: PYTHON,
    modules: ['torch', 'torchvision'],
    file: 'mobilenetv2_035_10classes',
    name: 'mobilenetv2_035',
    options: { numClasses: 10, inputSize: 64 },
    format: 'torchvision',
    reference: { lib: 'torchvision', fn: 'mobilenet_v2', kwargs: { width_mult: 0.35, num_classes: 10 } },
  },
  {
    python: PYTHON,
    modules: ['torch', 'torchvision'],
    file: 'mobilenetv3_small_050_10classes',
    name: 'mobilenetv3_small_100',
    options: { widthMultiplier: 0.5, numClasses: 10, inputSize: 64 },
    format: 'torchvision',
    reference: { lib: 'torchvision', fn: 'mobilenet_v3_small', kwargs: { width_mult: 0.5, num_classes: 10 } },
  },
  {
    python: TIMM_PYTHON,
    modules: ['torch', 'timm'],
    file: 'mobilenetv4_conv_small_025_10classes',
    name: 'mobilenetv4_conv_small',
    options: { widthMultiplier: 0.25, numClasses: 10, inputSize: 64 },
    format: 'timm',
    reference: { lib: 'timm', fn: '_gen_mobilenet_v4', args: ['mobilenetv4_conv_small', 0.25], kwargs: { num_classes: 10 } },
  },
] as const;

describe('exportWeights → PyTorch load_state_dict(strict=True) → the same logits', () => {
  it.for([PYTHON, TIMM_PYTHON])('the models %s checks, in one run (skipped with a note when it cannot)', async (python, { skip }) => {
    const cases = STRICT_LOADS.filter((c) => c.python === python);
    const modules = [...new Set(cases.flatMap((c) => c.modules))];
    skip(!pythonHas(python, modules), `${python} cannot import ${modules.join(', ')}: the exports are still checked by the round trips above`);
    const ours: Float32Array[] = [];
    const requests: Parameters<typeof torchReference>[2] = [];
    for (const { file, name, options, format, reference } of cases) {
      const model = createModel(name, options);
      await loadWeights(model, fixture(`${file}.safetensors`), { format });
      const out = join(dir, `${file}-export.safetensors`);
      await exportWeights(model, out, { format, overwrite: true });
      const { input } = JSON.parse(readFileSync(fixture(`${file}.json`), 'utf8')) as Expected;
      const x = tf.tensor(input.values, input.shape);
      const y = model.predict(x) as tf.Tensor;
      ours.push((await y.data()) as Float32Array);
      tf.dispose([x, y]);
      model.dispose();
      requests.push({ ...(reference as ReferenceModel), load: out, input: { shape: input.shape, values: Float32Array.from(input.values) } });
    }
    const theirs = await torchReference(python, dir, requests);
    for (const [i, o] of ours.entries()) expect(relativeError(o, theirs[i]!), cases[i]!.name).toBeLessThanOrEqual(1e-4);
  });
});
