import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useBackend } from '@mobilenets/ops/testing';
import { saveModel } from '@mobilenets/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomizeWeights, tinyModel } from '../../__fixtures__/models.js';
import { checkOnnx } from '../../onnx/check.js';

const exec = promisify(execFile);
// The built bins, as users run them (turbo builds the package before its tests), on the cpu backend: it starts
// fastest, and the tiny models need no more.
const PREDICT = fileURLToPath(new URL('../../../dist/bin/predict.js', import.meta.url));
const EXPORT = fileURLToPath(new URL('../../../dist/bin/export.js', import.meta.url));
const IMAGE = fileURLToPath(new URL('../../__fixtures__/preprocess/image.png', import.meta.url));
const FASHION_TINY = fileURLToPath(new URL('../../__fixtures__/fashion-tiny', import.meta.url));

type Run = { code: number; stdout: string; stderr: string };
const run = (bin: string, args: string[]): Promise<Run> =>
  exec(process.execPath, [bin, ...args, '--backend', 'cpu'], { maxBuffer: 1 << 24 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: Run) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

let dir: string;
let model: string;
let photos: string;
const LABELS = ['ant', 'bee', 'cat', 'dog', 'eel'];
beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mobilenets-cli-'));
  const m = tinyModel();
  randomizeWeights(m, 5);
  model = join(dir, 'model');
  await saveModel(m, model, { labels: LABELS });
  m.dispose();
  // photos/a.png, photos/sub/b.png, photos/sub/broken.png (truncated), photos/notes.txt (not an image: skipped).
  photos = join(dir, 'photos');
  await mkdir(join(photos, 'sub'), { recursive: true });
  await copyFile(IMAGE, join(photos, 'a.png'));
  await copyFile(IMAGE, join(photos, 'sub', 'b.png'));
  await writeFile(join(photos, 'sub', 'broken.png'), (await readFile(IMAGE)).subarray(0, 500));
  await writeFile(join(photos, 'notes.txt'), 'not an image');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('mobilenets-predict', () => {
  it('a folder, recursively: one JSON prediction per image, the truncated one as its error; the run goes on and exits 1', async () => {
    const r = await run(PREDICT, [photos, '--model', model, '--format', 'json', '--topk', '2', '--batch-size', '2']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.file)).toEqual([join(photos, 'a.png'), join(photos, 'sub', 'b.png'), join(photos, 'sub', 'broken.png')]);
    expect(lines[0]).toMatchObject({ classIds: expect.any(Array), labelNames: expect.any(Array), scores: expect.any(Array) });
    expect((lines[0]!.labelNames as string[]).every((l) => LABELS.includes(l))).toBe(true);
    expect(lines[1]!.classIds).toEqual(lines[0]!.classIds);
    expect(lines[2]).toEqual({ file: join(photos, 'sub', 'broken.png'), error: expect.stringMatching(/^cannot be decoded as an image/) });
    expect(r.stderr).toMatch(/^2 images classified, 1 failed, in [\d.]+ s \(tfjs \(cpu\)\)\n$/); // no progress bar off a terminal
  });

  it('csv and table; a glob; onnxruntime gives the same classes as tfjs; exit 0 when every image reads', async () => {
    const [csv, table] = await Promise.all([
      run(PREDICT, [join(photos, '**/?.png'), '--model', model, '--format', 'csv', '--topk', '3']),
      run(PREDICT, [join(photos, 'a.png'), '--model', model, '--runtime', 'onnxruntime', '--topk', '3']),
    ]);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe('file,rank,class_id,label,score,error');
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 2).join(','))).toEqual([1, 2, 3].map((k) => `${join(photos, 'a.png')},${k}`).concat([1, 2, 3].map((k) => `${join(photos, 'sub', 'b.png')},${k}`)));
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^image\s+classes, best first \(probability\)$/);
    const fromCsv = rows.slice(1, 4).map((r) => r.split(',')[3]);
    expect(row).toMatch(new RegExp(`^${join(photos, 'a.png')}\\s+${fromCsv.map((l) => `${l} [\\d.]+`).join(' · ')}$`));
  });

  it('a usage error or an unknown model: one line (the help after a usage error), exit 1, no stack trace', async () => {
    const usage = await run(PREDICT, [IMAGE, '--model', model, '--topk', 'many']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/^mobilenets-predict: --topk must be a positive integer, got 'many'\n\nUsage: /);
    const unknown = await run(PREDICT, [IMAGE, '--model', join(dir, 'nope')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`mobilenets-predict: '${join(dir, 'nope')}' is not a model directory, an .onnx file or a registered model name\n`);
    const help = await run(PREDICT, ['--help']);
    expect(help.stdout).toMatch(/Examples:\n {2}mobilenets-predict cat\.jpg --model/);
  });
});

describe('mobilenets-export', () => {
  it('--onnx: a file that passes the structural checks, carries the preprocessing and labels, and predicts as the directory does', async () => {
    const onnx = join(dir, 'model.onnx');
    const r = await run(EXPORT, [model, '--onnx', onnx]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*model\.onnx: ONNX opset 17, [\d.]+ MB, float32 weights\n$/);
    const written = await readFile(onnx);
    expect(checkOnnx(written)).toEqual([]);
    const [fromDir, fromOnnx, again] = await Promise.all([
      run(PREDICT, [IMAGE, '--model', model, '--format', 'json']),
      run(PREDICT, [IMAGE, '--model', onnx, '--format', 'json']),
      run(EXPORT, [model, '--onnx', onnx]),
    ]);
    const [a, b] = [fromDir, fromOnnx].map((x) => JSON.parse(x.stdout) as { classIds: number[]; labelNames: string[] });
    expect(b!.classIds).toEqual(a!.classIds);
    expect(b!.labelNames).toEqual(a!.labelNames);
    // The file exists: the second export refuses to replace it and leaves it as it was.
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`mobilenets-export: ${onnx}: exists and is a file or link this write does not replace; nothing was changed (pass overwrite: true to replace it)\n`);
    expect((await readFile(onnx)).equals(written)).toBe(true);
  });

  it('--quantize uint8 and float16: prints the sizes and the top-1 agreement on the held-out set', async () => {
    const [r, d] = await Promise.all([
      run(EXPORT, [FASHION_TINY, '--onnx', join(dir, 'uint8.onnx'), '--quantize', 'uint8', '--check-count', '200']),
      run(EXPORT, [FASHION_TINY, '--out', join(dir, 'fp16'), '--quantize', 'float16', '--check', photos]),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*uint8\.onnx: ONNX opset 17, [\d.]+ MB, uint8 weights\n/);
    expect(r.stdout).toMatch(/uint8\.onnx: top-1 agrees with the float32 model on [\d.]+% of 200 Fashion-MNIST test images \(top-1 accuracy [\d.]+% → [\d.]+%\)\n/);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/wrote .*fp16: \d+ of \d+ weights as float16, [\d.]+ MB → [\d.]+ MB\n/);
    expect(d.stdout).toMatch(/fp16: top-1 agrees with the float32 model on 100\.0% of 2 images of .*photos \(1 unreadable, left out\)\n/);
  });

  it('--out without --quantize is a usage error', async () => {
    const r = await run(EXPORT, [model, '--out', join(dir, 'x')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mobilenets-export: --out writes a quantized model directory: give --quantize float16\|uint8\n/);
  });
});
