import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

/** What a folder or a glob counts as images (an image named on the command line is tried whatever its extension). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif'];

const isImage = (file: string) => IMAGE_EXTENSIONS.includes(extname(file).toLowerCase());
const hasWildcard = (s: string) => /[*?[]/.test(s);

/** Every file under `dir`, sorted, depth first. */
async function walk(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

/** A glob (`*` within a name, `**` across folders, `?`, `[abc]`) as a regular expression over `/`-separated paths. */
function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i);
      re += end > i ? pattern.slice(i, end + 1) : '\\[';
      i = Math.max(end, i);
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split(/[\\/]/);
  const fixed = parts.findIndex(hasWildcard);
  const base = parts.slice(0, fixed).join('/') || '.';
  const rest = globRegex(parts.slice(fixed).join('/'));
  return (await walk(base)).filter((f) => rest.test(relative(base, f).split(sep).join('/')) && isImage(f));
}

/**
 * The image files the arguments name, in order: a file as it is (an unreadable one is reported later, with its
 * reason), a folder's images recursively, a glob's matching images. A path that does not exist is kept too:
 * its result is the error saying so.
 */
export async function expandInputs(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const s = await stat(arg).catch(() => undefined);
    if (s?.isDirectory()) out.push(...(await walk(arg)).filter(isImage));
    else if (!s && hasWildcard(arg)) out.push(...(await expandGlob(arg)));
    else out.push(arg);
  }
  return out;
}
