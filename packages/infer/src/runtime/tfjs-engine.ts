import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export type Output = 'logits' | 'embedding';

/** Runs preprocessed images (NHWC float32 values of n images) through a model: one row of outputs per image. */
export interface Engine {
  readonly outputs: readonly Output[];
  /** What runs the model: `tfjs (wasm)`, `onnxruntime-node 1.30.0`. */
  readonly description: string;
  run(nhwc: Float32Array, n: number, output: Output): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export const classifierOf = (model: tfl.LayersModel) => (model.layers.at(-1)?.getClassName() === 'Dense' ? model.layers.at(-1)! : undefined);

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
