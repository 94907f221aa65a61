import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, errnoCode, FormatError } from '../errors.js';

/** Seed 003's class order file: {"0": "daisy", "1": "dandelion", …}. */
export const CLASS_INDICES_FILE = 'class_indices.json';


/** The class names of `dir`'s class_indices.json, index = class id; undefined if there is none. */
export async function readClassIndices(dir: string): Promise<string[] | undefined> {
  const file = join(dir, CLASS_INDICES_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new FormatError(file, `cannot be read (${errnoCode(err)})`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FormatError(file, `is not JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FormatError(file, 'must be an object {"0": "name", …}');
  const entries = Object.entries(parsed).map(([k, v]) => [Number(k), v] as const).sort((a, b) => a[0] - b[0]);
  if (entries.some(([k, v], i) => k !== i || typeof v !== 'string')) throw new FormatError(file, 'keys must be the class ids 0, 1, 2, … and values class names');
  return entries.map(([, v]) => v as string);
}

/**
 * Writes `dir`'s class_indices.json. One holding the same classes is left alone; one holding others is never
 * overwritten (a DatasetError). Written to a temporary file and renamed, so no reader sees half of it; a write
 * that fails (read-only folder, full disk) is a DatasetError naming the file, and leaves nothing behind.
 */
export async function writeClassIndices(dir: string, classes: readonly string[]): Promise<void> {
  const file = join(dir, CLASS_INDICES_FILE);
  const existing = await readClassIndices(dir);
  if (existing) {
    if (existing.length === classes.length && existing.every((c, i) => c === classes[i])) return;
    throw new DatasetError(file, `exists with another class order ([${existing.join(', ')}], the folder has [${classes.join(', ')}]); it is never overwritten: delete it, or pass classIndices: 'read' to use it`);
  }
  const text = `${JSON.stringify(Object.fromEntries(classes.map((c, i) => [String(i), c])), null, 4)}\n`;
  const tmp = join(dir, `.${CLASS_INDICES_FILE}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new DatasetError(file, `cannot be written (${errnoCode(err)})`, { cause: err });
  }
}
