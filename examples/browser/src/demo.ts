// The demo page: classify an image with a zoo model served next to the page, and teach it new classes (a new
// head on the frozen backbone, trained in the page), saved to IndexedDB or downloaded, and loaded back.
import { decodeImage } from '@mobilenets/data';
import { type Classifier, isFailed, loadClassifier, preprocess } from '@mobilenets/infer';
import { initBackend } from '@mobilenets/ops';
import { fit, freeze, replaceHead } from '@mobilenets/train';
import { type LoadedModel, loadModel, type ModelMetadata, saveModel } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

const MODEL_URL = new URL('model/', location.href).href;
const SAVED = 'indexeddb://mobilenets-demo';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const message = $('message');
const top5 = $<HTMLOListElement>('top5');

let classifier: Classifier | undefined;
/** The model being taught and the classes it was taught, once trained. */
let taught: { model: tfl.LayersModel; metadata: ModelMetadata } | undefined;
const classes: { name: HTMLInputElement; images: File[]; thumbs: HTMLElement }[] = [];

function show(text: string): void {
  message.textContent = text;
}

/** Runs an action of the page; its failure is shown on the page (never only in the console). */
function action(run: () => Promise<void>): () => void {
  return () => {
    show('');
    run().catch((err: unknown) => show(err instanceof Error ? err.message : String(err)));
  };
}

/** Classifies with `source` from now on; the taught model (owned by the classifier it replaces) goes with it. */
async function useClassifier(source: Parameters<typeof loadClassifier>[0], what: string): Promise<void> {
  const next = await loadClassifier(source);
  await classifier?.dispose();
  taught = undefined;
  for (const id of ['save-idb', 'save-download']) $<HTMLButtonElement>(id).disabled = true;
  classifier = next;
  status.textContent = `Ready: ${what} (${next.info.name}, ${next.info.numClasses} classes) on ${next.info.engine}. Backend threads: ${backendThreads}.`;
  status.dataset.ready = 'true';
}

async function classify(file: File): Promise<void> {
  if (!classifier) return;
  const preview = $<HTMLImageElement>('preview');
  URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(file);
  const [result] = await classifier.classify(file);
  top5.replaceChildren();
  if (!result || isFailed(result)) {
    show(`Cannot classify ${file.name}: ${result?.error.message ?? 'no result'}`);
    return;
  }
  for (const [i, id] of result.classIds.entries()) {
    const li = document.createElement('li');
    li.textContent = `${result.labelNames?.[i] ?? `class ${id}`}: ${(100 * result.scores[i]!).toFixed(1)}%`;
    top5.append(li);
  }
}

function addClass(name = `class ${classes.length + 1}`): void {
  const row = document.createElement('div');
  row.className = 'class-row';
  const input = document.createElement('input');
  input.value = name;
  input.className = 'class-name';
  const upload = document.createElement('input');
  upload.type = 'file';
  upload.multiple = true;
  upload.accept = 'image/*';
  upload.className = 'class-files';
  const capture = document.createElement('button');
  capture.textContent = 'Capture';
  const thumbs = document.createElement('span');
  thumbs.className = 'thumbs';
  const entry = { name: input, images: [] as File[], thumbs };
  const addImages = (files: File[]) => {
    entry.images.push(...files);
    for (const f of files) {
      const img = document.createElement('img');
      img.src = URL.createObjectURL(f);
      thumbs.append(img);
    }
    updateTrainButton();
  };
  upload.addEventListener('change', () => addImages([...(upload.files ?? [])]));
  capture.addEventListener('click', action(async () => addImages([await captureFrame(`${input.value}-${entry.images.length}.png`)])));
  row.append(input, upload, capture, thumbs);
  $('classes').append(row);
  classes.push(entry);
  updateTrainButton();
}

/** One camera frame as a PNG file. */
async function captureFrame(name: string): Promise<File> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true });
  try {
    const video = document.createElement('video');
    video.srcObject = stream;
    await video.play();
    const canvas = new OffscreenCanvas(video.videoWidth, video.videoHeight);
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    return new File([await canvas.convertToBlob({ type: 'image/png' })], name, { type: 'image/png' });
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}

function updateTrainButton(): void {
  $<HTMLButtonElement>('train').disabled = classes.filter((c) => c.images.length > 0).length < 2;
}

