import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from '../conv/geometry.js';
import { SIMD_MODULE } from './simd-module.js';

/**
 * The kernels of simd.c on tfjs' wasm backend. The module imports the backend's own memory, so a kernel reads
 * its inputs where tfjs keeps them and writes into an output tfjs allocated: no copies. It leans on internals
 * of tfjs-backend-wasm 4.22 (its memory object, `dataIdMap`, `makeOutput`); `wasm-simd.test.ts` checks them.
 */

/** Activation codes of simd.c. */
export const SIMD_ACTIVATIONS = { none: 0, relu: 1, relu6: 2 } as const;
export type SimdActivation = keyof typeof SIMD_ACTIVATIONS;

interface Exports {
  dw_filter_grad(...args: number[]): void;
  bn_stats(...args: number[]): void;
  bn_act_forward(...args: number[]): void;
  bn_act_backward(...args: number[]): void;
  matmul_tn(...args: number[]): void;
}

interface WasmBackend {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

const instances = new WeakMap<object, SimdKernels>();

/** tfjs flag: `tf.env().set(SIMD_FLAG, false)` turns the kernels off (benchmarks compare both paths). */
export const SIMD_FLAG = 'MOBILENETS_WASM_SIMD';
tf.env().registerFlag(SIMD_FLAG, () => true);

/** The SIMD kernels when the current backend is tfjs' wasm backend (and the flag is on), else null. */
export function simdKernels(): SimdKernels | null {
  if (tf.getBackend() !== 'wasm' || !tf.env().getBool(SIMD_FLAG)) return null;
  const backend = tf.backend() as unknown as WasmBackend;
  let kernels = instances.get(backend);
  if (!kernels) {
    kernels = new SimdKernels(backend);
    instances.set(backend, kernels);
  }
  return kernels;
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

export class SimdKernels {
  private readonly exports: Exports;

  constructor(private readonly backend: WasmBackend) {
    const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
    if (!memory) throw new Error('tfjs-backend-wasm exposes no memory object (expected 4.22)');
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(decode(shared ? SIMD_MODULE.shared : SIMD_MODULE.plain));
    this.exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
  }

  private offset(t: tf.Tensor): number {
    const data = this.backend.dataIdMap.get(t.dataId);
    if (!data || t.dtype !== 'float32') throw new Error(`SIMD kernels take float32 tensors on the wasm backend, got ${t.dtype}`);
    return data.memoryOffset;
  }

  private output<R extends tf.Rank>(shape: number[]): tf.Tensor<R> {
    const info = this.backend.makeOutput(shape, 'float32');
    return (tf.engine() as unknown as { makeTensorFromTensorInfo(i: tf.TensorInfo): tf.Tensor<R> }).makeTensorFromTensorInfo(info);
  }

  /** Float scratch for per-channel double sums: `floats` floats, then `doubles` doubles. */
  private scratch(floats: number, doubles: number): tf.Tensor {
    return this.output([((floats + 1) & ~1) + 2 * doubles]);
  }

  /** The filter gradient [kh, kw, C, 1] of a depthwise convolution of x [N, H, W, C] whose output gradient is dy. */
  depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    const [, ho, wo] = dy.shape;
    const dw = this.output<tf.Rank.R4>([g.height.kernel, g.width.kernel, c, 1]);
    this.exports.dw_filter_grad(
      this.offset(x), this.offset(dy), this.offset(dw), n, h, w, c, ho, wo,
      g.height.kernel, g.width.kernel, g.height.stride, g.width.stride, g.height.padBefore, g.width.padBefore,
    );
    return dw;
  }

  /** aᵀ · b for a [rows, m] and b [rows, n] with many rows (a filter gradient): [m, n]. */
  matMulTN(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    const [rows, m] = a.shape;
    const n = b.shape[1];
    const c = this.output<tf.Rank.R2>([m, n]);
    this.exports.matmul_tn(this.offset(a), this.offset(b), this.offset(c), rows, m, n);
    return c;
  }

  /** Per-channel mean and biased variance of x [..., C] (two passes, sums in double). */
  batchStats(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
    const c = x.shape[x.rank - 1]!;
    const [mean, variance] = [this.output<tf.Rank.R1>([c]), this.output<tf.Rank.R1>([c])];
    const scratch = this.scratch(c, c);
    this.exports.bn_stats(this.offset(x), this.offset(mean), this.offset(variance), this.offset(scratch), x.size / c, c);
    scratch.dispose();
    return { mean, variance };
  }

  /** act(x · scale + shift), per channel. */
  normAct<T extends tf.Tensor>(x: T, scale: tf.Tensor1D, shift: tf.Tensor1D, activation: SimdActivation): T {
    const c = x.shape[x.rank - 1]!;
    const y = this.output(x.shape) as T;
    this.exports.bn_act_forward(this.offset(x), this.offset(y), this.offset(scale), this.offset(shift), x.size / c, c, SIMD_ACTIVATIONS[activation]);
    return y;
  }

  /**
   * Gradient of act(BatchNorm(x)) with batch statistics: dx, dγ, dβ from the output gradient dy, the output y
   * (unused for `none`), the input x and the statistics it was normalized with.
   */
  normActGrad<T extends tf.Tensor>(
    dy: T, y: T | null, x: T, mean: tf.Tensor1D, invStd: tf.Tensor1D, gamma: tf.Tensor1D, activation: SimdActivation,
  ): { dx: T; dGamma: tf.Tensor1D; dBeta: tf.Tensor1D } {
    const c = x.shape[x.rank - 1]!;
    const dx = this.output(x.shape) as T;
    const [dGamma, dBeta] = [this.output<tf.Rank.R1>([c]), this.output<tf.Rank.R1>([c])];
    const scratch = this.scratch(2 * c, 2 * c);
    this.exports.bn_act_backward(
      this.offset(dy), y ? this.offset(y) : 0, this.offset(x), this.offset(dx), this.offset(dGamma), this.offset(dBeta),
      this.offset(mean), this.offset(invStd), this.offset(gamma), this.offset(scratch), x.size / c, c, SIMD_ACTIVATIONS[activation],
    );
    scratch.dispose();
    return { dx, dGamma, dBeta };
  }
}
