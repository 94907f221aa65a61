import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '@mobilenets/data';
import { useBackend } from '@mobilenets/ops/testing';
import { loadModel, readSafetensors } from '@mobilenets/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from './checkpoint.js';
import { writeSafetensors } from './safetensors.js';
import { writeAtomicDir } from './atomic-dir.js';

const WRITER = fileURLToPath(new URL('./__fixtures__/checkpoint-writer.mjs', import.meta.url));
let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'mobilenets-ckpt-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Starts the writer, lets it finish `after` checkpoints, kills it with SIGKILL `delay` ms later; resolves the last epoch it reported and its pid. */
function killWriter(dir: string, after: number, delay: number): Promise<{ finished: number; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let done = 0;
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      const epochs = d.toString().trim().split('\n').map(Number);
      done = Math.max(done, ...epochs);
      if (done === after) setTimeout(() => child.kill('SIGKILL'), delay);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve({ finished: done, pid: child.pid! }) : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe('writeCheckpoint', () => {
  it('a writer killed with SIGKILL at random points always leaves a loadable checkpoint, never older than the last one finished', { timeout: 300_000 }, async () => {
    const rng = mulberry32(13);
    for (let round = 0; round < 6; round++) {
      const dir = join(root, `kill-${round}`);
      // One checkpoint takes ~50–150 ms here: the kill lands anywhere in the next two.
      const { finished, pid } = await killWriter(dir, 1 + Math.floor(rng() * 2), Math.floor(rng() * 250));
      const checkpoint = await readCheckpoint(join(dir, 'last'));
      expect(checkpoint.state.epoch).toBeGreaterThanOrEqual(finished);
      const { model } = await loadModel(checkpoint.dir);
      const kernel = model.getLayer('classifier').getWeights()[0]!;
      // The weights belong to the epoch trainer.json names: no mix of two writes.
      expect(kernel.dataSync().every((v) => v === checkpoint.state.epoch)).toBe(true);
      model.dispose();
      // The next writer's first write removes the killed writer's temporaries.
      await killWriter(dir, 1, 0);
      expect((await readdir(dir)).filter((e) => e.includes(`.tmp-${pid}-`))).toEqual([]);
    }
  });

  it('between the two renames only `.prev` exists, and it is what is read', async () => {
    const dir = join(root, 'prev', 'last');
    await writeAtomicDir(dir, async (tmp) => {
      await mkdir(tmp, { recursive: true });
    });
    await rename(dir, `${dir}.prev`);
    await expect(readCheckpoint(dir)).rejects.toThrow(/last\.prev\/trainer\.json: cannot be read/);
    await expect(readCheckpoint(join(root, 'nowhere'))).rejects.toThrow(/nowhere: no checkpoint there/);
  });
});

describe('writeSafetensors', () => {
  it('round-trips through the zoo reader', async () => {
    const path = join(root, 'x.safetensors');
    const a = tf.tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tf.scalar(7);
    await writeSafetensors(path, new Map([['b/slot', b], ['a/m', a]]));
    const { tensors } = await readSafetensors(path);
    expect([...tensors.keys()]).toEqual(['a/m', 'b/slot']);
    expect(tensors.get('a/m')).toEqual({ shape: [2, 3], values: new Float32Array([1, 2, 3, 4, 5, 6]) });
    expect(tensors.get('b/slot')!.values[0]).toBe(7);
    tf.dispose([a, b]);
  });
});
