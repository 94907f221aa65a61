import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OpsInputError } from '../errors.js';
import { useBackend } from '../testing/backends.js';
import { guardBackend, isWasmAbort, recoverBackend } from './abort.js';

const run = promisify(execFile);
// The built package, as users get it (turbo builds it before the tests).
const SCRIPT = fileURLToPath(new URL('./__fixtures__/abort-recover.mjs', import.meta.url));

describe('a wasm abort at an entry point', () => {
  it.each([1, 2])('with %i thread(s): a BackendAbortedError, every later call refused, then recoverBackend() brings the tensors back', async (threads) => {
    // A child process: if recovery failed, the next call could hang, and a hang must not take the test run with it.
    const { stdout } = await run(process.execPath, [SCRIPT, String(threads)], { timeout: 60_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(r.abort).toMatchObject({ name: 'BackendAbortedError', where: 'wide pooling', backend: 'wasm', cause: 'RuntimeError' });
    expect(r.abort.message).toMatch(/^wide pooling: the wasm backend aborted \(memory access out of bounds\)\. .*await recoverBackend\(\)/);
    expect(r.refusedOp).toMatchObject({ name: 'BackendAbortedError', where: 'conv2d' });
    expect(r.refusedOp.message).toMatch(/^conv2d: the wasm backend aborted earlier, in wide pooling \(memory access out of bounds\)/);
    expect(r.refusedRaw).toMatchObject({ name: 'BackendAbortedError', where: 'a wasm kernel' });
    expect(r.recovered).toMatchObject({ name: 'wasm', threads });
    expect(r.same).toBe(true);
    expect(r.leaked).toBe(0);
  });
});

describe('guardBackend and recoverBackend', () => {
  beforeAll(() => useBackend('wasm'));

  it('passes every other error through as it is, and the value when nothing throws', () => {
    const error = new TypeError('not an abort');
    expect(() =>
      guardBackend('x', () => {
        throw error;
      }),
    ).toThrow(error);
    const y = guardBackend('x', () => tf.add(tf.scalar(1), 2));
    expect(y.dataSync()[0]).toBe(3);
    tf.dispose(y);
  });

  it('tells a WebAssembly trap from other errors', () => {
    expect(isWasmAbort(new WebAssembly.RuntimeError('unreachable'))).toBe(true);
    expect(isWasmAbort(new RangeError('Invalid typed array length'))).toBe(false);
  });

  it('recoverBackend with no aborted backend is an OpsInputError', async () => {
    await expect(recoverBackend()).rejects.toThrow(OpsInputError);
  });
});
