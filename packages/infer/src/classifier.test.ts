import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodeError } from '@mobilenets/data';
import { useBackend } from '@mobilenets/ops/testing';
import { saveModel } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { microModel, randomizeWeights, tinyModel } from './__fixtures__/models.js';
import { type Classifier, loadClassifier } from './classifier.js';
import { ClassifierError, ImageInputError, MissingPackageError } from './errors.js';
import { decodeFile } from './input.js';
import { type Classification, type Embedding, isFailed } from './predictions.js';
import { loadOnnxRuntime } from './runtime/onnxruntime.js';

const IMAGE = new URL('./__fixtures__/preprocess/image.png', import.meta.url).pathname;
const LABELS = ['ant', 'bee', 'cat', 'dog', 'eel'];
const BIAS = [0.5, 3, -1, 2, 1];

let dir: string;
/** A tiny model whose classifier ignores its input: kernel 0, bias BIAS, so the answer is known. */
let knownDir: string;
/** The same architecture with seeded weights everywhere. */
let seededDir: string;
/** The smallest net, for the 10,000 calls. */
let microDir: string;

function setClassifier(model: tfl.LayersModel, bias: number[]): void {
  const layer = model.getLayer('classifier');
  const values = [tf.zerosLike(layer.getWeights()[0]!), tf.tensor1d(bias)];
  layer.setWeights(values);
  tf.dispose(values);
}

