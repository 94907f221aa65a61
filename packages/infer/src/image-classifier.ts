import { type BackendName, initBackend } from '@mobilenets/ops';
import type { Preprocessing } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { ClassifierError } from './errors.js';
import { type ImageInput, imageSources, type ImageSource } from './input.js';
import { type Classification, type Embedding, type FailedImage, topK } from './predictions.js';
import { preprocess } from './preprocess/preprocess.js';
import type { Engine, Output } from './runtime/tfjs-engine.js';

export type Runtime = 'tfjs' | 'onnxruntime';

export interface LoadClassifierOptions {
  /** For a registry name or a model directory: weights to load into it (a torchvision safetensors file or a model directory). */
  weights?: string;
  /** The tfjs backend (`initBackend`'s names). Default: the one already set up, else `auto` (tfjs) or `cpu` (onnxruntime, which needs tfjs only to decode). */
  backend?: BackendName | 'auto';
  /** `tfjs` (default) or `onnxruntime` (the model exported to ONNX and run by onnxruntime-node, an optional peer). Default for an .onnx file: onnxruntime. */
  runtime?: Runtime;
  /** wasm threads (tfjs) or intra-op threads (onnxruntime). */
  threads?: number;
}

export interface RunOptions {
  /** Images read and run together (default 32). */
  batchSize?: number;
}

export interface ClassifyOptions extends RunOptions {
  /** Classes per image (default 5). */
  topk?: number;
}

export interface ClassifierInfo {
  /** Registry name of the architecture. */
  name: string;
  /** The directory, file or name it was loaded from. */
  source: string;
  runtime: Runtime;
  /** What runs it: `tfjs (wasm)`, `onnxruntime-node 1.30.0`. */
  engine: string;
  inputSize: number;
  numClasses: number;
  labels: string[] | null;
  preprocessing: Preprocessing;
}

export interface Classifier {
  readonly info: ClassifierInfo;
  /** The top classes of every image, in input order; an image that cannot be read gives a FailedImage in its place. */
  classify(input: ImageInput | readonly ImageInput[], options?: ClassifyOptions): Promise<(Classification | FailedImage)[]>;
  /** The classifier's input features of every image, in input order (FailedImage for an unreadable one). */
  embed(input: ImageInput | readonly ImageInput[], options?: RunOptions): Promise<(Embedding | FailedImage)[]>;
  dispose(): Promise<void>;
}

export async function ensureBackend(options: LoadClassifierOptions, runtime: Runtime): Promise<void> {
  const threads = options.threads === undefined ? {} : { threads: options.threads };
  if (options.backend) await initBackend(options.backend, threads);
  else if (!tf.engine().backendName) await initBackend(runtime === 'tfjs' ? 'auto' : 'cpu', threads);
}

export const positiveInt = (name: string, v: number) => {
  if (!Number.isInteger(v) || v < 1) throw new ClassifierError(`${name} must be a positive integer, got ${v}`);
  return v;
};

type Read = { source: ImageSource; values: Float32Array } | FailedImage;

export class ImageClassifier implements Classifier {
  private disposed = false;

  constructor(
    private readonly engine: Engine,
    readonly info: ClassifierInfo,
  ) {}

  async classify(input: ImageInput | readonly ImageInput[], options: ClassifyOptions = {}): Promise<(Classification | FailedImage)[]> {
    const k = positiveInt('topk', options.topk ?? 5);
    return this.run(input, 'logits', options, (row, file) => ({ ...(file === undefined ? {} : { file }), ...topK(row, k, this.info.labels) }));
  }

  async embed(input: ImageInput | readonly ImageInput[], options: RunOptions = {}): Promise<(Embedding | FailedImage)[]> {
    return this.run(input, 'embedding', options, (row, file) => ({ ...(file === undefined ? {} : { file }), embedding: row }));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.engine.dispose();
  }

  private async run<T>(input: ImageInput | readonly ImageInput[], output: Output, options: RunOptions, make: (row: Float32Array, file?: string) => T): Promise<(T | FailedImage)[]> {
    if (this.disposed) throw new ClassifierError('the classifier was disposed');
    if (!this.engine.outputs.includes(output)) throw new ClassifierError(`${this.info.source} has no ${output} output (it gives ${this.engine.outputs.join(', ')})`);
    const batchSize = positiveInt('batchSize', options.batchSize ?? 32);
    const sources = imageSources(input);
    const results: (T | FailedImage)[] = [];
    for (let start = 0; start < sources.length; start += batchSize) {
      const reads = await Promise.all(sources.slice(start, start + batchSize).map((s) => this.read(s)));
      const ok = reads.filter((r): r is Extract<Read, { values: Float32Array }> => 'values' in r);
      const rows = ok.length > 0 ? await this.forward(ok.map((r) => r.values), output) : [];
      let next = 0;
      for (const r of reads) results.push('values' in r ? make(rows[next++]!, r.source.file) : r);
    }
    return results;
  }

  private async read(source: ImageSource): Promise<Read> {
    try {
      return { source, values: preprocess(await source.read(), this.info.preprocessing) };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return { ...(source.file === undefined ? {} : { file: source.file }), input: source.name, error };
    }
  }

  private async forward(images: Float32Array[], output: Output): Promise<Float32Array[]> {
    const per = images[0]!.length;
    const batch = new Float32Array(images.length * per);
    for (const [i, values] of images.entries()) batch.set(values, i * per);
    const out = await this.engine.run(batch, images.length, output);
    const width = out.length / images.length;
    return images.map((_, i) => out.slice(i * width, (i + 1) * width));
  }
}
