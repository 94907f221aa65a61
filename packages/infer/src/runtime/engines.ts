import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ClassifierError } from '../errors.js';
import { EMBEDDING_NAME, exportOnnx, INPUT_NAME, LOGITS_NAME } from '../onnx/export.js';
import { loadOnnxRuntime, toNchw } from './onnxruntime.js';

export type Output = 'logits' | 'embedding';

/** Runs preprocessed images (NHWC float32 values of n images) through a model: one row of outputs per image. */
export interface Engine {
  readonly outputs: readonly Output[];
  /** What runs the model: `tfjs (wasm)`, `onnxruntime-node 1.30.0`. */
  readonly description: string;
  run(nhwc: Float32Array, n: number, output: Output): Promise<Float32Array>;
  dispose(): Promise<void>;
}

const classifierOf = (model: tfl.LayersModel) => (model.layers.at(-1)?.getClassName() === 'Dense' ? model.layers.at(-1)! : undefined);

/**
 * tfjs in inference mode: no gradient is recorded, so every conv-BN-act unit of the blocks runs with BatchNorm folded and
 * ReLU / ReLU6 fused into the convolution (the blocks' inference path). One warm-up call at load sets the kernels
 * and the folded weights up. Owns the model.
 */
export async function tfjsEngine(model: tfl.LayersModel, size: number): Promise<Engine> {
  const classifier = classifierOf(model);
  // `execute` runs the graph up to a named tensor: the embedding is the classifier's input. (It also skips the
  // input slicing and concatenation that `predict` does for batches.)
  const names: Record<Output, string> = {
    logits: model.outputs[0]!.name,
    embedding: (classifier ? (classifier.input as tfl.SymbolicTensor) : model.outputs[0]!).name,
  };
  const engine: Engine = {
    outputs: classifier ? ['logits', 'embedding'] : ['embedding'],
    description: `tfjs (${tf.getBackend()})`,
    async run(nhwc, n, output) {
      const y = tf.tidy(() => model.execute(tf.tensor4d(nhwc, [n, size, size, 3]), names[output]) as tf.Tensor);
      try {
        return (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    },
    async dispose() {
      model.dispose();
    },
  };
  await engine.run(new Float32Array(size * size * 3), 1, engine.outputs[0]!);
  return engine;
}

/** onnxruntime-node on an ONNX model (the exporter's, or `mobilenets-export`'s file): the native CPU path. */
export async function onnxEngine(onnx: Uint8Array, size: number, threads?: number): Promise<Engine> {
  const ort = await loadOnnxRuntime();
  const session = await ort.InferenceSession.create(onnx, { interOpNumThreads: 1, ...(threads ? { intraOpNumThreads: threads } : {}) });
  if (!session.inputNames.includes(INPUT_NAME)) throw new ClassifierError(`the ONNX model's inputs are ${session.inputNames.join(', ')}; expected '${INPUT_NAME}'`);
  const names: Record<Output, string> = { logits: LOGITS_NAME, embedding: EMBEDDING_NAME };
  return {
    outputs: (['logits', 'embedding'] as const).filter((o) => session.outputNames.includes(names[o])),
    description: `onnxruntime-node ${ort.env.versions.common ?? ''}`.trim(),
    async run(nhwc, n, output) {
      const input = new ort.Tensor('float32', toNchw(nhwc, n, size), [n, 3, size, size]);
      const result = await session.run({ [INPUT_NAME]: input }, [names[output]]);
      return result[names[output]]!.data as Float32Array;
    },
    dispose: () => session.release(),
  };
}

/** The ONNX path for a tfjs model: exported (with its embedding), then the tfjs model is freed. */
export async function exportedEngine(model: tfl.LayersModel, size: number, threads?: number): Promise<Engine> {
  try {
    return await onnxEngine(await exportOnnx(model, { embedding: classifierOf(model) !== undefined }), size, threads);
  } finally {
    model.dispose();
  }
}
