import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { errnoCode, FormatError } from '../errors.js';

/** IDX type codes (the third magic byte) this reader accepts: unsigned bytes, as MNIST and Fashion-MNIST use. */
const UBYTE = 0x08;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Reads an IDX file (gzipped or not): magic 0x0000 08 <rank>, big-endian dimensions, then the bytes. */
export async function readIdx(file: string, expectedRank?: number): Promise<IdxArray> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw new FormatError(file, `cannot read it (${errnoCode(err)})`);
  }
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = gunzipSync(raw);
    } catch {
      throw new FormatError(file, 'is gzipped but does not decompress (truncated?)');
    }
  }
  if (raw.byteLength < 4 || raw[0] !== 0 || raw[1] !== 0 || raw[2] !== UBYTE) {
    const magic = raw.subarray(0, 4).toString('hex').padEnd(8, '?');
    throw new FormatError(file, `wrong IDX magic number 0x${magic} (expected 0x000008 followed by the rank)`);
  }
  const rank = raw[3]!;
  if (expectedRank !== undefined && rank !== expectedRank) throw new FormatError(file, `IDX rank ${rank}, expected ${expectedRank}`);
  const dims = Array.from({ length: rank }, (_, i) => raw.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (raw.byteLength !== offset + size) throw new FormatError(file, `holds ${raw.byteLength - offset} data bytes; its header says ${size}`);
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + offset, size) };
}
