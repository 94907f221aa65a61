import * as tf from '@tensorflow/tfjs-core';
import { OpsInputError } from '../errors.js';
import { ensureGradients } from './gradients.js';
import type { BackendInfo, BackendName } from './info.js';
import { setupTensorflow } from './tensorflow.js';
import { setBackendOrThrow, setupWasm } from './wasm.js';
import { setupWebGpu, whyNoHardwareGpu } from './webgpu.js';

export interface InitBackendOptions {
  /**
   * wasm: XNNPACK threads. Default: every core in Node (at most 8), 1 in Bun (more on request) and Deno (always
   * 1: its workers refuse Emscripten's thread glue).
   */
  threads?: number;
}

const NAMES = ['auto', 'wasm', 'cpu', 'webgpu', 'tensorflow'] as const;

/**
 * Sets up TensorFlow.js (gradients registered, wasm files found, wasm threads on in Node) and selects
 * a backend. `auto` takes a hardware GPU through WebGPU when an adapter exists, else wasm.
 */
export async function initBackend(
  name: BackendName | 'auto' = 'auto',
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  if (!(NAMES as readonly string[]).includes(name)) {
    throw new OpsInputError(`initBackend: unknown backend '${name}'; expected one of ${NAMES.join(', ')}`);
  }
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new OpsInputError(`initBackend: threads must be a positive integer, got ${options.threads}`);
  }
  await ensureGradients();
  switch (name) {
    case 'auto': {
      let why = await whyNoHardwareGpu();
      if (why === undefined) {
        try {
          const adapter = await setupWebGpu({ allowSoftware: false });
          return { name: 'webgpu', gpu: true, adapter, threads: 1, note: 'auto: hardware WebGPU adapter found' };
        } catch (err) {
          why = err instanceof Error ? err.message : String(err);
        }
      }
      const threads = await setupWasm(options.threads);
      return { name: 'wasm', gpu: false, threads, note: `auto: wasm, since ${why}` };
    }
    case 'wasm':
      return { name, gpu: false, threads: await setupWasm(options.threads) };
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      await setBackendOrThrow('cpu');
      quietCpuBackend();
      return { name, gpu: false, threads: 1 };
    case 'webgpu': {
      const adapter = await setupWebGpu();
      return { name, gpu: !adapter.software, adapter, threads: 1 };
    }
    case 'tensorflow': {
      const pkg = await setupTensorflow();
      return { name, gpu: pkg.endsWith('-gpu'), threads: 1, note: `via ${pkg}` };
    }
  }
}

/** The cpu backend prints an "install tfjs-node" banner on first use; we chose cpu knowingly. */
function quietCpuBackend(): void {
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
}
