import { toFloat32 } from './floats.js';
import { readRegularFile } from './node/read-file.js';
import { parseSafetensorsHeader } from './safetensors-header.js';

export interface RawTensor {
  shape: number[];
  /** float32 values (F16 / BF16 / F64 are converted). */
  values: Float32Array;
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
    const values = toFloat32(dtype, data.subarray(begin, end));
    if (values === null) skipped.push(name);
    else tensors.set(name, { shape, values });
  }
  return { tensors, skipped };
}
