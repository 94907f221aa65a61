import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError } from '../errors.js';
import { importOptional } from './optional.js';
import { setBackendOrThrow } from './wasm.js';

afterEach(() => {
  vi.restoreAllMocks();
  for (const name of ['failing-async', 'failing-sync']) if (tf.engine().registryFactory[name]) tf.removeBackend(name);
});

describe('a backend that fails to start', () => {
  it.each([
    ['failing-async', async () => Promise.reject(new Error('NotCapable: Requires read access to "/x/tfjs-backend-wasm.wasm"'))],
    [
      'failing-sync',
      () => {
        throw new Error('NotCapable: Requires read access to "/x/tfjs-backend-wasm.wasm"');
      },
    ],
  ])('%s: a BackendUnavailableError whose cause is the failure, and nothing printed', async (name, factory) => {
    const warn = vi.spyOn(console, 'warn');
    tf.registerBackend(name, factory as unknown as () => tf.KernelBackend, -1);
    const error = await setBackendOrThrow(name).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(String((error as Error).cause)).toBe('Error: NotCapable: Requires read access to "/x/tfjs-backend-wasm.wasm"');
    expect((error as Error).message).toBe(
      `tfjs backend '${name}' could not be initialised: Error: NotCapable: Requires read access to "/x/tfjs-backend-wasm.wasm"`,
    );
    expect(warn).not.toHaveBeenCalled();
    // The factory is tfjs' again, and so is the log level.
    expect(tf.engine().registryFactory[name]!.factory).toBe(factory);
    expect(tf.env().getBool('PROD')).toBe(false);
  });
});

describe('optional packages', () => {
  it('missing: the error names the package to install and keeps the loader error as cause', async () => {
    const notFound = Object.assign(new Error("Cannot find package 'webgpu' imported from /app/node_modules/@mobilenets/ops/dist/index.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = (await importOptional('webgpu', 'webgpu', () => Promise.reject(notFound)).catch((e: unknown) => e)) as BackendUnavailableError;
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error).toMatchObject({ backend: 'webgpu', missingPackage: 'webgpu', cause: notFound });
    expect(error.message).toMatch(/optional package that is not installed: npm install webgpu$/);
  });

  it('installed but broken: the error says so, with the cause', async () => {
    const broken = new Error('libvulkan.so.1: cannot open shared object file');
    const error = (await importOptional('webgpu', '@tensorflow/tfjs-backend-webgpu', () => Promise.reject(broken)).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('@tensorflow/tfjs-backend-webgpu is installed but failed to load: Error: libvulkan.so.1: cannot open shared object file');
    expect(error.cause).toBe(broken);
  });
});

describe("initBackend('auto')", () => {
  it('looks for a GPU without printing anything (Dawn warns on stderr while it looks for adapters)', async () => {
    // The built package, as users get it (turbo builds it before the tests).
    const script = "import('@mobilenets/ops').then((ops) => ops.initBackend('auto')).then((info) => console.log(JSON.stringify(info)))";
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script], { cwd, timeout: 60_000 });
    const info = JSON.parse(stdout);
    expect(['wasm', 'webgpu']).toContain(info.name);
    if (info.name === 'webgpu') expect(info.gpu).toBe(true);
    expect(stderr).toBe('');
  });
});
