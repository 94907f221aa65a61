import { ModelFileError } from '../errors.js';
import type { ModelFiles } from './model-files.js';

/** Whether a model directory is named by an http(s) URL rather than a path. */
export function isUrl(dir: string | URL): boolean {
  return dir instanceof URL || /^https?:\/\//i.test(dir);
}

/**
 * A model directory served over http(s) (or, in a page, any URL relative to it): files are fetched below the
 * directory's URL only (no `..`, no absolute path or other origin), and read no further than their limit.
 */
export function urlFiles(dir: string | URL): ModelFiles {
  const base = new URL(String(dir).replace(/\/?$/, '/'), globalThis.location?.href);
  const name = (file: string) => new URL(file, base).href;
  return {
    name,
    async read(file, maxBytes, referrer) {
      const url = new URL(file, base);
      if (file === '' || /^[a-z][a-z0-9+.-]*:|^[\\/]/i.test(file) || file.split(/[\\/]/).includes('..') || !url.href.startsWith(base.href)) {
        throw new ModelFileError(referrer, `path '${file}' leaves the model directory; refused`);
      }
      let response: Response;
      try {
        response = await fetch(url);
      } catch (err) {
        throw new ModelFileError(url.href, `cannot fetch it (${(err as Error).message})`, { cause: err });
      }
      if (!response.ok) throw new ModelFileError(url.href, `cannot fetch it (HTTP ${response.status} ${response.statusText})`);
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > maxBytes) {
        await response.body?.cancel();
        throw new ModelFileError(url.href, `holds ${declared} bytes; at most ${maxBytes} expected`);
      }
      return readBounded(url.href, response, maxBytes);
    },
  };
}

/** The body, refused as soon as it passes `maxBytes` (a server may send no length, or a wrong one). */
async function readBounded(url: string, response: Response, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (let part = await reader?.read(); part && !part.done; part = await reader!.read()) {
    size += part.value.byteLength;
    if (size > maxBytes) {
      await reader!.cancel();
      throw new ModelFileError(url, `holds more than ${maxBytes} bytes; at most ${maxBytes} expected`);
    }
    chunks.push(part.value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
