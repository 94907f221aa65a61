import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, useBackend } from '@mobilenets/ops/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWeights } from '../../io/node/load-weights.js';
import { loadModel } from '../../io/node/model-dir.js';
import { createModel } from '../../registry.js';

const run = promisify(execFile);
// The built bin, as users run it (turbo builds the package before its tests).
const BIN = fileURLToPath(new URL('../../../dist/bin/convert.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../../__fixtures__/${name}`, import.meta.url));
/** fixtures/torchvision_weights.py: torchvision's MobileNetV2 at width 0.35, 10 classes, and its logits. */
const SOURCE = fixture('mobilenetv2_035_10classes.safetensors');
const EXPECTED = JSON.parse(readFileSync(fixture('mobilenetv2_035_10classes.json'), 'utf8')) as {
  input: { shape: number[]; values: number[] };
  logits: { values: number[] };
};
const ARGS = ['--model', 'mobilenetv2_035', '--num-classes', '10'];

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-convert-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function logitsMatch(model: Parameters<typeof loadWeights>[0]): Promise<void> {
  const x = tf.tensor(EXPECTED.input.values, EXPECTED.input.shape);
  const y = model.predict(x) as tf.Tensor;
  expect(relativeError(await y.data(), EXPECTED.logits.values)).toBeLessThanOrEqual(1e-4);
  tf.dispose([x, y]);
}

describe('mobilenets-convert', () => {
  it('torchvision safetensors → timm safetensors: says what it read and wrote; the result loads with the same logits', async () => {
    const out = join(dir, 'timm.safetensors');
    const { stdout } = await run(process.execPath, [BIN, SOURCE, out, ...ARGS, '--to', 'timm']);
    expect(stdout).toBe(`read 262 tensors from ${SOURCE} (safetensors, torchvision names) into mobilenetv2_035\nwrote ${out} (timm)\n`);
    const model = createModel('mobilenetv2_035', { numClasses: 10, inputSize: 64 });
    expect(await loadWeights(model, out, { format: 'auto' })).toMatchObject({ format: 'timm' });
    await logitsMatch(model);
    model.dispose();
  });

  it('→ a saved model directory by default, which loadModel reads', async () => {
    const out = join(dir, 'saved');
    await run(process.execPath, [BIN, SOURCE, out, ...ARGS, '--from', 'torchvision']);
    const { model } = await loadModel(out);
    expect(model.inputs[0]!.shape).toEqual([null, 224, 224, 3]);
    model.dispose();
  });

  it('exits 1 with one line naming the cause: a wrong model, a missing file, a bad option, an existing output', async () => {
    const fail = (args: string[]) => run(process.execPath, [BIN, ...args]).catch((e: { code: number; stderr: string }) => e);
    const wrong = await fail([SOURCE, join(dir, 'x.safetensors'), '--model', 'mobilenetv3_small_100', '--num-classes', '10']);
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringMatching(/^mobilenets-convert: [^\n]+: missing from [^\n]+\n$/) });
    const missing = await fail([join(dir, 'absent.pth'), join(dir, 'y'), ...ARGS]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/^mobilenets-convert: .*absent\.pth: cannot read it \(ENOENT\)\n$/) });
    const bad = await fail([SOURCE, join(dir, 'z.safetensors'), ...ARGS, '--to', 'paddle']);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/^mobilenets-convert: --to must be one of torchvision, timm, tfjs, got 'paddle'\n/) });
    const exists = await fail([SOURCE, join(dir, 'timm.safetensors'), ...ARGS, '--to', 'timm']);
    expect(exists).toMatchObject({ code: 1, stderr: expect.stringMatching(/^mobilenets-convert: .*timm\.safetensors: exists and is a file or link this write does not replace; nothing was changed/) });
    for (const e of [wrong, missing, exists]) expect((e as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });

  it('has help text with examples', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help']);
    expect(stdout).toMatch(/^Usage: mobilenets-convert <in> <out> --model NAME \[options\]/);
    expect(stdout).toMatch(/Examples:\n {2}mobilenets-convert /);
  });
});
