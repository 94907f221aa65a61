import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BlockConfigError, BlockInputError } from '@mobilenets/blocks';
import { seeded, useBackend } from '@mobilenets/ops/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { mobilenetV2 } from './arch/specs.js';
import { buildModel, MAX_WEIGHT_BYTES, resolveRecipe } from './build.js';
import { ModelConfigError, ModelInputError } from './errors.js';
import { createModel } from './registry.js';

beforeAll(() => useBackend('wasm'));

function disposed(shape: number[]): tf.Tensor {
  const t = tf.zeros(shape);
  t.dispose();
  return t;
}

/** Every kind of bad input tried, and how the error names what was received. */
const BAD: [string, () => unknown, string][] = [
  ['rank 3', () => tf.zeros([64, 64, 3]), 'float32 [64, 64, 3]'],
  ['NCHW', () => tf.zeros([1, 3, 64, 64]), 'float32 [1, 3, 64, 64]'],
  ['4 channels', () => tf.zeros([1, 64, 64, 4]), 'float32 [1, 64, 64, 4]'],
  ['int32', () => tf.zeros([1, 64, 64, 3], 'int32'), 'int32 [1, 64, 64, 3]'],
  ['an empty batch', () => tf.zeros([0, 64, 64, 3]), 'float32 [0, 64, 64, 3]'],
  ['a disposed tensor', () => disposed([1, 64, 64, 3]), 'a disposed tensor [1, 64, 64, 3]'],
  ['an array', () => [[0.5]], 'an array'],
  ['null', () => null, 'null'],
];

describe('a built model under 100 bad inputs of each kind', () => {
  it('answers each with a ModelInputError, leaks no tensor, and then gives the same logits as before', async () => {
    const model = createModel('mobilenetv3_small_100', { inputSize: 64, numClasses: 10 });
    const x = seeded([2, 64, 64, 3], 1);
    const logits = async () => {
      const [p, a] = [model.predict(x) as tf.Tensor, model.apply(x) as tf.Tensor];
      const values = [Array.from(await p.data()), Array.from(await a.data())];
      tf.dispose([p, a]);
      return values;
    };
    const before = await logits();
    const tensors = tf.memory().numTensors;
    const entries: [string, (bad: unknown) => unknown, string][] = [
      ['predict', (bad) => model.predict(bad as tf.Tensor), 'batch, 64, 64, 3'],
      ['apply', (bad) => model.apply(bad as tf.Tensor), 'batch, height, width, 3'],
      ['apply in training mode', (bad) => model.apply(bad as tf.Tensor, { training: true }), 'batch, height, width, 3'],
    ];
    const cases: [string, () => unknown, string][] = [...BAD, ['32×32 (predict: not the model size)', () => tf.zeros([1, 32, 32, 3]), 'float32 [1, 32, 32, 3]']];
    for (const [kind, make, received] of cases) {
      const bad = make();
      for (const [entry, call, expected] of entries) {
        if (kind.startsWith('32×32') && entry !== 'predict') continue; // apply takes any size, as a PyTorch module does
        for (let i = 0; i < 100; i++) {
          let error: unknown;
          try {
            call(bad);
          } catch (e) {
            error = e;
          }
          expect(error, `${kind} to ${entry}`).toBeInstanceOf(ModelInputError);
          if (i === 0) {
            expect((error as Error).message, `${kind} to ${entry}`).toBe(
              `mobilenetv3_small_100: expected a float32 NHWC tensor [${expected}], got ${received}`,
            );
          }
        }
        expect(tf.memory().numTensors, `tensors after ${kind} to ${entry}`).toBe(tensors + (bad instanceof tf.Tensor && !bad.isDisposed ? 1 : 0));
      }
      if (bad instanceof tf.Tensor) bad.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await logits()).toEqual(before);
    x.dispose();
    model.dispose();
  });

  it('a model rebuilt from its layers (as loadModel gives) still refuses through its stem: a BlockInputError', () => {
    const model = createModel('mobilenetv3_small_100', { inputSize: 64, numClasses: 10 });
    const plain = tfl.model({ inputs: model.inputs, outputs: model.outputs });
    const bad = tf.zeros([64, 64, 3]);
    expect(() => plain.apply(bad)).toThrow(BlockInputError);
    expect(() => plain.apply(bad)).toThrow(/^stem \(ConvNormAct\): expected a float32 NHWC tensor \[batch, height, width, 3\], got float32 \[64, 64, 3\]$/);
    bad.dispose();
    model.dispose();
  });
});

