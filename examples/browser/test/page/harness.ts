// What the browser tests run in the page (see page.test.ts): each function sets up, runs and reports plain data.
import { DecodeError, decodeImage, loader, mulberry32, type Dataset } from '@mobilenets/data';
import { loadClassifier } from '@mobilenets/infer';
import { type BackendName, initBackend } from '@mobilenets/ops';
import { fit, freeze, replaceHead } from '@mobilenets/train';
import { createModel, loadModel } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';

const wasmPaths = new URL('wasm/', location.href).href;

async function setup(backend: BackendName) {
  const info = await initBackend(backend, { wasmPaths });
  return { ...info, crossOriginIsolated: globalThis.crossOriginIsolated, backend: tf.getBackend() };
}

/** The model's logits for `input` (NHWC values), on `backend`. */
async function logits(backend: BackendName, modelUrl: string, input: number[], shape: [number, number, number, number]) {
  await setup(backend);
  const { model } = await loadModel(modelUrl);
  const x = tf.tensor4d(input, shape);
  const y = model.predict(x) as tf.Tensor;
  const values = Array.from(await y.data());
  tf.dispose([x, y]);
  model.dispose();
  return values;
}

/** `n` seeded images of `size`×`size`, labelled by which half is brighter (something a head can learn). */
function images(n: number, size: number, seed: number): Dataset {
  const rng = mulberry32(seed);
  const samples = Array.from({ length: n }, (_, i) => {
    const label = i % 2;
    const values = Float32Array.from({ length: size * size * 3 }, (_, j) => {
      const top = Math.floor(j / (size * 3)) < size / 2;
      return (top === (label === 0) ? 0.6 : -0.6) + 0.4 * (rng() - 0.5);
    });
    return { values, label };
  });
  return {
    size: n,
    classes: ['top', 'bottom'],
    async get(i) {
      const s = samples[i]!;
      return { image: tf.tensor3d(s.values, [size, size, 3]), label: s.label };
    },
  };
}

/**
 * Transfer learning as a page does it: a new 2-class head on the loaded model, the backbone frozen, then two
 * runs of `epochs` epochs of fit. Reports the losses, how much each weight moved, and the tensor count after
 * each epoch and each run (the blocks keep their folded inference weights from the first run on).
 */
async function fineTune(backend: BackendName, modelUrl: string, epochs: number) {
  await setup(backend);
  const loaded = await loadModel(modelUrl);
  const size = loaded.metadata.options.inputSize;
  const model = replaceHead(loaded.model, 2);
  freeze(model);
  const weights = () => Promise.all(model.weights.map(async (w) => Array.from(await w.read().data())));
  const before = await weights();
  const data = loader(images(8, size, 7), { batchSize: 4, shuffle: true, seed: 1 });
  const perEpoch: number[] = [];
  const afterRun: number[] = [];
  const losses: number[] = [];
  for (let run = 0; run < 2; run++) {
    const history = await fit(model, data, { epochs, optimizer: { type: 'adam', lr: 0.001 }, callbacks: { onEpochEnd: () => void perEpoch.push(tf.memory().numTensors) } });
    losses.push(...history.epochs.map((e) => e.train.loss));
    afterRun.push(tf.memory().numTensors);
  }
  const after = await weights();
  const moved = Object.fromEntries(model.weights.map((w, i) => [w.originalName, before[i]!.reduce((m, v, j) => Math.max(m, Math.abs(v - after[i]![j]!)), 0)]));
  model.dispose();
  return { losses, moved, perEpoch, afterRun };
}

/** Classifies `n` small ImageData images `rounds` times and reports the tensor count after each round. */
async function classifyMany(backend: BackendName, modelUrl: string, n: number, rounds: number) {
  await setup(backend);
  const classifier = await loadClassifier(modelUrl);
  const rng = mulberry32(3);
  const inputs = Array.from({ length: n }, () => new ImageData(Uint8ClampedArray.from({ length: 40 * 30 * 4 }, () => Math.floor(256 * rng())), 40, 30));
  const counts: number[] = [];
  let classified = 0;
  for (let r = 0; r < rounds; r++) {
    const results = await classifier.classify(inputs, { batchSize: 50 });
    classified += results.filter((p) => 'classIds' in p).length;
    counts.push(tf.memory().numTensors);
  }
  await classifier.dispose();
  return { classified, counts };
}

/**
 * The same 4×3 opaque pixels decoded from every kind of source a page has; and a file that is not an image.
 * Reports each source's RGB values, the tensor count change and the bad file's error.
 */
async function decodeSources() {
  await setup('cpu');
  const pixels = new ImageData(Uint8ClampedArray.from({ length: 4 * 3 * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256)), 4, 3);
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width: 4, height: 3 });
  canvas.getContext('2d')!.putImageData(pixels, 0, 0);
  const offscreen = new OffscreenCanvas(4, 3);
  offscreen.getContext('2d')!.putImageData(pixels, 0, 0);
  const png = await offscreen.convertToBlob({ type: 'image/png' });
  const file = new File([png], 'pixels.png', { type: 'image/png' });
  const img = new Image();
  img.src = URL.createObjectURL(png);
  const frame = new VideoFrame(offscreen, { timestamp: 0 });
  const sources = { ImageData: pixels, canvas, OffscreenCanvas: offscreen, ImageBitmap: await createImageBitmap(pixels), File: file, HTMLImageElement: img, VideoFrame: frame, bytes: new Uint8Array(await png.arrayBuffer()), url: img.src };
  const before = tf.memory().numTensors;
  const decoded: Record<string, number[]> = {};
  for (const [kind, source] of Object.entries(sources)) {
    const t = await decodeImage(source);
    decoded[kind] = [...t.shape, t.dtype === 'int32' ? 1 : 0, ...(await t.data())];
    t.dispose();
  }
  frame.close();
  const expected = [3, 4, 3, 1, ...Array.from(pixels.data).filter((_, i) => i % 4 !== 3)];
  const bad = await decodeImage(new File([new Uint8Array([1, 2, 3])], 'notes.jpg')).then(
    () => 'decoded',
    (e: Error) => `${e instanceof DecodeError}, ${e.name}: ${e.message}`,
  );
  return { decoded, expected, tensors: tf.memory().numTensors - before, bad };
}

/** Batch-1 latency of a registry model in the page (for scripts/bench.mjs): the median of `runs` timed calls. */
async function latency(backend: BackendName, name: string, size: number, warmup: number, runs: number) {
  const info = await setup(backend);
  const model = createModel(name, { inputSize: size });
  const x = tf.zeros([1, size, size, 3]);
  const once = async () => {
    const started = performance.now();
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
    return performance.now() - started;
  };
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  x.dispose();
  model.dispose();
  return { info, median: times.sort((a, b) => a - b)[Math.floor(runs / 2)]! };
}

Object.assign(globalThis, { harness: { setup, logits, fineTune, classifyMany, decodeSources, latency } });
