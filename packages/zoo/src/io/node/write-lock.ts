import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriteError } from '../../errors.js';
import { isAlive, lockPath, siblingPath } from './siblings.js';

const POLL_MS = 20;
/** A lock without a readable pid (its writer died between creating and filling it) is stale after this. */
const UNREADABLE_STALE_MS = 10_000;

const readText = (path: string) => readFile(path, 'utf8').catch(() => null);

async function isStale(lock: string, holder: string): Promise<boolean> {
  const pid = Number.parseInt(holder, 10);
  if (pid > 0) return !isAlive(pid);
  const info = await stat(lock).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > UNREADABLE_STALE_MS;
}

/**
 * Removes a stale lock. Renamed away first and checked: if another writer broke it and took a fresh lock
 * between our read and our rename, what we moved is that live lock, and it is put back.
 */
async function breakLock(target: string, lock: string, holder: string): Promise<void> {
  const moved = siblingPath(target, 'stale');
  try {
    await rename(lock, moved);
  } catch {
    return;
  }
  const content = await readText(moved);
  if (content !== holder && content !== null) await writeFile(lock, content, { flag: 'wx' }).catch(() => {});
  await rm(moved, { force: true });
}

/**
 * Takes the lock of `target` (`.<name>.lock` beside it, created with O_EXCL and holding `<pid> <token>`),
 * waiting while another live writer holds it; a lock whose pid is dead is broken. Resolves to the release.
 */
export async function acquireLock(target: string, timeoutMs: number): Promise<() => Promise<void>> {
  const lock = lockPath(target);
  const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await writeFile(lock, token, { flag: 'wx' });
      return async () => {
        if ((await readText(lock)) === token) await rm(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readText(lock);
    if (holder === null && !(await stat(lock).catch(() => null))) continue; // released meanwhile
    if (holder !== null && (await isStale(lock, holder))) {
      await breakLock(target, lock, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new WriteError(target, 'ELOCKED', `another writer (pid ${Number.parseInt(holder ?? '', 10) || '?'}) holds ${lock}; waited ${timeoutMs} ms`);
    }
    await sleep(POLL_MS);
  }
}
