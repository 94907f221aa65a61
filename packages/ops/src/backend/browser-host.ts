import { BackendUnavailableError } from '../errors.js';
import type { Host } from './host.js';
import { navigatorAdapter, whyNoNavigatorGpu } from './navigator-gpu.js';

/**
 * Browsers: the wasm binaries are fetched (from `wasmPaths`, else next to the page), pthreads need a
 * cross-origin isolated page (COOP/COEP headers: SharedArrayBuffer), WebGPU comes from `navigator.gpu`.
 */
export const browserHost: Host = {
  defaultThreads: async () => globalThis.navigator?.hardwareConcurrency ?? 1,
  threadsPossible: () => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
  withThreads: withCores,
  checkWasmBinary: async () => {},
  findAdapter: navigatorAdapter,
  whyNoHardwareGpu: whyNoNavigatorGpu,
  setupTensorflow: async () => {
    throw new BackendUnavailableError('tensorflow', "the 'tensorflow' backend (tfjs-node) runs in Node only; in a page use wasm or webgpu");
  },
};

/**
 * The native side caps threads at half of `navigator.hardwareConcurrency`, so during init the page is shown
 * twice the threads asked for (as Node's `os.cpus` is); the getter is restored afterwards.
 */
async function withCores(threads: number, init: () => Promise<void>): Promise<void> {
  const nav = globalThis.navigator;
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => 2 * threads });
  try {
    await init();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
