import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from '../conv/geometry.js';
import { SIMD_MODULE } from './simd-module.js';

/**
 * The kernels of simd.c as tfjs kernels of the wasm backend (so `tf.profile` times them by name). The module
 * imports the backend's own memory, so a kernel reads its inputs where tfjs keeps them and writes into outputs
 * tfjs allocated: no copies. It leans on internals of tfjs-backend-wasm 4.22 (its memory object, `dataIdMap`,
 * `makeOutput`, `disposeData`); `wasm-simd.test.ts` checks them.
 */

/** Activation codes of simd.c. */
export const SIMD_ACTIVATIONS = { none: 0, relu: 1, relu6: 2, hardSwish: 3 } as const;
export type SimdActivation = keyof typeof SIMD_ACTIVATIONS;

/** tfjs flag: `tf.env().set(SIMD_FLAG, false)` turns the kernels off (benchmarks compare both paths). */
export const SIMD_FLAG = 'MOBILENETS_WASM_SIMD';
tf.env().registerFlag(SIMD_FLAG, () => true);

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
  disposeData(dataId: object): void;
}

type Attrs = Record<string, number>;
type Run = (k: Kernel, inputs: tf.TensorInfo[], attrs: Attrs) => tf.TensorInfo | tf.TensorInfo[];

/** What a kernel function gets: the module's exports, input offsets, outputs and scratch from the backend. */
class Kernel {
  constructor(
    readonly exports: Exports,
    private readonly backend: WasmBackend,
  ) {}

  offset(t: tf.TensorInfo): number {
    const data = this.backend.dataIdMap.get(t.dataId);
    if (!data || t.dtype !== 'float32') throw new Error(`SIMD kernels take float32 tensors of the wasm backend, got ${t.dtype}`);
    return data.memoryOffset;
  }

  output(shape: number[]): tf.TensorInfo {
    return this.backend.makeOutput(shape, 'float32');
  }

  /** Runs `f` with a float buffer for per-channel double sums: `floats` floats, then `doubles` doubles. */
  withScratch(floats: number, doubles: number, f: (offset: number) => void): void {
    const scratch = this.output([((floats + 1) & ~1) + 2 * doubles]);
    try {
      f(this.offset(scratch));
    } finally {
      this.backend.disposeData(scratch.dataId);
    }
  }
}

const channels = (t: tf.TensorInfo) => t.shape[t.shape.length - 1]!;
const size = (t: tf.TensorInfo) => t.shape.reduce((n, d) => n * d, 1);

/** The kernels, by tfjs kernel name. */
const KERNELS: Record<string, Run> = {
  MobilenetsDepthwiseFilterGrad: (k, [x, dy], a) => {
    const [n, h, w, c] = x!.shape;
    const [, ho, wo] = dy!.shape;
    const dw = k.output([a.kh!, a.kw!, c!, 1]);
    k.exports.dw_filter_grad(k.offset(x!), k.offset(dy!), k.offset(dw), n!, h!, w!, c!, ho!, wo!, a.kh!, a.kw!, a.sh!, a.sw!, a.pt!, a.pl!);
    return dw;
  },
  MobilenetsBatchStats: (k, [x]) => {
    const c = channels(x!);
    const [mean, variance] = [k.output([c]), k.output([c])];
    k.withScratch(c, c, (s) => k.exports.bn_stats(k.offset(x!), k.offset(mean), k.offset(variance), s, size(x!) / c, c));
    return [mean, variance];
  },
  MobilenetsNormAct: (k, [x, scale, shift], a) => {
    const c = channels(x!);
    const y = k.output(x!.shape);
    k.exports.bn_act_forward(k.offset(x!), k.offset(y), k.offset(scale!), k.offset(shift!), size(x!) / c, c, a.activation!);
    return y;
  },
  MobilenetsNormActGrad: (k, [dy, y, x, mean, invStd, gamma, beta], a) => {
    const c = channels(x!);
    const [dx, dGamma, dBeta] = [k.output(x!.shape), k.output([c]), k.output([c])];
    k.withScratch(4 * c, 2 * c, (s) =>
      k.exports.bn_act_backward(
        k.offset(dy!), k.offset(y!), k.offset(x!), k.offset(dx), k.offset(dGamma), k.offset(dBeta),
        k.offset(mean!), k.offset(invStd!), k.offset(gamma!), k.offset(beta!), s, size(x!) / c, c, a.activation!,
      ),
    );
    return [dx, dGamma, dBeta];
  },
  MobilenetsMatMulTN: (k, [a, b]) => {
    const [rows, m] = a!.shape;
    const n = b!.shape[1]!;
    const c = k.output([m!, n]);
    k.exports.matmul_tn(k.offset(a!), k.offset(b!), k.offset(c), rows!, m!, n);
    return c;
  },
};

