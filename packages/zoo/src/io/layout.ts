import { WeightMismatchError } from '../errors.js';
import type { RawTensor } from './safetensors.js';

/**
 * How a tensor of another framework becomes one of ours. PyTorch and Paddle: `conv` [out, in, kh, kw] →
 * [kh, kw, in, out]; `depthwise` [C, 1, kh, kw] → [kh, kw, C, 1]; `linear` (torch.nn.Linear) [out, in] → [in, out];
 * `linearAsConv` a Linear read by our 1×1 conv → [1, 1, in, out]. `same`: already ours (Keras, Paddle's Linear);
 * `squeeze`: Keras's 1×1 conv classifier [1, 1, in, out] read by our Dense → [in, out]; `vector` a 1-D tensor.
 */
export type Layout = 'conv' | 'depthwise' | 'linear' | 'linearAsConv' | 'same' | 'squeeze' | 'vector';

/** Where one of our weights comes from: the file's key and how its tensor is laid out. */
export interface WeightSource {
  key: string;
  layout: Layout;
}

/** Transposes a row-major tensor. */
export function permute(t: RawTensor, perm: readonly number[]): RawTensor {
  const shape = perm.map((p) => t.shape[p]!);
  const inStrides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(t.values.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += index[d]! * inStrides[perm[d]!]!;
    out[o] = t.values[src]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return { shape, values: out };
}

const RANK: Record<Layout, number | null> = { conv: 4, depthwise: 4, linear: 2, linearAsConv: 2, same: null, squeeze: 4, vector: 1 };

function checkRank(t: RawTensor, layout: Layout, key: string): void {
  const rank = RANK[layout];
  if (rank !== null && t.shape.length !== rank) throw new WeightMismatchError(key, `has shape [${t.shape}]; a ${layout} tensor of rank ${rank} was expected`);
  if (layout === 'squeeze' && (t.shape[0] !== 1 || t.shape[1] !== 1)) throw new WeightMismatchError(key, `has shape [${t.shape}]; a 1×1 convolution kernel was expected`);
}

/** A tensor of another framework in our layout (see Layout); a tensor of the wrong rank is a WeightMismatchError naming `key`. */
export function toOurLayout(t: RawTensor, layout: Layout, key: string): RawTensor {
  checkRank(t, layout, key);
  switch (layout) {
    case 'conv':
      return permute(t, [2, 3, 1, 0]);
    case 'depthwise':
      return permute(t, [2, 3, 0, 1]);
    case 'linear':
      return permute(t, [1, 0]);
    case 'linearAsConv':
      return permute({ shape: [...t.shape, 1, 1], values: t.values }, [2, 3, 1, 0]);
    case 'squeeze':
      return { shape: t.shape.slice(2), values: t.values };
    case 'same':
    case 'vector':
      return t;
  }
}

/** One of our tensors in the layout of a PyTorch file (the inverse of toOurLayout, for export). */
export function toTorchLayout(t: RawTensor, layout: 'conv' | 'depthwise' | 'linear' | 'linearAsConv' | 'vector'): RawTensor {
  switch (layout) {
    case 'conv':
      return permute(t, [3, 2, 0, 1]);
    case 'depthwise':
      return permute(t, [2, 3, 0, 1]);
    case 'linear':
      return permute(t, [1, 0]);
    case 'linearAsConv':
      return { shape: [t.shape[3]!, t.shape[2]!], values: permute(t, [3, 2, 0, 1]).values };
    case 'vector':
      return t;
  }
}