describe('createModel options', () => {
  const error = (f: () => unknown) => {
    const before = tf.memory().numTensors;
    try {
      f();
    } catch (e) {
      expect(tf.memory().numTensors, 'tensors left by the failed call').toBe(before);
      return e as Error;
    }
    throw new Error('expected a throw');
  };

  it('numClasses 1e9: refused from the cost model before anything is allocated, naming the figure', () => {
    const e = error(() => createModel('mobilenetv3_small_100', { numClasses: 1e9 }));
    expect(e).toBeInstanceOf(ModelConfigError);
    // 1024 · 1e9 classifier weights + 1e9 biases + 1,517,856 in the rest of the net.
    expect(e.message).toBe(
      'mobilenetv3_small_100 with numClasses 1000000000 and widthMultiplier 1 would hold 1,025,001,517,856 weights, 3818 GiB as float32; the zoo builds at most 2.00 GiB of weights',
    );
  });

  it('widths and classes each allowed, but together above 2 GiB of weights: refused', () => {
    const e = error(() => createModel('mobilenetv2_100', { widthMultiplier: 4, numClasses: 200_000 }));
    expect(e.message).toMatch(/^mobilenetv2_100 with numClasses 200000 and widthMultiplier 4 would hold 1,\d{3},\d{3},\d{3} weights, \d\.\d\d GiB as float32/);
    expect(MAX_WEIGHT_BYTES).toBe(2 ** 31);
  });

  it.each([
    [{ widthMultiplier: 100 }, "widthMultiplier must be in (0, 4], got 100 (a name's suffix is the width × 100: mobilenetv2_100 has 1)"],
    [{ widthMultiplier: 0 }, 'widthMultiplier must be in (0, 4], got 0'],
    [{ widthMultiplier: '1' }, "widthMultiplier must be in (0, 4], got '1'"],
    [{ numClasses: 2 ** 31 }, 'numClasses must be a positive integer up to 2147483647, got 2147483648'],
    [{ numClasses: 10.5 }, 'numClasses must be a positive integer up to 2147483647, got 10.5'],
    [{ inputSize: -224 }, 'inputSize must be a positive integer, got -224'],
    [{ widthMultipler: 0.5 }, "unknown option 'widthMultipler'; did you mean 'widthMultiplier'? (options: numClasses, inputSize, widthMultiplier, dropout, block, features)"],
    [{ num_classes: 10 }, "unknown option 'num_classes'; did you mean 'numClasses'? (options: numClasses, inputSize, widthMultiplier, dropout, block, features)"],
    [{ pretrained: true }, "unknown option 'pretrained' (options: numClasses, inputSize, widthMultiplier, dropout, block, features)"],
  ])('%j: a ModelConfigError', (options, message) => {
    const e = error(() => createModel('mobilenetv2_100', options as never));
    expect(e).toBeInstanceOf(ModelConfigError);
    expect(e.message).toBe(message);
  });

  it("features: 'stages' and every other output leave no tensor after dispose (the unused head was built and kept)", () => {
    for (const name of ['mobilenetv2_035', 'mobilenetv3_small_075', 'mobilenext_050']) {
      for (const features of ['stages', 'embedding', 'logits'] as const) {
        const before = tf.memory().numTensors;
        createModel(name, { features, inputSize: 64 }).dispose();
        expect(tf.memory().numTensors, `${name} ${features}`).toBe(before);
      }
    }
  });

  it('an arch token whose expansion rounds to zero channels (e0.01): a BlockConfigError, no tensor made', () => {
    const spec = { ...mobilenetV2(1), stages: [['ir_r1_k3_s1_e1_c16'], ['ir_r1_k3_s2_e0.01_c24']] };
    const e = error(() => buildModel(spec, resolveRecipe('tiny', spec, { inputSize: 32 })));
    expect(e).toBeInstanceOf(BlockConfigError);
    expect(e.message).toBe('InvertedResidual: expandRatio 0.01 leaves round(16 · 0.01) = 0 hidden channels');
  });
});

describe('what used to hang or abort the process answers within seconds, in a child process', () => {
  const SCRIPT = fileURLToPath(new URL('./__fixtures__/hang-cases.mjs', import.meta.url));
  const child = async (name: string) => {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, name], { timeout: 60_000 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  };

  it('createModel with widthMultiplier 100 (4.4 GB, never returned)', async () => {
    expect(await child('widthMultiplier 100')).toEqual({
      error: { name: 'ModelConfigError', message: expect.stringMatching(/^widthMultiplier must be in \(0, 4\], got 100/) },
      leaked: 0,
    });
  });

  it('a rank-3 input to a built V3 block (wasm out of bounds, then the next call hung)', async () => {
    expect(await child('rank 3 to a built V3 block')).toEqual({
      error: { name: 'BlockInputError', message: 'blocks_0_0 (Bneck): expected a float32 NHWC tensor [batch, height, width, 16], got float32 [32, 32, 16]' },
      next: [1, 16, 16, 16],
    });
  });

  it('a rank-3 input to mobilenetv3_small_100.apply', async () => {
    expect(await child('rank 3 to mobilenetv3_small_100.apply')).toEqual({
      error: { name: 'ModelInputError', message: 'mobilenetv3_small_100: expected a float32 NHWC tensor [batch, height, width, 3], got float32 [64, 64, 3]' },
      next: [1, 1000],
    });
  });
});
