import { readFile } from 'node:fs/promises';
import { ModelFileError } from '../errors.js';

export interface RawTensor {
  shape: number[];
  /** float32 values (F16 / BF16 / F64 are converted). */
  values: Float32Array;
}

const HEADER_LIMIT = 100 * 2 ** 20;

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

/**
 * Reads a safetensors file (8-byte little-endian header length, JSON header, raw data). Floating-point
 * tensors come back as float32; integer ones (BatchNorm's num_batches_tracked) are listed in `skipped`.
 */
export async function readSafetensors(path: string): Promise<{ tensors: Map<string, RawTensor>; skipped: string[] }> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (err) {
    throw new ModelFileError(path, `cannot read the weight file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (file.byteLength < 8) throw new ModelFileError(path, 'not a safetensors file: shorter than its 8-byte header length');
  const headerLength = Number(file.readBigUInt64LE(0));
  if (headerLength > HEADER_LIMIT || 8 + headerLength > file.byteLength) {
    throw new ModelFileError(path, `not a safetensors file: header length ${headerLength} does not fit a ${file.byteLength}-byte file`);
  }
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8'));
  } catch {
    throw new ModelFileError(path, 'not a safetensors file: its header is not JSON');
  }
  const data = file.subarray(8 + headerLength);
  const tensors = new Map<string, RawTensor>();
  const skipped: string[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = info.data_offsets;
    if (!(begin >= 0 && end >= begin && end <= data.byteLength)) throw new ModelFileError(path, `tensor ${name}: data offsets [${begin}, ${end}] outside the file`);
    const values = decode(info.dtype, data.subarray(begin, end));
    if (values === null) {
      skipped.push(name);
      continue;
    }
    const size = info.shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new ModelFileError(path, `tensor ${name}: ${values.length} values for shape [${info.shape}]`);
    tensors.set(name, { shape: info.shape, values });
  }
  return { tensors, skipped };
}
