import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { DatasetError, EmptyClassError, errnoCode } from '../errors.js';

/** Something an image folder did not take as a sample, and why. */
export interface Skipped {
  file: string;
  reason: string;
}

/** torchvision's IMG_EXTENSIONS, less the ones sharp cannot decode (below). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp'];
/** Extensions torchvision's ImageFolder lists but sharp has no decoder for. */
const NO_DECODER: Readonly<Record<string, string>> = { '.bmp': 'BMP', '.ppm': 'PPM', '.pgm': 'PGM' };

export interface Listing {
  classes: string[];
  /** Every image, grouped by class, in torchvision's order (directory path, then file name). */
  files: string[];
  labels: number[];
  skipped: Skipped[];
}

interface Walk {
  extensions: readonly string[];
  /** Skip what cannot be read (`skip`) or throw a DatasetError (`throw`). */
  onError: 'throw' | 'skip';
  /** File names at the top level the caller handles (class_indices.json). */
  ignore: readonly string[];
  skipped: Skipped[];
}
const id = (s: Stats) => `${s.dev}:${s.ino}`;

/** Records a failure: a DatasetError unless asked to skip. */
function fail(walk: Walk, file: string, reason: string, err?: unknown): void {
  if (walk.onError === 'throw') throw new DatasetError(file, reason, { cause: err });
  walk.skipped.push({ file, reason });
}

/** An entry's own kind, through a symbolic link (as os.scandir's is_dir / is_file); undefined for a broken link. */
async function kind(walk: Walk, path: string, entry: Dirent): Promise<Dirent | Stats | undefined> {
  if (!entry.isSymbolicLink()) return entry;
  try {
    return await stat(path);
  } catch (err) {
    fail(walk, path, `is a symbolic link to nothing readable (${errnoCode(err)})`, err);
    return undefined;
  }
}

async function entries(walk: Walk, dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    fail(walk, dir, `cannot list it (${errnoCode(err)})`, err);
    return [];
  }
}

function imageReason(walk: Walk, name: string): string | undefined {
  const ext = extname(name).toLowerCase();
  if (walk.extensions.includes(ext)) return undefined;
  if (NO_DECODER[ext]) return `${NO_DECODER[ext]} is not decoded (sharp has no ${NO_DECODER[ext]} reader; torchvision would read it): convert it to PNG`;
  return `not one of the image extensions (${walk.extensions.join(', ')})`;
}

/**
 * The images under `dir`, as os.walk(followlinks=True) finds them: links followed, a link back to a folder
 * being walked (`ancestors`, by device and inode) reported as a cycle instead of looped.
 */
async function imagesUnder(walk: Walk, dir: string, ancestors: Map<string, string>, files: string[]): Promise<void> {
  for (const entry of await entries(walk, dir)) {
    const path = join(dir, entry.name);
    const k = await kind(walk, path, entry);
    if (!k) continue;
    if (k.isDirectory()) {
      const s = 'ino' in k ? k : await stat(path);
      const seen = ancestors.get(id(s));
      if (seen !== undefined) {
        walk.skipped.push({ file: path, reason: `links back to ${seen}, a folder it is inside of (a cycle); not followed` });
        continue;
      }
      await imagesUnder(walk, path, new Map(ancestors).set(id(s), path), files);
    } else if (!k.isFile()) {
      walk.skipped.push({ file: path, reason: 'not a regular file' });
    } else {
      const reason = imageReason(walk, entry.name);
      if (reason) walk.skipped.push({ file: path, reason });
      else files.push(path);
    }
  }
}

/** torchvision's order: by directory path, then by file name (plain code-unit order, as Python's sorted). */
function byDirectoryThenName(a: string, b: string): number {
  const [da, db] = [dirname(a), dirname(b)];
  if (da !== db) return da < db ? -1 : 1;
  const [na, nb] = [basename(a), basename(b)];
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * torchvision's ImageFolder layout: one sub-folder per class (sorted by name), its images found at any depth.
 * Links are followed; anything not taken (other files, broken links, cycles, empty classes with `skip`) is in
 * `skipped` with its reason.
 */
export async function listImages(dir: string, options: Omit<Walk, 'skipped'>): Promise<Listing> {
  const walk: Walk = { ...options, skipped: [] };
  let top: Dirent[];
  let root: Stats;
  try {
    [top, root] = await Promise.all([readdir(dir, { withFileTypes: true }), stat(dir)]);
  } catch (err) {
    throw new DatasetError(dir, `cannot list it (${errnoCode(err)})`, { cause: err });
  }
  const folders: string[] = [];
  for (const entry of top) {
    const path = join(dir, entry.name);
    const k = await kind(walk, path, entry);
    if (k?.isDirectory()) folders.push(entry.name);
    else if (k && !walk.ignore.includes(entry.name)) walk.skipped.push({ file: path, reason: 'not inside a class folder' });
  }
  const listing: Listing = { classes: [], files: [], labels: [], skipped: walk.skipped };
  for (const name of folders.sort()) {
    const folder = join(dir, name);
    const files: string[] = [];
    await imagesUnder(walk, folder, new Map([[id(root), dir], [id(await stat(folder)), folder]]), files);
    if (files.length === 0) {
      const reason = `class folder holds no ${walk.extensions.join('/')} images`;
      if (walk.onError === 'throw') throw new EmptyClassError(folder, reason);
      walk.skipped.push({ file: folder, reason });
      continue;
    }
    for (const f of files.sort(byDirectoryThenName)) {
      listing.files.push(f);
      listing.labels.push(listing.classes.length);
    }
    listing.classes.push(name);
  }
  return listing;
}
