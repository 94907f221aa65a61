import { lstat, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ModelFileError, WriteError } from '../../errors.js';
import { MARKER, cleanLeftovers, previousVersion, siblingPath, writeMarker } from './siblings.js';
import { acquireLock } from './write-lock.js';

/*
 * Safe writing, shared by every writer of the project (saveModel, checkpoints, exports, class indices).
 *
 * A directory is written whole into a temporary sibling, its files fsynced, and swapped in by two renames:
 * the old target aside (`.<name>.old-*`), the new one into place; only then is the old one deleted. POSIX has
 * no atomic exchange of two directories that Node can reach (renameat2's RENAME_EXCHANGE is Linux-only and
 * not exposed), so between the two renames the target is absent for an instant. Readers bridge that instant:
 * readDirectoryAtomic (loadModel uses it) reads the `.old-*` sibling when the target is missing, and repeats a
 * read during which a swap landed. A writer killed in that instant leaves the `.old-*` sibling, which the next
 * write of the target renames back before anything else. So at every moment a reader finds the old version or
 * the new one, whole, never neither and never a mix.
 */

export interface WriteOptions {
  /** Replace whatever is at the path (a file, a link, any directory). Default false. */
  overwrite?: boolean;
  /**
   * Whether an existing entry at the path may be replaced without `overwrite` (writeDirectoryAtomic asks it of
   * directories only, writeFileAtomic of files only). Default: nothing is replaced.
   */
  isReplaceable?: (path: string) => boolean | Promise<boolean>;
  /** How long to wait for another writer of the same path before a `WriteError` with code `ELOCKED`. Default 60 s. */
  lockTimeoutMs?: number;
}

const LOCK_TIMEOUT_MS = 60_000;
const READ_ATTEMPTS = 5;

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'something already exists there',
  ENOTDIR: 'a parent in the path is not a directory',
  ENAMETOOLONG: 'name too long',
};

/** A system error (ENOSPC, EACCES, …) as a WriteError naming the target; anything else unchanged. */
function asWriteError(target: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (err instanceof WriteError || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return err;
  return new WriteError(target, code, `cannot write it (${code}: ${REASONS[code] ?? (err as Error).message})`, { cause: err });
}

/** The absolute path without a trailing slash or `..`; a file system root is refused. */
function normalizeTarget(path: string): string {
  const target = resolve(path);
  if (dirname(target) === target) throw new WriteError(target, 'EINVAL', 'a file system root is never written over');
  return target;
}

async function entryKind(path: string): Promise<'none' | 'directory' | 'other'> {
  const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  return info === null ? 'none' : info.isDirectory() ? 'directory' : 'other';
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a directory's entries to disk; some platforms cannot open directories, which then go unsynced. */
const fsyncDirectory = (dir: string) => fsyncPath(dir).catch(() => {});

async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(path);
    else if (entry.isFile()) await fsyncPath(path);
  }
  await fsyncDirectory(dir);
}

/** Test hook: MOBILENETS_TEST_KILL_AT=<step>[:<n>] SIGKILLs this process the n-th time a swap reaches <step>. */
const reached = new Map<string, number>();
function killPoint(step: 'written' | 'aside' | 'swapped'): void {
  const [at, nth = '1'] = (process.env.MOBILENETS_TEST_KILL_AT ?? '').split(':');
  if (at !== step) return;
  const n = (reached.get(step) ?? 0) + 1;
  reached.set(step, n);
  if (n === Number(nth)) process.kill(process.pid, 'SIGKILL');
}

/** Refuses an existing entry unless `overwrite`, or `isReplaceable` (asked only when `ask`) says yes. */
async function refuseExisting(target: string, kind: 'directory' | 'other', options: WriteOptions, ask: boolean): Promise<void> {
  if (options.overwrite || (ask && (await options.isReplaceable?.(target)))) return;
  const what = kind === 'directory' ? 'a directory this write does not replace' : 'a file or link this write does not replace';
  throw new WriteError(target, 'EEXIST', `exists and is ${what}; nothing was changed (pass overwrite: true to replace it)`);
}

