import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, OpsInputError } from '../errors.js';
import { initBackend } from './init-backend.js';

describe('initBackend', () => {
  it('wasm: both cores in Node, the gradients registered', async () => {
    const info = await initBackend('wasm', { threads: 2 });
    expect(info).toMatchObject({ name: 'wasm', gpu: false, threads: 2 });
    expect(tf.getBackend()).toBe('wasm');
    // Registered by @tensorflow/tfjs on the single engine our ops use.
    expect(tf.getGradient('Relu6')).toBeDefined();
    expect(tf.getGradient('FusedBatchNorm')).toBeDefined();
  });

  it('wasm: a clone shares its data (gradients clone every tensor they save) and outlives the original', async () => {
    await initBackend('wasm');
    const a = tf.tensor([1.5, -2, 3]);
    const buffers = tf.memory().numDataBuffers;
    const b = a.clone();
    expect(tf.memory().numDataBuffers).toBe(buffers);
    a.dispose();
    expect(Array.from(await b.data())).toEqual([1.5, -2, 3]);
    b.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  it('cpu', async () => {
    expect(await initBackend('cpu')).toMatchObject({ name: 'cpu', gpu: false, threads: 1 });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('webgpu: a software adapter is reported as such', async () => {
    const info = await initBackend('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.adapter).toBeDefined();
    expect(info.gpu).toBe(!info.adapter!.software);
    if (info.adapter!.software) expect(`${info.adapter!.description} ${info.adapter!.device}`).toMatch(/Mesa|llvmpipe|lavapipe|swiftshader/i);
  });

  it('auto: a hardware GPU through WebGPU, else wasm with the reason', async () => {
    const info = await initBackend('auto');
    expect(tf.getBackend()).toBe(info.name);
    if (info.name === 'webgpu') expect(info.adapter?.software).toBe(false);
    else expect(info).toMatchObject({ name: 'wasm', gpu: false, note: expect.stringMatching(/^auto: wasm, since /) });
  });

  it('tensorflow: names the package to install when neither tfjs-node package is there', async () => {
    const error = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).missingPackage).toBe('@tensorflow/tfjs-node');
    expect((error as Error).message).toMatch(/npm install @tensorflow\/tfjs-node/);
  });

  it('rejects an unknown backend name or thread count', async () => {
    await expect(initBackend('webgl' as never)).rejects.toThrow(OpsInputError);
    await expect(initBackend('wasm', { threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
  });
});

describe("after initBackend('wasm'), the user's own uncaught errors", () => {
  const SCRIPT = fileURLToPath(new URL('./__fixtures__/uncaught-after-init.mjs', import.meta.url));
  const child = (threads: number, kind: string) =>
    promisify(execFile)(process.execPath, [SCRIPT, String(threads), kind], { timeout: 60_000 }).then(
      (ok) => ({ code: 0, ...ok }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it.each([
    [1, 'throw'],
    [2, 'throw'],
    [1, 'reject'],
    [2, 'reject'],
  ])('wasm with %i thread(s), then an uncaught %s: Node reports it and exits with code 1 (emscripten made it 7)', async (threads, kind) => {
    const { code, stdout, stderr } = await child(threads, kind);
    expect(JSON.parse(stdout)).toEqual({ before: [0, 0], after: [0, 0] });
    expect(code).toBe(1);
    expect(stderr).toMatch(/Error: user error/);
    expect(stderr).not.toMatch(/wasm|Aborted/);
  });
});
