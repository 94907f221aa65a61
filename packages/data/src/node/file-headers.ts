import { open } from 'node:fs/promises';

// What PIL reads from a file's own header that sharp does not report.

/** A PNG's colour type (IHDR byte 25): 4 is grey + alpha, which PIL reads 16-bit as 'LA;16B' (high byte). */
export async function pngColourType(file: string | Uint8Array): Promise<number | undefined> {
  if (typeof file !== 'string') return file[25];
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(26), 0, 26, 0);
    return bytesRead === 26 ? buffer[25] : undefined;
  } finally {
    await handle.close();
  }
}

/**
 * The colour-table entry of the first frame's transparent index: the colour PIL gives a GIF's transparent
 * pixels (its convert('RGB') ignores transparency). Undefined when the first frame has no transparent index.
 */
export function gifTransparentColour(gif: Uint8Array): [number, number, number] | undefined {
  const at = (i: number) => gif[i] ?? 0;
  // Header (6 bytes), logical screen descriptor (7): a global colour table follows if flagged.
  let table = at(10) & 0x80 ? 13 : -1;
  let p = 13 + (table >= 0 ? 3 * (2 << (at(10) & 7)) : 0);
  let index: number | undefined;
  while (p < gif.length) {
    if (at(p) === 0x21) {
      // An extension; the last graphic control extension (0xF9) before the image flags its transparent index.
      if (at(p + 1) === 0xf9) index = at(p + 3) & 1 ? at(p + 6) : undefined;
      p += 2;
      while (at(p) !== 0 && p < gif.length) p += at(p) + 1;
      p++;
    } else if (at(p) === 0x2c) {
      // The first image descriptor (10 bytes); a local colour table replaces the global one.
      if (at(p + 9) & 0x80) table = p + 10;
      if (index === undefined || table < 0) return undefined;
      const entry = table + 3 * index;
      return [at(entry), at(entry + 1), at(entry + 2)];
    } else {
      return undefined;
    }
  }
  return undefined;
}
