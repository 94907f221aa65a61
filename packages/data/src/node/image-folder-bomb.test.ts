import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../__fixtures__/folder-loader.mjs', import.meta.url));
const IMAGES = fileURLToPath(new URL('../__fixtures__/images/', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-bomb-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a decompression bomb in an image folder', () => {
  it('a 16000×16000 PNG of 250 KB is skipped and reported by the loader within seconds, the rest loaded', async () => {
    await mkdir(join(dir, 'photos'));
    const bomb = join(dir, 'photos', 'bomb.png');
    // 256 million black pixels: 768 MB as RGB bytes, 3 GB as an int32 tensor; compressed, a quarter megabyte.
    await sharp({ create: { width: 16000, height: 16000, channels: 3, background: 'black' } }).toColourspace('b-w').png({ compressionLevel: 9 }).toFile(bomb);
    expect((await stat(bomb)).size).toBeLessThan(300_000);
    await copyFile(join(IMAGES, 'rgb.png'), join(dir, 'photos', 'fine.png'));
    // Before the pixel cap: gigabytes, then a wasm RuntimeError the loader did not catch, or no answer at all.
    const { stdout } = await run(process.execPath, [SCRIPT, dir], { timeout: 60_000, maxBuffer: 1 << 20 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result).toEqual({
      sizes: [1],
      skipped: [{ index: 0, epoch: 0, file: bomb, reason: 'is 16000×16000 = 256,000,000 pixels, more than maxPixels (89,478,485); not decoded' }],
      tensors: 0,
    });
  });
});