/** Runs `body` on the normalised target with its lock held and the leftovers of interrupted writes cleaned. */
async function underLock(path: string, options: WriteOptions, body: (target: string) => Promise<void>): Promise<string> {
  const target = normalizeTarget(path);
  try {
    await mkdir(dirname(target), { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      // A recursive mkdir reports a file in the way as EEXIST.
      throw err.code === 'EEXIST' ? new WriteError(target, 'ENOTDIR', `cannot write it (ENOTDIR: ${REASONS.ENOTDIR})`, { cause: err }) : err;
    });
    const release = await acquireLock(target, options.lockTimeoutMs ?? LOCK_TIMEOUT_MS);
    try {
      await cleanLeftovers(target);
      await body(target);
    } finally {
      await release();
    }
  } catch (err) {
    throw asWriteError(target, err);
  }
  return target;
}

/**
 * Writes a directory atomically: `write(tmpDir)` fills a fresh sibling directory, which then replaces `path`
 * (see the comment at the top of this file). An existing directory at `path` is replaced only when
 * `isReplaceable` says so or with `overwrite`; a file or link there only with `overwrite`. Concurrent writers
 * of the same path take turns. If `write` throws, its error is rethrown (system errors as a `WriteError`)
 * and `path` is left as it was. Resolves to the normalised absolute path.
 */
export function writeDirectoryAtomic(path: string, write: (tmpDir: string) => Promise<void>, options: WriteOptions = {}): Promise<string> {
  return underLock(path, options, async (target) => {
    const kind = await entryKind(target);
    if (kind !== 'none') await refuseExisting(target, kind, options, kind === 'directory');
    const tmp = siblingPath(target, 'tmp');
    const old = kind === 'directory' ? siblingPath(target, 'old') : null;
    await mkdir(tmp);
    try {
      await writeMarker(tmp, target);
      await write(tmp);
      await fsyncTree(tmp);
      killPoint('written');
      if (old) {
        await writeMarker(target, target);
        await rename(target, old);
        killPoint('aside');
        await rename(tmp, target).catch(async (err: unknown) => {
          await rename(old, target);
          throw err;
        });
        killPoint('swapped');
      } else {
        if (kind === 'other') await rm(target);
        await rename(tmp, target);
      }
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if (old) await rm(join(target, MARKER), { force: true }).catch(() => {});
      throw err;
    }
    // The new version is in place: the rest only tidies up, and what it cannot do the next write does.
    await fsyncDirectory(dirname(target));
    await rm(join(target, MARKER), { force: true }).catch(() => {});
    if (old) await rm(old, { recursive: true, force: true }).catch(() => {});
  });
}

/**
 * Writes a file atomically: the bytes go to a temporary sibling, are fsynced, and the sibling is renamed over
 * `path` (a rename replaces a file in one step). An existing file or link is replaced only when `isReplaceable`
 * says so or with `overwrite`; a directory never. Resolves to the normalised absolute path.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<string> {
  return underLock(path, options, async (target) => {
    const kind = await entryKind(target);
    if (kind === 'directory') throw new WriteError(target, 'EISDIR', 'is a directory; a file is never written over one');
    if (kind === 'other') await refuseExisting(target, kind, options, true);
    const tmp = siblingPath(target, 'tmp');
    try {
      const handle = await open(tmp, 'wx');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await fsyncDirectory(dirname(target));
  });
}

/** Identifies one version of a directory: a swap puts another inode there, a removal inside changes its ctime. */
async function version(dir: string): Promise<string | null> {
  const info = await stat(dir).catch(() => null);
  return info && `${info.dev}:${info.ino}:${info.ctimeMs}`;
}

/**
 * Reads a directory written by writeDirectoryAtomic as one version, old or new, whole: when the target is
 * missing because a writer is between its two renames (or was killed there), `read` gets the version set
 * aside; when a swap lands during `read`, the read is repeated. `read` should only read, as it may run again.
 */
export async function readDirectoryAtomic<T>(path: string, read: (dir: string) => Promise<T>): Promise<T> {
  const target = resolve(path);
  for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
    const dir = (await version(target)) !== null ? target : ((await previousVersion(target)) ?? target);
    const before = await version(dir);
    if (before === null && dir !== target) continue; // the version set aside went away in between (its writer finished)
    let result: T;
    try {
      result = await read(dir);
    } catch (err) {
      if ((await version(dir)) === before) throw err;
      continue;
    }
    if ((await version(dir)) === before) return result;
  }
  throw new ModelFileError(target, `was replaced while being read, ${READ_ATTEMPTS} times in a row; try again`);
}
