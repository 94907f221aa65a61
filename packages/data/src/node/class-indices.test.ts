import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeClassIndices } from './class-indices.js';
import { DatasetError } from '../errors.js';

// A read-only file system or a full disk, which a test running as root cannot get from chmod: the rename that
// publishes the file fails as the kernel would fail it, after the temporary file was written.
const failure = vi.hoisted(() => ({ code: '' }));
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  return {
    ...fs,
    rename: async (from: string, to: string) => {
      if (failure.code) throw Object.assign(new Error(`${failure.code}: rename '${from}' -> '${to}'`), { code: failure.code });
      return fs.rename(from, to);
    },
  };
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-indices-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeClassIndices', () => {
  it.each(['EROFS', 'ENOSPC', 'EACCES'])('a failed write (%s) is a DatasetError naming the file, and leaves nothing behind', async (code) => {
    failure.code = code;
    const error = await writeClassIndices(dir, ['a', 'b']).catch((e: unknown) => e);
    failure.code = '';
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe(`${join(dir, 'class_indices.json')}: cannot be written (${code})`);
    expect((error as Error).cause).toMatchObject({ code });
    expect(await readdir(dir)).toEqual([]);
  });
});
