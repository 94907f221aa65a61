/** How weights are stored: as they are, as IEEE half floats, or as 8-bit integers with a scale and zero point. */
export type WeightStorage = 'float32' | 'float16' | 'uint8';
export const QUANTIZATIONS = ['float16', 'uint8'] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** One float32 as the bits of the nearest IEEE 754 half (ties to even; overflow to ±inf; subnormals kept). */
function halfBits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // inf, NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (half + (rest > midpoint || (rest === midpoint && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa rolls into the exponent, as it should.
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

export function toFloat16(values: Float32Array): Uint16Array {
  return Uint16Array.from(values, halfBits);
}

export function fromFloat16(bits: Uint16Array): Float32Array {
  return Float32Array.from(bits, (h) => {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) return sign * m * 2 ** -24;
    if (e === 0x1f) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    return sign * (1 + m / 1024) * 2 ** (e - 15);
  });
}

export interface Uint8Quantized {
  values: Uint8Array;
  /** One per channel: value ≈ (q − zeroPoint) · scale. */
  scale: Float32Array;
  zeroPoint: Uint8Array;
}

/**
 * Affine 8-bit quantization with one scale and zero point per channel along the leading axis (`channels` = 1:
 * per tensor). Each channel's range is widened to include 0, so zeros stay exact (as TF Lite and ONNX quantizers do).
 */
export function quantizeUint8(values: Float32Array, channels: number): Uint8Quantized {
  const per = values.length / channels;
  const out: Uint8Quantized = { values: new Uint8Array(values.length), scale: new Float32Array(channels), zeroPoint: new Uint8Array(channels) };
  for (let c = 0; c < channels; c++) {
    const slice = values.subarray(c * per, (c + 1) * per);
    let [lo, hi] = [0, 0];
    for (const v of slice) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const scale = Math.fround(hi > lo ? (hi - lo) / 255 : 1);
    const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
    out.scale[c] = scale;
    out.zeroPoint[c] = zeroPoint;
    for (let i = 0; i < per; i++) out.values[c * per + i] = Math.min(255, Math.max(0, Math.round(slice[i]! / scale) + zeroPoint));
  }
  return out;
}
