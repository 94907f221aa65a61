import { ModelFileError } from '../errors.js';

/** Bytes per element of every byte-sized safetensors dtype. */
export const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** The safetensors library's own limit on the header (MAX_HEADER_SIZE). */
const HEADER_LIMIT = 100_000_000;

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** The tensor's bytes in the data buffer (after the header): [begin, end). */
  begin: number;
  end: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function entry(path: string, name: string, info: unknown): TensorEntry {
  const fail = (message: string) => new ModelFileError(path, `tensor ${name}: ${message}`);
  if (!isObject(info)) throw fail('is not an object with dtype, shape and data_offsets');
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string' || DTYPE_BYTES[dtype] === undefined) throw fail(`unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isIndex)) throw fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  const [begin, end] = Array.isArray(offsets) && offsets.length === 2 ? offsets : [];
  if (!isIndex(begin) || !isIndex(end) || begin > end) {
    throw fail(`data_offsets ${JSON.stringify(offsets)} are not [begin, end] with integers 0 ≤ begin ≤ end`);
  }
  const bytes = shape.reduce((a: number, b: number) => a * b, 1) * DTYPE_BYTES[dtype]!;
  if (end - begin !== bytes) throw fail(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes; shape [${shape}] of ${dtype} needs ${bytes}`);
  return { name, dtype, shape, begin, end };
}

/**
 * A safetensors file's header, validated as the format requires: an 8-byte little-endian length N, N bytes of
 * UTF-8 JSON that begin with `{` (trailing spaces allowed), an optional string-to-string `__metadata__`, and
 * for every tensor a known dtype, a shape, and data_offsets into the data after the header holding exactly
 * its bytes. The tensors must tile the data: sorted by offset, each begins where the previous one ends, the
 * first at 0, the last at the end of the file — no gap, no overlap, no trailing byte.
 */
export function parseSafetensorsHeader(path: string, file: Uint8Array): { entries: TensorEntry[]; data: Uint8Array } {
  const fail = (message: string) => new ModelFileError(path, `not a valid safetensors file: ${message}`);
  if (file.byteLength < 8) throw fail('shorter than its 8-byte header length');
  const length = new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(HEADER_LIMIT)) throw fail(`header length ${length} is over the format's limit of ${HEADER_LIMIT} bytes`);
  if (8n + length > BigInt(file.byteLength)) throw fail(`header length ${length} does not fit a ${file.byteLength}-byte file`);
  const headerEnd = 8 + Number(length);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(8, headerEnd));
  } catch (err) {
    throw new ModelFileError(path, 'not a valid safetensors file: its header is not UTF-8', { cause: err });
  }
  if (!text.startsWith('{')) throw fail(`its header must be a JSON object and begin with '{', not ${JSON.stringify(text.slice(0, 16))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(path, `not a valid safetensors file: its ${length}-byte header is not JSON (a wrong header length?)`, { cause: err });
  }
  const { __metadata__: metadata, ...tensors } = header as Record<string, unknown>;
  if (metadata !== undefined && !(isObject(metadata) && Object.values(metadata).every((v) => typeof v === 'string'))) {
    throw fail('__metadata__ must map strings to strings');
  }
  const entries = Object.entries(tensors).map(([name, info]) => entry(path, name, info));
  const data = file.subarray(headerEnd);
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: TensorEntry | undefined;
  for (const e of sorted) {
    if (e.begin < at) throw fail(`tensor ${e.name} at [${e.begin}, ${e.end}] overlaps tensor ${previous!.name} at [${previous!.begin}, ${previous!.end}]`);
    if (e.begin > at) throw fail(`bytes [${at}, ${e.begin}) before tensor ${e.name} belong to no tensor`);
    at = e.end;
    previous = e;
  }
  if (at !== data.byteLength) {
    throw fail(at > data.byteLength ? `tensor ${previous!.name} ends at ${at}, past the ${data.byteLength} data bytes` : `${data.byteLength - at} trailing bytes after the last tensor (data holds ${data.byteLength}, tensors cover ${at})`);
  }
  return { entries, data };
}