const kernels = new WeakMap<object, Kernel>();

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/** The module, instantiated on the backend's memory; the kernels registered with tfjs on first use. */
function kernelFor(backend: WasmBackend): Kernel {
  let kernel = kernels.get(backend);
  if (kernel) return kernel;
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (!memory) throw new Error('tfjs-backend-wasm exposes no memory object (expected 4.22)');
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = new WebAssembly.Module(decode(shared ? SIMD_MODULE.shared : SIMD_MODULE.plain));
  kernel = new Kernel(new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports, backend);
  kernels.set(backend, kernel);
  for (const [kernelName, run] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend: b }) =>
        run(kernelFor(b as unknown as WasmBackend), Object.values(inputs) as tf.TensorInfo[], attrs as unknown as Attrs),
    });
  }
  return kernel;
}

/** The SIMD kernels when the current backend is tfjs' wasm backend (and the flag is on), else null. */
export function simdKernels(): SimdKernels | null {
  if (tf.getBackend() !== 'wasm' || !tf.env().getBool(SIMD_FLAG)) return null;
  kernelFor(tf.backend() as unknown as WasmBackend);
  return SIMD;
}

const run = <T extends tf.Tensor | tf.Tensor[]>(name: string, inputs: Record<string, tf.Tensor>, attrs: Attrs = {}): T =>
  tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as T;

/** The kernels' typed entry points. */
export const SIMD = {
  /** The filter gradient [kh, kw, C, 1] of a depthwise convolution of x [N, H, W, C] whose output gradient is dy. */
  depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
    const attrs = { kh: g.height.kernel, kw: g.width.kernel, sh: g.height.stride, sw: g.width.stride, pt: g.height.padBefore, pl: g.width.padBefore };
    return run('MobilenetsDepthwiseFilterGrad', { x, dy }, attrs);
  },

  /** aᵀ · b for a [rows, m] and b [rows, n] with many rows (a filter gradient): [m, n]. */
  matMulTN(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    return run('MobilenetsMatMulTN', { a, b });
  },

  /** Per-channel mean and biased variance of x [..., C] (two passes, sums in double). */
  batchStats(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
    const [mean, variance] = run<tf.Tensor1D[]>('MobilenetsBatchStats', { x });
    return { mean: mean!, variance: variance! };
  },

  /** act(x · scale + shift), per channel. */
  normAct<T extends tf.Tensor>(x: T, scale: tf.Tensor1D, shift: tf.Tensor1D, activation: SimdActivation): T {
    return run('MobilenetsNormAct', { x, scale, shift }, { activation: SIMD_ACTIVATIONS[activation] });
  },

  /**
   * Gradient of act(BatchNorm(x)) with batch statistics: dx, dγ, dβ from the output gradient dy, the output y
   * (ReLU and ReLU6 read their derivative from it), the input x and the statistics it was normalized with, γ and
   * β (hard-swish recomputes its input from x, γ and β).
   */
  normActGrad<T extends tf.Tensor>(
    dy: T, y: T | null, x: T, mean: tf.Tensor1D, invStd: tf.Tensor1D, gamma: tf.Tensor1D, beta: tf.Tensor1D, activation: SimdActivation,
  ): { dx: T; dGamma: tf.Tensor1D; dBeta: tf.Tensor1D } {
    const inputs = { dy, y: y ?? dy, x, mean, invStd, gamma, beta };
    const [dx, dGamma, dBeta] = run<tf.Tensor[]>('MobilenetsNormActGrad', inputs, { activation: SIMD_ACTIVATIONS[activation] });
    return { dx: dx as T, dGamma: dGamma as tf.Tensor1D, dBeta: dBeta as tf.Tensor1D };
  },
};
export type SimdKernels = typeof SIMD;
