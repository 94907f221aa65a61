/**
 * PIL's `Image.resize` on 8-bit RGB images, which torchvision's `Resize` calls on PIL images: a separable
 * convolution (horizontal pass, then vertical) whose filter widens with the downscale factor — antialiasing —
 * with PIL's 22-bit fixed-point weights and its rounding to 8 bits after each pass (`ImagingResample`,
 * libImaging/Resample.c). Bilinear is its triangle filter, bicubic its cubic convolution with a = −0.5 (timm's
 * MobileNetV4 evaluation); nearest is PIL's NEAREST (`ImagingScaleAffine`, libImaging/Geometry.c).
 */
import type { Preprocessing } from '@mobilenets/zoo';

/** An 8-bit RGB image, row-major HWC. */
export interface Rgb8 {
  data: Uint8Array;
  width: number;
  height: number;
}

export type Interpolation = Preprocessing['interpolation'];

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

/** A PIL resampling filter: its kernel and the half-width where it is non-zero (before the downscale widens it). */
interface Filter {
  kernel: (x: number) => number;
  support: number;
}

const FILTERS: Record<Exclude<Interpolation, 'nearest'>, Filter> = {
  bilinear: {
    kernel: (x) => {
      const a = Math.abs(x);
      return a < 1 ? 1 - a : 0;
    },
    support: 1,
  },
  // Keys' cubic convolution with a = −0.5, written as PIL's bicubic_filter.
  bicubic: {
    kernel: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
    support: 2,
  },
};

/** C's (int) cast of a double: truncation toward zero. */
const int = Math.trunc;

interface Taps {
  /** First source index of each output index. */
  start: Int32Array;
  /** Number of source taps of each output index. */
  count: Int32Array;
  /** Fixed-point weights, `ksize` per output index. */
  weights: Int32Array;
  ksize: number;
}

/** PIL's precompute_coeffs + normalize_coeffs_8bpc for one axis. */
function taps(inSize: number, outSize: number, filter: Filter): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(int(center - support + 0.5), 0);
    const xmax = Math.min(int(center + support + 0.5), inSize) - xmin;
    const ss = 1 / filterScale;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = filter.kernel((x + xmin - center + 0.5) * ss);
      sum += k[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum === 0 ? k[x]! : k[x]! / sum;
      weights[xx * ksize + x] = w < 0 ? int(-0.5 + w * ONE) : int(0.5 + w * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, weights, ksize };
}

/** PIL's clip8: a fixed-point sum back to 0–255 (bicubic's negative lobes can take it below 0 or above 255). */
function clip8(v: number): number {
  if (v >= ONE * 256) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / ONE);
}

/** One pass of the separable filter: along x (`horizontal`) or along y, from src's size to out's. */
function pass(src: Uint8Array, srcWidth: number, srcHeight: number, outWidth: number, outHeight: number, horizontal: boolean, filter: Filter): Uint8Array {
  const t = horizontal ? taps(srcWidth, outWidth, filter) : taps(srcHeight, outHeight, filter);
  const out = new Uint8Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const o = horizontal ? x : y;
      const first = t.start[o]!;
      const n = t.count[o]!;
      const kBase = o * t.ksize;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let i = 0; i < n; i++) {
        const w = t.weights[kBase + i]!;
        const p = (horizontal ? y * srcWidth + first + i : (first + i) * srcWidth + x) * 3;
        r += src[p]! * w;
        g += src[p + 1]! * w;
        b += src[p + 2]! * w;
      }
      const q = (y * outWidth + x) * 3;
      out[q] = clip8(r);
      out[q + 1] = clip8(g);
      out[q + 2] = clip8(b);
    }
  }
  return out;
}

/** PIL's ImagingScaleAffine: source positions accumulated in steps of the scale from half a step, truncated. */
function nearestIndices(inSize: number, outSize: number): Int32Array {
  const step = inSize / outSize;
  const out = new Int32Array(outSize);
  let pos = step * 0.5;
  for (let i = 0; i < outSize; i++, pos += step) out[i] = Math.min(Math.trunc(pos), inSize - 1);
  return out;
}

function nearest(image: Rgb8, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const xs = nearestIndices(image.width, width);
  const ys = nearestIndices(image.height, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (ys[y]! * image.width + xs[x]!) * 3;
      out.set(image.data.subarray(p, p + 3), (y * width + x) * 3);
    }
  }
  return out;
}

/** The image resized to width × height as PIL resizes it (no copy when the size is already right). */
export function resample(image: Rgb8, width: number, height: number, interpolation: Interpolation): Rgb8 {
  if (image.width === width && image.height === height) return image;
  if (interpolation === 'nearest') return { data: nearest(image, width, height), width, height };
  const filter = FILTERS[interpolation];
  let { data } = image;
  if (width !== image.width) data = pass(data, image.width, image.height, width, image.height, true, filter);
  if (height !== image.height) data = pass(data, width, image.height, width, height, false, filter);
  return { data, width, height };
}
