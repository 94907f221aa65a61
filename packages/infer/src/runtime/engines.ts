import type * as tfl from '@tensorflow/tfjs-layers';
import { ClassifierError } from '../errors.js';
import { EMBEDDING_NAME, exportOnnx, INPUT_NAME, LOGITS_NAME } from '../onnx/export.js';
import { loadOnnxRuntime, toNchw } from './onnxruntime.js';
import { classifierOf, type Engine, type Output } from './tfjs-engine.js';

export { type Engine, type Output, tfjsEngine } from './tfjs-engine.js';

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
