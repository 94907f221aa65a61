import type { Preprocessing } from '@mobilenets/zoo';
import { resample, type Rgb8 } from './resample.js';

/** Python's round(): halves to even (torchvision's center-crop offsets). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision's Resize(int) output size: the shorter side to `size`, the longer int(size · long / short). */
export function resizedSize(width: number, height: number, size: number): [width: number, height: number] {
  if (width <= height) return [size, Math.trunc((size * height) / width)];
  return [Math.trunc((size * width) / height), size];
}

/** Where a crop of `crop` starts along an axis of `size` (negative: torchvision pads with zeros first). */
function cropStart(size: number, crop: number): number {
  return crop > size ? -Math.floor((crop - size) / 2) : roundHalfEven((size - crop) / 2);
}

/**
 * One image as the model's input: torchvision's `Resize(resize, interpolation) → CenterCrop(crop) → ToTensor →
 * Normalize(mean, std)` on a PIL image, with the [0, 1] values first mapped into `inputRange`. Returns
 * crop × crop × 3 float32 values, HWC, computed in float32 as torch does.
 */
export function preprocess(image: Rgb8, p: Preprocessing): Float32Array {
  const [w, h] = resizedSize(image.width, image.height, p.resize);
  const resized = resample(image, w, h, p.interpolation);
  const top = cropStart(h, p.crop);
  const left = cropStart(w, p.crop);
  const [lo, hi] = p.inputRange;
  const unitRange = lo === 0 && hi === 1;
  const f = Math.fround;
  const mean = p.mean.map(f);
  const std = p.std.map(f);
  // The value of each 8-bit level in each channel, computed once.
  const table = [0, 1, 2].map((c) =>
    Float32Array.from({ length: 256 }, (_, level) => {
      const x = f(level / 255);
      const scaled = unitRange ? x : f(f(x * (hi - lo)) + lo);
      return f(f(scaled - mean[c]!) / std[c]!);
    }),
  );
  const out = new Float32Array(p.crop * p.crop * 3);
  for (let y = 0; y < p.crop; y++) {
    const sy = y + top;
    for (let x = 0; x < p.crop; x++) {
      const sx = x + left;
      const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
      const o = (y * p.crop + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = table[c]![inside ? resized.data[(sy * w + sx) * 3 + c]! : 0]!;
    }
  }
  return out;
}
