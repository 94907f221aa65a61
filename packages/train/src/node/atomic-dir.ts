import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where the previous version of `dir` waits while the new one is moved in. */
export const previousOf = (dir: string) => `${dir}.prev`;

const exists = (path: string) => stat(path).then(() => true, () => false);

/** fsync every file under `dir`, then the directory itself, so a rename never publishes unwritten data. */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else {
      const file = await open(path, 'r');
      await file.sync().finally(() => file.close());
    }
  }
  const d = await open(dir, 'r');
  await d.sync().finally(() => d.close());
}

/**
 * Writes a directory atomically: `fill` writes into a temporary sibling; then the old `dir` is renamed to
 * `dir.prev`, the new one renamed to `dir`, and `dir.prev` removed. Whatever instant a crash comes at, either
 * `dir` is a complete directory or (between the two renames) `dir.prev` is: `resolveAtomicDir` finds it.
 * Leftover temporaries of killed writers are removed on the next write.
 * (The seam for the zoo's atomic directory writer: only this function moves checkpoint directories.)
 */
export async function writeAtomicDir(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const parent = dirname(dir);
  const name = basename(dir);
  const tmp = join(parent, `${name}.tmp-${process.pid}-${Date.now()}`);
  for (const e of await readdir(parent).catch(() => [] as string[])) {
    // `.<name>.tmp-…` too: the hidden temporaries and lock of the zoo's saveModel writing into a killed one.
    if (e.startsWith(`${name}.tmp-`) || e.startsWith(`.${name}.tmp-`)) await rm(join(parent, e), { recursive: true, force: true });
  }
  try {
    await fill(tmp);
    await syncTree(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const prev = previousOf(dir);
  if (await exists(dir)) {
    // A complete `dir` exists, so a `.prev` beside it is stale.
    await rm(prev, { recursive: true, force: true });
    await rename(dir, prev);
  }
  await rename(tmp, dir);
  await rm(prev, { recursive: true, force: true });
}

/** The complete version of an atomically written directory: `dir`, or `dir.prev` when a crash came between the renames. */
export async function resolveAtomicDir(dir: string): Promise<string | null> {
  if (await exists(dir)) return dir;
  const prev = previousOf(dir);
  return (await exists(prev)) ? prev : null;
}
