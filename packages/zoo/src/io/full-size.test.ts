import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, useBackend } from '@mobilenets/ops/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, type ReferenceModel, TIMM_PYTHON, pythonHas, torchReference } from '../__fixtures__/node/python.js';
import { createModel } from '../registry.js';
import { loadWeights } from './node/load-weights.js';

/*
 * Full-size files (~14 MB each, never committed): made at test time by fixtures/torch_reference.py with the
 * library's own initialisation and random BatchNorm statistics, saved with torch.save, loaded here with
 * format 'auto', logits compared on one 224×224 image.
 */
const CASES = [
  { python: PYTHON, modules: ['torch', 'torchvision'], name: 'mobilenetv2_100', naming: 'torchvision', reference: { lib: 'torchvision', fn: 'mobilenet_v2' } },
  { python: PYTHON, modules: ['torch', 'torchvision'], name: 'mobilenetv3_large_100', naming: 'torchvision', reference: { lib: 'torchvision', fn: 'mobilenet_v3_large' } },
  // timm's own models of the registered names. Its V3 uses BatchNorm eps 1e-5 where torchvision (and the zoo) use
  // 1e-3, and its V1 ReLU6 where the zoo's uses ReLU: built here with the zoo's, the rest of the network is timm's.
  { python: TIMM_PYTHON, modules: ['torch', 'timm'], name: 'mobilenetv2_100', naming: 'timm', reference: { lib: 'timm', fn: 'create_model', args: ['mobilenetv2_100'] } },
  { python: TIMM_PYTHON, modules: ['torch', 'timm'], name: 'mobilenetv3_large_100', naming: 'timm', reference: { lib: 'timm', fn: 'create_model', args: ['mobilenetv3_large_100'], kwargs: { bn_eps: 1e-3 } } },
  { python: TIMM_PYTHON, modules: ['torch', 'timm'], name: 'mobilenetv1_100', naming: 'timm', reference: { lib: 'timm', fn: 'create_model', args: ['mobilenetv1_100'], kwargs: { act_layer: 'relu' } } },
] as const;

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-full-size-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('full-size torch.save files of the registered models load and match PyTorch / timm', () => {
  it.for([PYTHON, TIMM_PYTHON])('the models %s makes (skipped with a note when it cannot)', async (python, { skip }) => {
    const cases = CASES.filter((c) => c.python === python);
    const modules = [...new Set(cases.flatMap((c) => c.modules))];
    skip(!pythonHas(python, modules), `${python} cannot import ${modules.join(', ')}: the committed small fixtures still run`);
    const input = { shape: [1, 224, 224, 3], values: tf.tidy(() => tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 7).dataSync() as Float32Array) };
    const files = cases.map((c, i) => join(dir, `${c.name}-${c.naming}-${i}.pth`));
    const theirs = await torchReference(
      python,
      dir,
      cases.map((c, i) => ({ ...(c.reference as ReferenceModel), save: files[i], input })),
    );
    for (const [i, { name, naming }] of cases.entries()) {
      const before = tf.memory().numTensors;
      const model = createModel(name);
      expect(await loadWeights(model, files[i]!, { format: 'auto' })).toMatchObject({ format: naming, container: 'torch-zip' });
      const x = tf.tensor(input.values, input.shape);
      const y = model.predict(x) as tf.Tensor;
      expect(relativeError(await y.data(), theirs[i]!), `${name} (${naming})`).toBeLessThanOrEqual(1e-4);
      tf.dispose([x, y]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