beforeAll(async () => {
  // The cpu backend: these models are tiny, and on wasm two threads spend most of a tiny call synchronizing (the
  // 10,000 calls took 4× the CPU time there). The wasm path runs in the quantization and export tests.
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-infer-'));
  const known = tinyModel();
  randomizeWeights(known, 1);
  setClassifier(known, BIAS);
  knownDir = join(dir, 'known');
  await saveModel(known, knownDir, { labels: LABELS });
  known.dispose();
  const seeded = tinyModel();
  randomizeWeights(seeded, 2);
  seededDir = join(dir, 'seeded');
  await saveModel(seeded, seededDir);
  seeded.dispose();
  const micro = microModel();
  microDir = join(dir, 'micro');
  await saveModel(micro, microDir);
  micro.dispose();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const softmax = (v: number[]) => {
  const e = v.map((x) => Math.exp(x - Math.max(...v)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

describe.each(['tfjs', 'onnxruntime'] as const)('loadClassifier on %s', (runtime) => {
  it('top-k of a model whose classifier bias makes the answer known: ids, names and softmax scores, best first', async () => {
    const c = await loadClassifier(knownDir, { runtime });
    expect(c.info).toMatchObject({ name: 'tiny_v3', runtime, inputSize: 16, numClasses: 5, labels: LABELS });
    const [result] = (await c.classify(IMAGE, { topk: 3 })) as Classification[];
    const p = softmax(BIAS);
    expect(result!.file).toBe(IMAGE);
    expect(result!.classIds).toEqual([1, 3, 4]);
    expect(result!.labelNames).toEqual(['bee', 'dog', 'eel']);
    for (const [i, s] of result!.scores.entries()) expect(s).toBeCloseTo(p[[1, 3, 4][i]!]!, 5);
    await c.dispose();
  });

  it('a file, its bytes, its pixels, its tensor and a File (an upload) give the same answer; arrays and NHWC tensors give one result per image', async () => {
    const before = tf.memory().numTensors;
    const c = await loadClassifier(seededDir, { runtime });
    const image = await decodeFile(IMAGE);
    const tensor = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    const batch = tf.stack([tensor, tensor]);
    const file = new File([await readFile(IMAGE)], 'upload.png');
    const results = (await c.classify([IMAGE, await readFile(IMAGE), image, tensor, batch, file], { topk: 5, batchSize: 2 })) as Classification[];
    expect(results).toHaveLength(7);
    expect(results.map((r) => r.file)).toEqual([IMAGE, undefined, undefined, undefined, undefined, undefined, 'upload.png']);
    for (const r of results.slice(1)) {
      expect(r.classIds).toEqual(results[0]!.classIds);
      for (const [i, s] of r.scores.entries()) expect(s).toBeCloseTo(results[0]!.scores[i]!, 6);
    }
    expect(tensor.isDisposed || batch.isDisposed).toBe(false); // the caller's tensors stay the caller's
    tf.dispose([tensor, batch]);
    await c.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a truncated or non-image file gives a typed error naming it, in its place; the other images are classified', async () => {
    const bytes = await readFile(IMAGE);
    const truncated = join(dir, `truncated-${runtime}.png`);
    const text = join(dir, `notes-${runtime}.jpg`);
    await writeFile(truncated, bytes.subarray(0, bytes.length >> 1));
    await writeFile(text, 'not an image');
    const c = await loadClassifier(seededDir, { runtime });
    const results = await c.classify([IMAGE, truncated, text, bytes.subarray(0, 100), IMAGE]);
    expect(results.map(isFailed)).toEqual([false, true, true, true, false]);
    const [, a, b, d] = results as { file?: string; error: Error }[];
    for (const [failure, file] of [[a, truncated], [b, text]] as const) {
      expect(failure!.file).toBe(file);
      expect(failure!.error).toBeInstanceOf(DecodeError);
      expect(failure!.error.message).toContain(file);
    }
    expect(d!.error).toBeInstanceOf(DecodeError);
    expect(d!.error.message).toMatch(/^Buffer #3: cannot be decoded as an image \(/);
    await c.dispose();
  });
});

describe('embed', () => {
  it("the classifier's input features, equal on both runtimes (1e-4 relative)", async () => {
    const [a, b] = await Promise.all([loadClassifier(seededDir), loadClassifier(seededDir, { runtime: 'onnxruntime' })]);
    const [x] = (await a.embed(IMAGE)) as Embedding[];
    const [y] = (await b.embed(IMAGE)) as Embedding[];
    expect(x!.embedding.length).toBe(16);
    const scale = Math.max(...x!.embedding.map(Math.abs));
    expect(Math.max(...x!.embedding.map((v, i) => Math.abs(v - y!.embedding[i]!))) / scale).toBeLessThan(1e-4);
    await Promise.all([a.dispose(), b.dispose()]);
  });
});

describe('errors', () => {
  it('a bad pixel object or tensor names the input; options are checked; a disposed classifier says so', async () => {
    const c = await loadClassifier(seededDir);
    const [bad] = await c.classify({ data: new Uint8Array(10), width: 2, height: 2 });
    expect(isFailed(bad!) && bad.error).toBeInstanceOf(ImageInputError);
    expect(isFailed(bad!) && bad.error.message).toBe('pixels #0: 10 bytes for 2×2 pixels: expected 1, 3 or 4 bytes a pixel');
    const flat = tf.zeros([4]);
    await expect(c.classify([IMAGE, flat])).rejects.toThrow(/^tensor #1: has shape \[4\]/);
    flat.dispose();
    await expect(c.classify(IMAGE, { topk: 0 })).rejects.toThrow(ClassifierError);
    await c.dispose();
    await expect(c.classify(IMAGE)).rejects.toThrow('the classifier was disposed');
    await expect(loadClassifier(join(dir, 'nothing-here'))).rejects.toThrow(/is not a model directory, an \.onnx file or a registered model name/);
  });

  it('onnxruntime-node missing: a MissingPackageError naming the package and how to install it', async () => {
    const err = await loadOnnxRuntime('onnxruntime-node-not-installed').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPackageError);
    expect((err as Error).message).toBe("runtime: 'onnxruntime' needs the optional package 'onnxruntime-node-not-installed': npm install onnxruntime-node-not-installed");
  });
});

describe('no leaks', () => {
  it('10,000 classify calls of a tiny model at a tiny input leave tf.memory().numTensors where it was', async () => {
    const c: Classifier = await loadClassifier(microDir);
    const pixels = { data: Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 37) % 256), width: 8, height: 8 };
    await c.classify(pixels);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10_000; i++) await c.classify(pixels, { topk: 1 });
    expect(tf.memory().numTensors).toBe(before);
    await c.dispose();
  }, 600_000);
});
