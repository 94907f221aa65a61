import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ModelFileError } from '../../errors.js';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

/**
 * A whole regular file, read up to its size when opened and never past `maxBytes`: a device (`/dev/zero`), a
 * FIFO or a file larger than the caller expects is refused before a byte is read. O_NONBLOCK keeps the open
 * itself from waiting for a FIFO's writer; it changes nothing for regular files.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new ModelFileError(path, `cannot read it (${code(err)})`, { cause: err });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ModelFileError(path, 'is not a regular file (a device, FIFO or socket); refused');
    if (info.size > maxBytes) throw new ModelFileError(path, `holds ${info.size} bytes; at most ${maxBytes} expected`);
    const out = Buffer.alloc(info.size);
    for (let at = 0; at < out.length; ) {
      const { bytesRead } = await handle.read(out, at, out.length - at, at);
      if (bytesRead === 0) throw new ModelFileError(path, `ended after ${at} of its ${info.size} bytes (changed while read)`);
      at += bytesRead;
    }
    return out;
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    throw new ModelFileError(path, `cannot read it (${code(err)})`, { cause: err });
  } finally {
    await handle.close();
  }
}

/**
 * `file` inside `dir`, for reading a directory from an untrusted source: an absolute path, a `..` segment or a
 * symbolic link that leads outside the directory is refused. `referrer` is the file that named the path.
 */
export async function confinedPath(dir: string, file: string, referrer: string): Promise<string> {
  if (file === '' || isAbsolute(file) || file.split(/[\\/]/).includes('..')) {
    throw new ModelFileError(referrer, `path '${file}' leaves the model directory; refused`);
  }
  const path = join(dir, file);
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    throw new ModelFileError(path, `cannot read it (${code(err)})`, { cause: err });
  }
  const inside = relative(await realpath(dir), real);
  if (inside === '' || inside.split(sep)[0] === '..' || isAbsolute(inside)) {
    throw new ModelFileError(referrer, `path '${file}' is a link to ${real}, outside the model directory; refused`);
  }
  return real;
}
