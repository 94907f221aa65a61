import { writeFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs-core';

/** Writes float32 tensors as a safetensors file (the zoo's `readSafetensors` reads it back; so does Python). */
export async function writeSafetensors(path: string, tensors: ReadonlyMap<string, tf.Tensor>): Promise<void> {
  const header: Record<string, { dtype: 'F32'; shape: number[]; data_offsets: [number, number] }> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const values = (await t.data()) as Float32Array;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  // The header is padded with spaces to a multiple of 8 bytes, as the reference writer does.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  await writeFile(path, Buffer.concat([length, Buffer.from(json), ...chunks]));
}
