import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@mobilenets/ops/testing';
import { createModel, loadModel, readSafetensors, saveModel } from '@mobilenets/zoo';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../checkpoint.js';

// The built bin (turbo builds before testing).
const BIN = fileURLToPath(new URL('../../../dist/bin/train.js', import.meta.url));
let root: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, [BIN, '--backend', 'cpu', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr }))) };
}
const cli = (...args: string[]) => start(args).done;

/** A class folder per name with `count` 16×16 PNGs, each class its own shade (so a run can learn it). */
async function folders(dir: string, classes: string[], count: number): Promise<void> {
  for (const [i, name] of classes.entries()) {
    await mkdir(join(dir, name), { recursive: true });
    for (let k = 0; k < count; k++) {
      const v = Math.round((255 * i) / classes.length) + k;
      await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: v, g: 255 - v, b: (v * 7) % 256 } } })
        .png()
        .toFile(join(dir, name, `${k}.png`));
    }
  }
}

beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'mobilenets-cli-'));
  await folders(join(root, 'train'), ['ant', 'bee', 'cat'], 8);
  await folders(join(root, 'val'), ['ant', 'bee', 'cat'], 3);
  await folders(join(root, 'one'), ['ant'], 3);
  await folders(join(root, 'odd-val'), ['ant', 'dog'], 2);
});
afterAll(() => rm(root, { recursive: true, force: true }));

// Tiny nets at 16×16 (each run's cost is mostly starting node and tfjs): MobileNetV3-Small at width 0.1.
const small = (out: string, ...more: string[]) => [
  '--model', 'mobilenetv3_small_075', '--width', '0.1', '--data', `folder:${join(root, 'train')}`, '--val', `folder:${join(root, 'val')}`,
  '--input-size', '16', '--batch-size', '8', '--out', out, ...more,
];

describe('mobilenets-train: bad input is a typed error naming the cause, before training, with nothing in --out touched', () => {
  it.each([
    ['a missing data folder', ['--data', `folder:${'/no/such/dir'}`], /--data: \/no\/such\/dir is not a directory/],
    ['a folder with one class', ['--data', `folder:ONE`], /--data: .*one has 1 class \(ant\); a classifier needs at least two/],
    ['validation classes outside the model', ['--val', 'folder:ODD'], /--val: class 'dog' is not among the training classes \(ant, bee, cat\)/],
    ['a batch larger than the data set', ['--batch-size', '25'], /--batch-size: 25 is larger than the 24 training images/],
    ['a pretrained model of another architecture', ['--pretrained', 'V2'], /v2: holds a mobilenetv2_035 model, not mobilenetv3_small_075/],
    ['an unknown flag value', ['--schedule', 'poly'], /--schedule: must be one of constant, cosine, step, exponential, got 'poly'/],
    ['a layer the model does not have', ['--freeze-up-to', 'blocks_9_9'], /--freeze-up-to: no layer 'blocks_9_9' in .*; its layers are stem, blocks_0_0, /],
  ])('%s', async (_, extra, message) => {
    const v2 = join(root, 'v2');
    if (!(await stat(v2).catch(() => null))) await saveModel(createModel('mobilenetv2_035', { numClasses: 3, inputSize: 16, widthMultiplier: 0.1 }), v2);
    const out = join(root, 'untouched');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'keep.txt'), 'mine');
    const args = [...small(out), ...extra].map((a) => a.replace('ONE', join(root, 'one')).replace('ODD', join(root, 'odd-val')).replace(/^V2$/, v2));
    const r = await cli(...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose
    expect(await readdir(out)).toEqual(['keep.txt']);
  });
});

describe('mobilenets-train: a run', () => {
  it('trains, writes best/last/log/curves, refuses to overwrite, resumes to more epochs', async () => {
    const out = join(root, 'run');
    const first = await cli(...small(out, '--epochs', '1', '--ema', '0.9', '--format', 'json'));
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.history.epochs).toHaveLength(1);
    expect(summary.history.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(9);
    expect((await readdir(out)).sort()).toEqual(['best', 'curves.svg', 'last', 'log.jsonl', 'run.json']);
    expect(await readFile(join(out, 'curves.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    const { metadata } = await loadModel(join(out, 'last', 'ema'));
    expect(metadata.labels).toEqual(['ant', 'bee', 'cat']);

    const again = await cli(...small(out, '--epochs', '2'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a run .*pass --resume to continue it or --overwrite to replace it/);

    const resumed = await cli('--resume', '--out', out, '--epochs', '2');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await readCheckpoint(join(out, 'last'))).state.epoch).toBe(2);
    const log = (await readFile(join(out, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((l) => l.type === 'epoch').map((l) => l.epoch)).toEqual([1, 2]);
  });

  it("Ctrl-C writes last/ and exits 130; --block, --width, --train-images and --freeze-up-to reach the model and the data", async () => {
    // MobileNetV2's layout with sandglass blocks at width 0.1, its first two stages frozen, on 16 of the 24 images.
    const args = ['--model', 'mobilenetv2_035', '--block', 'sandglass', '--freeze-up-to', 'blocks_1_1', '--train-images', '16'];
    const long = start([...small(join(root, 'interrupted'), '--epochs', '50').slice(2), ...args]); // V2 in place of V3-Small
    await new Promise<void>((resolve) => {
      long.child.stderr!.on('data', (d: Buffer) => d.toString().includes('epoch 1/50') && resolve());
    });
    long.child.kill('SIGINT');
    const stopped = await long.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/stopped by Ctrl-C; .*last holds the run so far — continue with --resume/);
    const { state, metadata } = await readCheckpoint(join(root, 'interrupted', 'last'));
    expect(state.epoch).toBeGreaterThanOrEqual(1);
    expect(state.epoch).toBeLessThan(50);
    expect(state.stepsPerEpoch).toBe(2); // 16 images, batch 8
    expect(metadata).toMatchObject({ name: 'mobilenetv2_035', options: { block: 'sandglass', widthMultiplier: 0.1, inputSize: 16 } });
    // The frozen layers have no optimizer slots; the first trainable block has.
    const slots = (await readSafetensors(join(root, 'interrupted', 'last', 'optimizer.safetensors'))).tensors;
    expect([...slots.keys()].some((k) => k.startsWith('blocks_1_1/'))).toBe(false);
    expect([...slots.keys()].some((k) => k.startsWith('blocks_2_0/'))).toBe(true);
  });
});