/** The model's input for one image file: decoded in the page, preprocessed as mobilenets.json says. */
async function inputOf(file: File, metadata: ModelMetadata): Promise<Float32Array> {
  const image = await decodeImage(file);
  try {
    const [height, width] = image.shape;
    return preprocess({ data: Uint8Array.from(await image.data()), width, height }, metadata.preprocessing);
  } finally {
    image.dispose();
  }
}

async function train(): Promise<void> {
  const used = classes.filter((c) => c.images.length > 0);
  const labels = used.map((c) => c.name.value.trim() || 'unnamed');
  const base: LoadedModel = await loadModel(MODEL_URL);
  const { metadata } = base;
  const size = metadata.preprocessing.crop;
  const samples: { x: Float32Array; label: number }[] = [];
  try {
    for (const [label, c] of used.entries()) for (const f of c.images) samples.push({ x: await inputOf(f, metadata), label });
  } catch (err) {
    base.model.dispose();
    throw err;
  }
  const model = replaceHead(base.model, labels.length);
  freeze(model);
  const epochs = Math.max(1, Number($<HTMLInputElement>('epochs').value) || 10);
  const batchSize = Math.min(8, samples.length);
  const batchesPerEpoch = Math.ceil(samples.length / batchSize);
  const data = {
    batchesPerEpoch,
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < samples.length; i += batchSize) {
        const batch = samples.slice(i, i + batchSize);
        const x = new Float32Array(batch.length * size * size * 3);
        for (const [j, s] of batch.entries()) x.set(s.x, j * s.x.length);
        yield { x: tf.tensor4d(x, [batch.length, size, size, 3]), y: tf.tensor1d(batch.map((s) => s.label), 'int32') };
      }
    },
  };
  const progress = $<HTMLProgressElement>('progress');
  progress.max = epochs * batchesPerEpoch;
  progress.value = 0;
  status.textContent = 'Training…';
  const history = await fit(model, data, {
    epochs,
    optimizer: { type: 'adam', lr: 0.01 },
    callbacks: {
      onBatchEnd: (b) => {
        progress.value = (b.epoch - 1) * b.batches + b.batch;
      },
    },
  });
  const last = history.epochs.at(-1)!;
  $('accuracy').textContent = `Accuracy on your ${samples.length} images after ${epochs} epochs: ${(100 * last.train.top1).toFixed(0)}% (loss ${last.train.loss.toFixed(3)})`;
  const taughtMetadata = { ...metadata, labels, options: { ...metadata.options, numClasses: labels.length } };
  await useClassifier({ model, metadata: taughtMetadata }, `your classes (${labels.join(', ')})`);
  taught = { model, metadata: taughtMetadata };
  for (const id of ['save-idb', 'save-download']) $<HTMLButtonElement>(id).disabled = false;
}

let backendThreads = 1;

async function start(): Promise<void> {
  const info = await initBackend('auto', { wasmPaths: new URL('wasm/', location.href).href });
  backendThreads = info.threads;
  await useClassifier(MODEL_URL, 'the zoo model next to this page');
  addClass('class 1');
  addClass('class 2');
}

const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) action(() => classify(file))();
});
$<HTMLInputElement>('pick').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) action(() => classify(file))();
});
$('add-class').addEventListener('click', () => addClass());
$('train').addEventListener('click', action(train));
$('save-idb').addEventListener('click', action(async () => {
  if (!taught) return;
  await saveModel(taught.model, SAVED, { labels: taught.metadata.labels ?? undefined });
  status.textContent = `Saved in this browser (${SAVED}).`;
}));
$('save-download').addEventListener('click', action(async () => {
  if (taught) await saveModel(taught.model, 'downloads://', { labels: taught.metadata.labels ?? undefined });
}));
$('load-idb').addEventListener('click', action(() => useClassifier(SAVED, `the model saved in this browser (${SAVED})`)));
$<HTMLInputElement>('load-files').addEventListener('change', (e) => {
  const files = (e.target as HTMLInputElement).files;
  if (files) action(() => useClassifier(files, 'the files you picked'))();
});
$('reset').addEventListener('click', action(() => useClassifier(MODEL_URL, 'the zoo model next to this page')));

action(start)();
