import { randomBytes } from 'node:crypto';
import { lstat, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readRegularFile } from './read-file.js';

/**
 * The siblings an atomic write of `<parent>/<name>` leaves beside its target, named
 * `.<name>.<kind>-<writer pid>-<8 hex>`: `tmp` the version being written, `old` the replaced version between
 * the swap and its removal, `stale` a broken lock on its way out. Directories among them also carry a marker
 * naming their target (or are empty), so that nothing of the user's is ever taken for one by its name alone.
 */
export type SiblingKind = 'tmp' | 'old' | 'stale';

export const MARKER = '.mobilenets-write.json';

interface Marker {
  target: string;
  pid: number;
  /** When the marker was written (ms since the epoch): the newest `old` is the last version in place. */
  time: number;
}

export interface Sibling {
  path: string;
  kind: SiblingKind;
  pid: number;
  /** Directories only. */
  marker: Marker | null;
}

export function siblingPath(target: string, kind: SiblingKind): string {
  return join(dirname(target), `.${basename(target)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export const lockPath = (target: string) => join(dirname(target), `.${basename(target)}.lock`);

/** Whether a process with this id runs (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function writeMarker(dir: string, target: string): Promise<void> {
  const marker: Marker = { target, pid: process.pid, time: Date.now() };
  await writeFile(join(dir, MARKER), JSON.stringify(marker));
}

async function readMarker(dir: string): Promise<Marker | null> {
  try {
    const m = JSON.parse((await readRegularFile(join(dir, MARKER), 4096)).toString('utf8')) as Partial<Marker> | null;
    return typeof m?.target === 'string' && typeof m.time === 'number' && typeof m.pid === 'number' ? (m as Marker) : null;
  } catch {
    return null;
  }
}

/** The siblings of `target` recognised by name, directories only with a marker naming `target`. */
export async function siblingsOf(target: string): Promise<Sibling[]> {
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return [];
  }
  const out: Sibling[] = [];
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(tmp|old|stale)-(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length)) : null;
    if (!m) continue;
    const path = join(dirname(target), name);
    const isDir = await lstat(path).then((s) => s.isDirectory(), () => false);
    const marker = isDir ? await readMarker(path) : null;
    // A writer killed between creating its directory and marking it leaves it empty.
    if (isDir && marker?.target !== target && !(marker === null && (await readdir(path).catch(() => [path])).length === 0)) continue;
    out.push({ path, kind: m[1] as SiblingKind, pid: Number(m[2]), marker });
  }
  return out;
}

/** The last version of `target` that a writer set aside (newest first), if any. */
export async function previousVersion(target: string): Promise<string | null> {
  const olds = (await siblingsOf(target)).filter((s) => s.kind === 'old' && s.marker);
  olds.sort((a, b) => b.marker!.time - a.marker!.time);
  return olds[0]?.path ?? null;
}

/**
 * Cleans what interrupted writes of `target` left: a missing target gets its last `old` version back, then
 * every leftover whose writer is dead goes. Called with the target's lock held, so a leftover of this very
 * process is dead too.
 */
export async function cleanLeftovers(target: string): Promise<void> {
  const dead = (await siblingsOf(target)).filter((s) => s.pid === process.pid || !isAlive(s.pid));
  const missing = await lstat(target).then(
    () => false,
    () => true,
  );
  if (missing) {
    const old = dead.filter((s) => s.kind === 'old').sort((a, b) => b.marker!.time - a.marker!.time)[0];
    if (old) {
      await rename(old.path, target);
      await rm(join(target, MARKER), { force: true });
      dead.splice(dead.indexOf(old), 1);
    }
  }
  for (const s of dead) await rm(s.path, { recursive: true, force: true });
}
