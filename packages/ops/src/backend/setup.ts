import * as tf from '@tensorflow/tfjs-core';
import { OpsInputError } from '../errors.js';
import { ensureGradients } from './gradients.js';
import type { Host } from './host.js';
import type { BackendInfo, BackendName } from './info.js';
import { setBackendOrThrow, setupWasm, type WasmPaths } from './wasm.js';
import { setupWebGpu } from './webgpu.js';

export interface InitBackendOptions {
  /**
   * wasm: XNNPACK threads. Default: every core in Node (at most 8), 1 in Bun (more on request) and Deno (always
   * 1: its workers refuse Emscripten's thread glue); in a page every core when it is cross-origin isolated
   * (COOP/COEP headers), else 1.
   */
  threads?: number;
  /** wasm in a page: where tfjs' `.wasm` files are served, when not next to the page (tfjs' `setWasmPaths`). */
  wasmPaths?: WasmPaths;
}

const NAMES = ['auto', 'wasm', 'cpu', 'webgpu', 'tensorflow'] as const;

/** The host of the last `initBackend`: `recoverBackend` sets up a fresh backend on it. */
let hostInUse: Host | undefined;

/** `initBackend` on a runtime's host (see host.ts): each package entry binds its own. */
export async function initBackendWith(host: Host, name: BackendName | 'auto', options: InitBackendOptions): Promise<BackendInfo> {
  if (!(NAMES as readonly string[]).includes(name)) {
    throw new OpsInputError(`initBackend: unknown backend '${name}'; expected one of ${NAMES.join(', ')}`);
  }
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new OpsInputError(`initBackend: threads must be a positive integer, got ${options.threads}`);
  }
  hostInUse = host;
  await ensureGradients();
  switch (name) {
    case 'auto': {
      let why = await host.whyNoHardwareGpu();
      if (why === undefined) {
        try {
          const adapter = await setupWebGpu(host, { allowSoftware: false });
          return { name: 'webgpu', gpu: true, adapter, threads: 1, note: 'auto: hardware WebGPU adapter found' };
        } catch (err) {
          why = err instanceof Error ? err.message : String(err);
        }
      }
      const threads = await setupWasm(host, options.threads, options.wasmPaths);
      return { name: 'wasm', gpu: false, threads, note: `auto: wasm, since ${why}` };
    }
    case 'wasm':
      return { name, gpu: false, threads: await setupWasm(host, options.threads, options.wasmPaths) };
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      await setBackendOrThrow('cpu');
      quietCpuBackend();
      return { name, gpu: false, threads: 1 };
    case 'webgpu': {
      const adapter = await setupWebGpu(host);
      return { name, gpu: !adapter.software, adapter, threads: 1 };
    }
    case 'tensorflow': {
      const pkg = await host.setupTensorflow();
      return { name, gpu: pkg.endsWith('-gpu'), threads: 1, note: `via ${pkg}` };
    }
  }
}

/** Sets up `name` again on the host of the last `initBackend` (plain selection when none was called). */
export async function reinitBackend(name: BackendName, options: InitBackendOptions): Promise<BackendInfo> {
  if (hostInUse !== undefined) return initBackendWith(hostInUse, name, options);
  await setBackendOrThrow(name);
  return { name, gpu: false, threads: options.threads ?? 1 };
}

/** The cpu backend prints an "install tfjs-node" banner on first use; we chose cpu knowingly. */
function quietCpuBackend(): void {
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
}
