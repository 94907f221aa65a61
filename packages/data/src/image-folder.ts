import type { Dirent } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { checkIndex, type Dataset, withTransform } from './dataset.js';
import { decodeImage } from './decode.js';
import { DatasetError, EmptyClassError, FormatError } from './errors.js';
import type { Transform } from './transforms.js';

export const CLASS_INDICES_FILE = 'class_indices.json';

export interface ImageFolderOptions {
  /** File extensions that count as images (case-insensitive). */
  extensions?: readonly string[];
  /**
   * `write` (default): write `class_indices.json` ({"0": "daisy", …}, as seed 003 does); `read`: take the
   * class order from an existing one; `none`: neither.
   */
  classIndices?: 'write' | 'read' | 'none';
  /** An empty class folder: `throw` (default) an EmptyClassError, or `skip` it with a warning. */
  onError?: 'throw' | 'skip';
  /** Where skip warnings go (default console.warn). */
  warn?: (message: string) => void;
  transform?: Transform;
}

export interface ImageFolderDataset extends Dataset {
  /** Every image path, index = sample. Images are read from disk on `get`, never held in memory. */
  readonly files: readonly string[];
  /** Class folders skipped as empty. */
  readonly skipped: readonly string[];
}

const DEFAULT_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

async function readClassIndices(dir: string): Promise<string[]> {
  const file = join(dir, CLASS_INDICES_FILE);
  let parsed: Record<string, string>;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new FormatError(file, `cannot be read as JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const names = Object.keys(parsed).map(Number).sort((a, b) => a - b);
  if (names.some((n, i) => n !== i)) throw new FormatError(file, 'keys must be the class ids 0, 1, 2, …');
  return names.map((n) => parsed[String(n)]!);
}

/** One sub-folder per class (sorted by name, as torchvision's ImageFolder); images decoded on demand. */
export async function imageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const extensions = (options.extensions ?? DEFAULT_EXTENSIONS).map((e) => e.toLowerCase());
  const warn = options.warn ?? ((m: string) => console.warn(m));
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new DatasetError(dir, `cannot list it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const files: string[] = [];
  const labels: number[] = [];
  const classes: string[] = [];
  const skipped: string[] = [];
  for (const name of folders) {
    const images = (await readdir(join(dir, name), { withFileTypes: true }))
      .filter((e) => e.isFile() && extensions.includes(extname(e.name).toLowerCase()))
      .map((e) => join(dir, name, e.name))
      .sort();
    if (images.length === 0) {
      if (options.onError !== 'skip') throw new EmptyClassError(join(dir, name), `class folder holds no ${extensions.join('/')} images`);
      warn(`imageFolder: skipped the empty class folder ${join(dir, name)}`);
      skipped.push(name);
      continue;
    }
    for (const f of images) {
      files.push(f);
      labels.push(classes.length);
    }
    classes.push(name);
  }
  if (classes.length === 0) throw new DatasetError(dir, 'holds no class folders with images');

  const mode = options.classIndices ?? 'write';
  let order = classes;
  if (mode === 'read') {
    order = await readClassIndices(dir);
    const missing = classes.find((c) => !order.includes(c));
    if (missing) throw new FormatError(join(dir, CLASS_INDICES_FILE), `has no index for the class folder '${missing}'`);
  } else if (mode === 'write') {
    const indices = Object.fromEntries(classes.map((c, i) => [String(i), c]));
    await writeFile(join(dir, CLASS_INDICES_FILE), `${JSON.stringify(indices, null, 4)}\n`);
  }
  const relabel = labels.map((l) => order.indexOf(classes[l]!));

  const raw: ImageFolderDataset = {
    size: files.length,
    classes: order,
    files,
    skipped,
    async get(index) {
      checkIndex(raw, index);
      return { image: await decodeImage(files[index]!), label: relabel[index]! };
    },
  };
  const transformed = withTransform(raw, options.transform);
  return { ...raw, get: transformed.get };
}
