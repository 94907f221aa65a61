import type { RawTensor } from './safetensors.js';
import type { Layout } from './torchvision.js';

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

/** A PyTorch tensor in our layout: conv [out, in, kh, kw] → [kh, kw, in, out]; depthwise → [kh, kw, C, 1]; linear → [in, out]. */
export function fromTorch(t: RawTensor, layout: Layout): RawTensor {
  switch (layout) {
    case 'conv':
      return permute(t, [2, 3, 1, 0]);
    case 'depthwise':
      return permute(t, [2, 3, 0, 1]);
    case 'linear':
      return permute(t, [1, 0]);
    case 'linearAsConv':
      return permute({ shape: [...t.shape, 1, 1], values: t.values }, [2, 3, 1, 0]);
    case 'vector':
      return t;
  }
}
