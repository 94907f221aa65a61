/**
 * Little-endian floating-point values as float32, by safetensors dtype name (F32, F64, F16, BF16); null for any
 * other dtype (integers, booleans).
 */
export function toFloat32(dtype: string, bytes: Uint8Array): Float32Array | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = (width: number, read: (offset: number) => number) => {
    const a = new Float32Array(bytes.byteLength / width);
    for (let i = 0; i < a.length; i++) a[i] = read(i * width);
    return a;
  };
  switch (dtype) {
    case 'F32':
      return out(4, (o) => view.getFloat32(o, true));
    case 'F64':
      return out(8, (o) => view.getFloat64(o, true));
    case 'F16':
      return out(2, (o) => halfToFloat(view.getUint16(o, true)));
    case 'BF16': {
      const bits = new Uint32Array(1);
      const float = new Float32Array(bits.buffer);
      return out(2, (o) => {
        bits[0] = view.getUint16(o, true) << 16;
        return float[0]!;
      });
    }
    default:
      return null;
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
