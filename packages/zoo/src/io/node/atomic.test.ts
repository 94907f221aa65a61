import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteError } from '../../errors.js';
import { type WriteOptions, readDirectoryAtomic, writeDirectoryAtomic, writeFileAtomic } from './atomic.js';
import { MARKER } from './siblings.js';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mobilenets-atomic-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A fresh folder for one test. */
async function folder(): Promise<string> {
  const dir = join(root, String(n++));
  await mkdir(dir);
  return dir;
}

/** The directories these tests write hold a `version` file; only such directories are replaceable. */
const write = (target: string, version: string, options: WriteOptions = {}) =>
  writeDirectoryAtomic(target, (tmp) => writeFile(join(tmp, 'version'), version), { isReplaceable: (d) => existsSync(join(d, 'version')), ...options });
const version = (dir: string) => readFile(join(dir, 'version'), 'utf8');
const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('it should have failed'), (e: unknown) => e as WriteError);
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
const marker = (target: string, pid: number) => JSON.stringify({ target, pid, time: Date.now() });

describe('writeDirectoryAtomic', () => {
  it('normalises the path: a trailing slash and `..` write the same directory, replacing it', async () => {
    const dir = await folder();
    expect(await write(`${dir}/sub/../model/`, 'v1')).toBe(join(dir, 'model'));
    expect(await write(`${dir}/model/`, 'v2')).toBe(join(dir, 'model'));
    expect(await version(join(dir, 'model'))).toBe('v2');
    expect(await readdir(dir)).toEqual(['model']); // no temporary, old version or lock left
    expect(await readdir(join(dir, 'model'))).toEqual(['version']); // the marker is gone
  });

  it('refuses a directory it may not replace, touching nothing; overwrite: true replaces it', async () => {
    const target = join(await folder(), 'thesis');
    await mkdir(join(target, 'sub'), { recursive: true });
    await writeFile(join(target, 'thesis.tex'), '\\section{Results}');
    await writeFile(join(target, 'sub', 'data.csv'), 'a,b\n1,2\n');
    const error = await failure(write(target, 'v1'));
    expect(error).toBeInstanceOf(WriteError);
    expect(error).toMatchObject({ code: 'EEXIST', path: target });
    expect(error.message).toMatch(/is a directory this write does not replace; nothing was changed \(pass overwrite: true/);
    expect(await readdir(target)).toEqual(['sub', 'thesis.tex']);
    expect(await readFile(join(target, 'sub', 'data.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(await readdir(join(target, '..'))).toEqual(['thesis']);
    await write(target, 'v1', { overwrite: true });
    expect(await readdir(target)).toEqual(['version']);
  });

  it('refuses a regular file or a link, even with isReplaceable; overwrite: true replaces it', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'notes.txt'), 'keep me');
    await symlink(join(dir, 'notes.txt'), join(dir, 'link'));
    for (const name of ['notes.txt', 'link']) {
      const error = await failure(write(join(dir, name), 'v1', { isReplaceable: () => true }));
      expect(error).toMatchObject({ name: 'WriteError', code: 'EEXIST' });
    }
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    await write(join(dir, 'link'), 'v1', { overwrite: true });
    expect(await version(join(dir, 'link'))).toBe('v1');
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('keep me'); // the link went, not what it pointed at
  });

  it('serialises concurrent writers of one path: all succeed, the last one stays, nothing is left beside it', async () => {
    const dir = await folder();
    const target = join(dir, 'model');
    const results = await Promise.allSettled(['1', '2', '3', '4', '5'].map((v) => write(target, v)));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));
    expect(['1', '2', '3', '4', '5']).toContain(await version(target));
    expect(await readdir(dir)).toEqual(['model']);
  });

  it('waits for a live lock holder, then fails with ELOCKED; breaks the lock of a dead one', async () => {
    const dir = await folder();
    const target = join(dir, 'model');
    await writeFile(join(dir, '.model.lock'), `${process.ppid} 0123`);
    const error = await failure(write(target, 'v1', { lockTimeoutMs: 50 }));
    expect(error).toMatchObject({ name: 'WriteError', code: 'ELOCKED' });
    expect(error.message).toContain(`another writer (pid ${process.ppid}) holds ${join(dir, '.model.lock')}`);
    expect(existsSync(target)).toBe(false);
    await writeFile(join(dir, '.model.lock'), `${deadPid()} 0123`);
    await write(target, 'v1');
    expect(await readdir(dir)).toEqual(['model']);
  });

  it("cleans a dead writer's leftovers of the same target, and only those", async () => {
    const dir = await folder();
    const target = join(dir, 'model');
    await write(target, 'v1');
    const dead = deadPid();
    const leftovers = {
      deadTmp: `.model.tmp-${dead}-0000000a`, // a killed writer's: removed
      deadEmpty: `.model.tmp-${dead}-0000000b`, // killed before marking it: empty, removed
      liveTmp: `.model.tmp-${process.ppid}-0000000c`, // a running writer's: kept
      unmarked: `.model.tmp-${dead}-0000000d`, // named alike but without a marker: not ours, kept
      otherTarget: `.other.tmp-${dead}-0000000e`, // another target's: kept
    };
    for (const name of Object.values(leftovers)) await mkdir(join(dir, name));
    await writeFile(join(dir, leftovers.deadTmp, MARKER), marker(target, dead));
    await writeFile(join(dir, leftovers.liveTmp, MARKER), marker(target, process.ppid));
    await writeFile(join(dir, leftovers.unmarked, 'data.csv'), '1,2');
    await writeFile(join(dir, leftovers.otherTarget, MARKER), marker(join(dir, 'other'), dead));
    await write(target, 'v2');
    expect((await readdir(dir)).sort()).toEqual([leftovers.liveTmp, leftovers.unmarked, leftovers.otherTarget, 'model'].sort());
  });

  it('a target missing beside its `.old-*` version (a writer killed between its renames) is restored first', async () => {
    const dir = await folder();
    const target = join(dir, 'model');
    const old = join(dir, `.model.old-${deadPid()}-0000000f`);
    await mkdir(old);
    await writeFile(join(old, 'version'), 'v1');
    await writeFile(join(old, MARKER), marker(target, 0));
    expect(await readDirectoryAtomic(target, version)).toBe('v1'); // a reader meanwhile reads the old version
    const error = await failure(writeDirectoryAtomic(target, () => Promise.reject(new Error('the write failed')), { overwrite: true }));
    expect(error.message).toBe('the write failed');
    expect(await version(target)).toBe('v1');
    expect(await readdir(dir)).toEqual(['model']);
  });

  it('a full disk in the write: WriteError ENOSPC naming the target, with its cause; the target as it was', async () => {
    const dir = await folder();
    const target = join(dir, 'model');
    await write(target, 'v1');
    const error = await failure(
      writeDirectoryAtomic(target, async (tmp) => {
        await writeFile(join(tmp, 'version'), 'v2');
        await writeFile('/dev/full', 'weights'); // the kernel answers ENOSPC, as a full disk does
      }, { overwrite: true }),
    );
    expect(error).toMatchObject({ name: 'WriteError', code: 'ENOSPC', path: target });
    expect(error.message).toBe(`${target}: cannot write it (ENOSPC: no space left on the device)`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(await version(target)).toBe('v1');
    expect(await readdir(dir)).toEqual(['model']);
  });

  it('a parent that is a file: WriteError ENOTDIR', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'file'), '');
    expect(await failure(write(join(dir, 'file', 'model'), 'v1'))).toMatchObject({ name: 'WriteError', code: 'ENOTDIR' });
  });
});

describe('writeFileAtomic', () => {
  it('writes a new file; an existing one only with overwrite (or isReplaceable); a directory never', async () => {
    const dir = await folder();
    const path = join(dir, 'class_indices.json');
    expect(await writeFileAtomic(`${dir}/./class_indices.json`, '{"cat":0}')).toBe(path);
    expect(await failure(writeFileAtomic(path, '{"dog":0}'))).toMatchObject({ name: 'WriteError', code: 'EEXIST', path });
    expect(await readFile(path, 'utf8')).toBe('{"cat":0}');
    await writeFileAtomic(path, new TextEncoder().encode('{"dog":0}'), { overwrite: true });
    await writeFileAtomic(path, '{"eel":0}', { isReplaceable: () => true });
    expect(await readFile(path, 'utf8')).toBe('{"eel":0}');
    await mkdir(join(dir, 'folder'));
    expect(await failure(writeFileAtomic(join(dir, 'folder'), 'x', { overwrite: true }))).toMatchObject({ code: 'EISDIR' });
    expect((await readdir(dir)).sort()).toEqual(['class_indices.json', 'folder']);
  });
});
