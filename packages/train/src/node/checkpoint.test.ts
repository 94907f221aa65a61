import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
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

const WRITER = fileURLToPath(new URL('./__fixtures__/checkpoint-writer.mjs', import.meta.url));
let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'mobilenets-ckpt-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/**
 * Starts the writer, lets it finish `after` checkpoints, kills it with SIGKILL `delay` ms later (or lets the zoo's
 * writer kill itself at `killAt`, `<step>:<n>`); resolves the last epoch it reported and its pid.
 */
function killWriter(dir: string, after: number, delay: number, killAt = ''): Promise<{ finished: number; pid: number }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, MOBILENETS_TEST_KILL_AT: killAt };
    const child = spawn(process.execPath, [WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let done = 0;
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      const epochs = d.toString().trim().split('\n').map(Number);
      done = Math.max(done, ...epochs);
      if (done === after && !killAt) setTimeout(() => child.kill('SIGKILL'), delay);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve({ finished: done, pid: child.pid! }) : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

/** The checkpoint in `dir`/last reads, loads, and its weights are those of the epoch its trainer.json names. */
async function expectLoadable(dir: string, atLeast: number): Promise<void> {
  const checkpoint = await readCheckpoint(join(dir, 'last'));
  expect(checkpoint.state.epoch).toBeGreaterThanOrEqual(atLeast);
  const { model } = await loadModel(join(dir, 'last'));
  const kernel = model.getLayer('classifier').getWeights()[0]!;
  // No mix of two writes.
  expect(kernel.dataSync().every((v) => v === checkpoint.state.epoch)).toBe(true);
  model.dispose();
}

/** The next writer's first write (through the zoo's writeDirectoryAtomic) removes everything a killed writer left. */
async function expectCleanedAfter(dir: string, pid: number): Promise<void> {
  await killWriter(dir, 1, 0);
  expect((await readdir(dir)).filter((e) => e.includes(`-${pid}-`))).toEqual([]);
}

describe('writeCheckpoint', () => {
  it('a writer killed with SIGKILL at random points always leaves a loadable checkpoint, never older than the last one finished, and no leftovers', { timeout: 300_000 }, async () => {
    const rng = mulberry32(13);
    for (let round = 0; round < 6; round++) {
      const dir = join(root, `kill-${round}`);
      // One checkpoint takes ~50–150 ms here: the kill lands anywhere in the next two.
      const { finished, pid } = await killWriter(dir, 1 + Math.floor(rng() * 2), Math.floor(rng() * 250));
      await expectLoadable(dir, finished);
      await expectCleanedAfter(dir, pid);
    }
  });

  // The first write replaces nothing, so only the second reaches 'aside' and 'swapped'.
  it.each(['written:2', 'aside:1', 'swapped:1'])('a writer killed at the swap step %s (its second checkpoint) leaves the first or the second, loadable', async (killAt) => {
    const dir = join(root, `at-${killAt.replace(':', '-')}`);
    const { finished, pid } = await killWriter(dir, 0, 0, killAt);
    expect(finished).toBe(1);
    await expectLoadable(dir, 1);
    await expectCleanedAfter(dir, pid);
  });

  it('no checkpoint: a CheckpointError naming the path', async () => {
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
