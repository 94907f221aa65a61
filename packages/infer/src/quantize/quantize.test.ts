import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@mobilenets/ops/testing';
import { loadModel, WriteError } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier } from '../classifier.js';
import { ONNX_METADATA_KEY } from '../model/node/load.js';
import { checkOnnx } from '../onnx/check.js';
import { exportOnnx } from '../onnx/export.js';
import { decodeModel } from '../onnx/proto.js';
import { measureAgreement } from './agreement.js';
import { fromFloat16, quantizeUint8, toFloat16 } from './codecs.js';
import { fashionMnistTest, type HeldOutSet } from './held-out.js';
import { quantizeModelDir } from './node/model-dir.js';

/** The tiny net trained one epoch on Fashion-MNIST (src/__fixtures__/make-fashion-tiny.test.ts made it). */
const FASHION_TINY = new URL('../__fixtures__/fashion-tiny', import.meta.url).pathname;

describe('codecs', () => {
  it('float16: exact where a half can be, nearest (ties to even) elsewhere, overflow to infinity, subnormals kept', () => {
    const input = Float32Array.of(1, -2.5, 0.1, 65504, 65520, 2 ** -24, 2 ** -26, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0);
    const back = fromFloat16(toFloat16(input));
    expect(Array.from(back)).toEqual([1, -2.5, 0.0999755859375, 65504, Number.POSITIVE_INFINITY, 2 ** -24, 0, 1, 1 + 2 ** -9, 0]);
  });

  it('uint8 per channel: zero exact, every value within half a step of its channel, each channel its own scale', () => {
    const values = Float32Array.of(-1, 0, 0.5, 1, /* channel 1: */ 0, 0.01, 0.02, 0.04);
    const q = quantizeUint8(values, 2);
    for (let c = 0; c < 2; c++) {
      const scale = q.scale[c]!;
      for (let i = 0; i < 4; i++) {
        const v = values[c * 4 + i]!;
        const back = (q.values[c * 4 + i]! - q.zeroPoint[c]!) * scale;
        expect(Math.abs(back - v)).toBeLessThanOrEqual(scale / 2 + 1e-9);
        if (v === 0) expect(back).toBe(0);
      }
    }
    expect(q.scale[0]! / q.scale[1]!).toBeCloseTo(2 / 0.04, 3);
  });
});

describe('quantized weights on a model trained briefly on Fashion-MNIST', () => {
  let dir: string;
  let set: HeldOutSet;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'mobilenets-quantize-'));
    set = await fashionMnistTest(1000);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /**
   * Measured on the fixture (1000 test images, top-1 accuracy 74.5% in float32): float16 agrees on 99.9% (model
   * directory and ONNX), uint8 on 98.9% (model directory, one scale per kernel) and 98.3% (ONNX, one scale per
   * output channel of the BatchNorm-folded weights). The stated shares, the bounds here: float16 ≥ 99.5%, uint8 ≥ 97%.
   */
  const MIN_AGREEMENT = { float16: 0.995, uint8: 0.97 } as const;

  it.each(['float16', 'uint8'] as const)('%s: model directory and ONNX file are smaller, load, and agree with float32 on the stated share', async (q) => {
    const before = tf.memory().numTensors;
    const reference = await loadClassifier(FASHION_TINY);
    const quantizedDir = join(dir, q);
    const result = await quantizeModelDir(FASHION_TINY, quantizedDir, q);
    expect(result.bytesAfter).toBeLessThan(result.bytesBefore * (q === 'float16' ? 0.6 : 0.4));
    // The zoo's loadModel reads the quantized directory: every kernel dequantized to float16's rounding of the
    // float32 value exactly, or to within half a uint8 step of it; everything else as it was.
    const { model, metadata } = await loadModel(FASHION_TINY);
    const reloaded = (await loadModel(quantizedDir)).model;
    expect(reloaded.weights.length).toBe(result.total);
    for (const [i, w] of model.weights.entries()) {
      const a = w.read().dataSync() as Float32Array;
      const b = reloaded.weights[i]!.read().dataSync() as Float32Array;
      if (w.shape.length < 2) expect(b).toEqual(a);
      else if (q === 'float16') expect(b).toEqual(fromFloat16(toFloat16(a)));
      else {
        const step = (Math.max(...a, 0) - Math.min(...a, 0)) / 255;
        expect(Math.max(...a.map((v, j) => Math.abs(v - b[j]!)))).toBeLessThanOrEqual(step / 2 + 1e-6);
      }
    }
    reloaded.dispose();

    const onnx = await exportOnnx(model, { quantize: q, metadata: { [ONNX_METADATA_KEY]: JSON.stringify(metadata) } });
    const float32 = await exportOnnx(model);
    model.dispose();
    expect(checkOnnx(onnx)).toEqual([]);
    const weightBytes = (bytes: Uint8Array) => decodeModel(bytes).graph.initializer.reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
    console.log(`${q}: model directory weights ${result.bytesBefore} → ${result.bytesAfter} bytes, ONNX weights ${weightBytes(float32)} → ${weightBytes(onnx)}`);
    expect(weightBytes(onnx)).toBeLessThan(weightBytes(float32) * (q === 'float16' ? 0.51 : 0.5));
    const onnxPath = join(dir, `${q}.onnx`);
    await writeFile(onnxPath, onnx);

    for (const candidate of [await loadClassifier(quantizedDir), await loadClassifier(onnxPath)]) {
      const a = await measureAgreement(reference, candidate, set.images, set.labels, 250);
      console.log(`${q} ${candidate.info.engine}: top-1 agreement ${(a.top1 * 100).toFixed(1)}% of ${a.images}, accuracy ${a.accuracy!.reference} → ${a.accuracy!.candidate}`);
      expect(a.images).toBe(1000);
      expect(a.top1).toBeGreaterThanOrEqual(MIN_AGREEMENT[q]);
      await candidate.dispose();
    }
    await reference.dispose();
    expect((await stat(join(quantizedDir, 'mobilenets.json'))).isFile()).toBe(true);
    expect(JSON.parse(await readFile(join(quantizedDir, 'mobilenets.json'), 'utf8'))).toEqual(JSON.parse(await readFile(join(FASHION_TINY, 'mobilenets.json'), 'utf8')));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an existing folder that is not a model directory is not replaced: a WriteError, its files untouched', async () => {
    const mine = join(dir, 'mine');
    await mkdir(mine);
    await writeFile(join(mine, 'notes.txt'), 'keep me');
    const err = await quantizeModelDir(FASHION_TINY, mine, 'float16').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteError);
    expect((err as WriteError).code).toBe('EEXIST');
    expect(await readdir(mine)).toEqual(['notes.txt']);
    await quantizeModelDir(FASHION_TINY, mine, 'float16', { overwrite: true });
    expect((await readdir(mine)).sort()).toEqual(['mobilenets.json', 'model.json', 'weights.bin']);
  });
});
