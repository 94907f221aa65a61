import { MissingPackageError } from '../errors.js';

/**
 * The members of onnxruntime-node this package uses, declared here so that it type-checks and builds without
 * the package: it is an optional peer, imported only when the onnxruntime runtime is asked for.
 */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>, fetches?: readonly string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  /** Session config entries, nested by the dots of their keys: `{ session: { intra_op: { allow_spinning: '0' } } }`. */
  extra?: Record<string, unknown>;
}
export interface OnnxRuntime {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array | string, options?: OrtSessionOptions): Promise<OrtSession> };
  env: { versions: { common?: string; node?: string } };
}

/** Imports onnxruntime-node (or `specifier`) on first use; a MissingPackageError names it when it is not installed. */
export async function loadOnnxRuntime(specifier = 'onnxruntime-node'): Promise<OnnxRuntime> {
  try {
    const mod = (await import(specifier)) as OnnxRuntime & { default?: OnnxRuntime };
    return mod.InferenceSession ? mod : mod.default!;
  } catch (err) {
    throw new MissingPackageError(specifier, "runtime: 'onnxruntime'", { cause: err });
  }
}

/** NHWC values (what preprocessing gives) as NCHW (what the ONNX graph takes). */
export function toNchw(nhwc: Float32Array, n: number, size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(nhwc.length);
  for (let b = 0; b < n; b++) {
    const base = b * plane * 3;
    for (let p = 0; p < plane; p++) {
      out[base + p] = nhwc[base + p * 3]!;
      out[base + plane + p] = nhwc[base + p * 3 + 1]!;
      out[base + 2 * plane + p] = nhwc[base + p * 3 + 2]!;
    }
  }
  return out;
}
