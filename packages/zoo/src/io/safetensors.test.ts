import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '../errors.js';
import { readSafetensors } from './safetensors.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-safetensors-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** 8-byte little-endian header length, the header, the data: the length can be set to lie. */
function file(header: string, data: Uint8Array, length = header.length): Uint8Array {
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(length), true);
  out.set(new TextEncoder().encode(header), 8);
  out.set(data, 8 + header.length);
  return out;
}
/** As the safetensors library writes a header: JSON padded with spaces to a multiple of 8 bytes (here at least 3). */
const padded = (header: unknown) => {
  const json = `${JSON.stringify(header)}   `;
  return json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
};

/** Two tensors: a = [1.5, -2] (F32, bytes [0, 8)), b = [1, 2, 0.5] (F16, bytes [8, 14)). */
const DATA = new Uint8Array([0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0, 0x00, 0x3c, 0x00, 0x40, 0x00, 0x38]);
const tensors = (b: [number, number] = [8, 14], more: Record<string, unknown> = {}) => ({
  __metadata__: { format: 'pt' },
  a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
  b: { dtype: 'F16', shape: [3], data_offsets: b },
  ...more,
});

async function read(bytes: Uint8Array) {
  const path = join(dir, `${n++}.safetensors`);
  await writeFile(path, bytes);
  return readSafetensors(path);
}
async function refused(bytes: Uint8Array): Promise<string> {
  const error = await read(bytes).then(
    () => expect.unreachable('the file should have been refused'),
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(ModelFileError);
  return error.message;
}

describe('readSafetensors: validated as the format requires', () => {
  it('reads a well-formed file', async () => {
    const { tensors: t } = await read(file(padded(tensors()), DATA));
    expect([...t.keys()]).toEqual(['a', 'b']);
    expect(Array.from(t.get('a')!.values)).toEqual([1.5, -2]);
    expect(Array.from(t.get('b')!.values)).toEqual([1, 2, 0.5]);
  });

  it.each([-3, -2, -1, 1, 2, 3])('a header length off by %i: refused, not read as shifted data', async (delta) => {
    const header = padded(tensors());
    const message = await refused(file(header, DATA, header.length + delta));
    expect(message).toMatch(delta < 0 ? new RegExp(`${-delta} trailing bytes after the last tensor`) : /header is not (JSON \(a wrong header length\?\)|UTF-8)$/);
  });

  it.each([-3, -2, -1, 1, 2, 3])("the real fixture's header length off by %i: refused", async (delta) => {
    const bytes = new Uint8Array(readFileSync(fileURLToPath(new URL('../__fixtures__/mobilenetv2_035_10classes.safetensors', import.meta.url))));
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, view.getBigUint64(0, true) + BigInt(delta), true);
    await refused(bytes);
  });

  it('offsets shifted by a byte: a gap or an overlap, named', async () => {
    const gap = new Uint8Array([...DATA, 0]);
    expect(await refused(file(padded(tensors([9, 15])), gap))).toMatch(/bytes \[8, 9\) before tensor b belong to no tensor$/);
    expect(await refused(file(padded(tensors([7, 13])), DATA.subarray(0, 13)))).toMatch(/tensor b at \[7, 13\] overlaps tensor a at \[0, 8\]$/);
    const both = tensors([8, 14], { c: { dtype: 'U8', shape: [2], data_offsets: [6, 8] } });
    expect(await refused(file(padded(both), DATA))).toMatch(/tensor c at \[6, 8\] overlaps tensor a at \[0, 8\]$/);
  });

  it('trailing bytes after the last tensor, or a tensor past the end', async () => {
    expect(await refused(file(padded(tensors()), new Uint8Array([...DATA, 1, 2, 3, 4])))).toMatch(/4 trailing bytes after the last tensor \(data holds 18, tensors cover 14\)$/);
    expect(await refused(file(padded(tensors()), DATA.subarray(0, 12)))).toMatch(/tensor b ends at 14, past the 12 data bytes$/);
  });

  it.each([
    ['fractional offsets', tensors([8, 14.5]), /tensor b: data_offsets \[8,14\.5\] are not \[begin, end\]/],
    ['reversed offsets', tensors([14, 8]), /tensor b: data_offsets \[14,8\] are not \[begin, end\]/],
    ['a fractional shape', tensors(undefined, { b: { dtype: 'F16', shape: [1.5, 2], data_offsets: [8, 14] } }), /tensor b: shape \[1\.5,2\] is not a list of non-negative integers/],
    ['a negative shape', tensors(undefined, { b: { dtype: 'F16', shape: [-3], data_offsets: [8, 14] } }), /tensor b: shape \[-3\] is not/],
    ['an unknown dtype', tensors(undefined, { b: { dtype: 'F128', shape: [3], data_offsets: [8, 14] } }), /tensor b: unknown dtype "F128"/],
    ['bytes that do not fit the shape', tensors(undefined, { b: { dtype: 'F16', shape: [4], data_offsets: [8, 14] } }), /tensor b: data_offsets \[8, 14\] hold 6 bytes; shape \[4\] of F16 needs 8$/],
    ['a tensor that is not an object', tensors(undefined, { b: 7 }), /tensor b: is not an object/],
    ['metadata that is not string to string', { ...tensors(), __metadata__: { epochs: 3 } }, /__metadata__ must map strings to strings/],
  ])('%s: refused, naming the tensor', async (_, header, message) => {
    expect(await refused(file(padded(header), DATA))).toMatch(message);
  });

  it.each([
    ['null', /its header must be a JSON object and begin with '\{', not "null/],
    ['[]', /its header must be a JSON object/],
    [' {}', /its header must be a JSON object/],
  ])('a %s header: refused', async (header, message) => {
    expect(await refused(file(`${header}        `, new Uint8Array(0)))).toMatch(message);
  });

  it('a header length larger than the file, or than the format allows; a header that is not UTF-8', async () => {
    expect(await refused(file(padded(tensors()), DATA, 4096))).toMatch(/header length 4096 does not fit a \d+-byte file/);
    expect(await refused(file(padded(tensors()), DATA, 2 ** 40))).toMatch(/header length 1099511627776 is over the format's limit/);
    const bytes = file(padded(tensors()), DATA);
    bytes[10] = 0xff;
    expect(await refused(bytes)).toMatch(/its header is not UTF-8/);
  });
});
