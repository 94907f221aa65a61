import { ModelFileError } from '../errors.js';

/*
 * The zip container of `torch.save` (PyTorch ≥ 1.6): its entries are stored uncompressed, 64-byte aligned, and
 * described by a central directory at the end (zip64 records past 4 GiB). Parsed here, on the bytes already
 * read, rather than through a package: it is one page of code, an entry is a view into the file (no copy), and
 * every offset is checked against the file's size. Only stored entries are read (torch.save never compresses);
 * every entry's CRC-32 is checked when it is read. No node:zlib: its crc32 is missing from some runtimes' Node layers.
 */

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO-HDLC), as zip files store it. */
function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

/** The entries of a zip file by name; a malformed directory is a ModelFileError naming the offset. */
export function zipEntries(path: string, file: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const fail = (message: string) => new ModelFileError(path, `not a valid zip (torch.save) file: ${message}`);
  const u64 = (at: number) => {
    const v = view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`a 64-bit field at byte ${at} is out of range`);
    return Number(v);
  };
  let eocd = -1;
  for (let at = file.length - 22; at >= Math.max(0, file.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw fail('no end-of-central-directory record (a truncated file?)');
  let count = view.getUint16(eocd + 10, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === MAX32) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== EOCD64_LOCATOR) throw fail('zip64 fields without a zip64 locator');
    const record = u64(locator + 8);
    if (record + 56 > file.length || view.getUint32(record, true) !== EOCD64) throw fail(`no zip64 end record at byte ${record}`);
    count = u64(record + 32);
    dirOffset = u64(record + 48);
  }
  const entries = new Map<string, ZipEntry>();
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > file.length || view.getUint32(at, true) !== CENTRAL) throw fail(`central directory entry ${i} at byte ${at} is missing or damaged`);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    if (at + 46 + nameLength + extraLength > file.length) throw fail(`central directory entry ${i} at byte ${at} runs past the end`);
    const entry: ZipEntry = {
      name: new TextDecoder().decode(file.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    // zip64 extended information: the 32-bit fields that overflowed, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(e, true);
      const length = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let f = e + 4;
        for (const field of ['size', 'compressedSize', 'localOffset'] as const) {
          if (entry[field] !== MAX32) continue;
          if (f + 8 > e + 4 + length) throw fail(`zip64 field of ${entry.name} is too short`);
          entry[field] = u64(f);
          f += 8;
        }
      }
      e += 4 + length;
    }
    entries.set(entry.name, entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** An entry's bytes (a view into the file), its bounds and CRC-32 checked. */
export function zipEntryData(path: string, file: Uint8Array, entry: ZipEntry): Uint8Array {
  const fail = (message: string) => new ModelFileError(path, `zip entry ${entry.name}: ${message}`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const at = entry.localOffset;
  if (at + 30 > file.length || view.getUint32(at, true) !== LOCAL) throw fail(`no local header at byte ${at}`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + entry.compressedSize > file.length) throw fail(`its ${entry.compressedSize} bytes at byte ${start} run past the end of the ${file.length}-byte file (a truncated file?)`);
  if (entry.method !== 0) throw fail(`is compressed (method ${entry.method}); torch.save stores entries uncompressed, and only those are read`);
  const data = file.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.size) throw fail(`holds ${data.length} bytes; the directory says ${entry.size}`);
  if (crc32(data) !== entry.crc) throw fail('its CRC-32 does not match (a damaged file?)');
  return data;
}
