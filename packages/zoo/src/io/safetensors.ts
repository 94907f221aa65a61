import { readRegularFile } from './read-file.js';
import { parseSafetensorsHeader } from './safetensors-header.js';

export interface RawTensor {
  shape: number[];
  /** float32 values (F16 / BF16 / F64 are converted). */
  values: Float32Array;
}

function decode(dtype: string, bytes: Uint8Array): Float32Array | null {
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
    case 'BF16':
      return out(2, (o) => {
        const f = new DataView(new ArrayBuffer(4));
        f.setUint32(0, view.getUint16(o, true) << 16);
        return f.getFloat32(0);
      });
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

/** safetensors files of the MobileNets are a few tens of MB; a larger one is refused before it is read. */
const FILE_LIMIT = 2 ** 31;

/**
 * Reads a safetensors file, validated as the format requires (see parseSafetensorsHeader): a malformed
 * header, offsets that leave a gap or overlap, or trailing bytes are a ModelFileError naming the tensor or the
 * offset. Floating-point tensors come back as float32; the others (BatchNorm's num_batches_tracked) are
 * listed in `skipped`.
 */
export async function readSafetensors(path: string): Promise<{ tensors: Map<string, RawTensor>; skipped: string[] }> {
  const { entries, data } = parseSafetensorsHeader(path, await readRegularFile(path, FILE_LIMIT));
  const tensors = new Map<string, RawTensor>();
  const skipped: string[] = [];
  for (const { name, dtype, shape, begin, end } of entries) {
    const values = decode(dtype, data.subarray(begin, end));
    if (values === null) skipped.push(name);
    else tensors.set(name, { shape, values });
  }
  return { tensors, skipped };
}
