import type { BackendInfo, BackendName } from './info.js';
import { nodeHost } from './node-host.js';
import { type InitBackendOptions, initBackendWith } from './setup.js';

export type { InitBackendOptions } from './setup.js';

/**
 * Sets up TensorFlow.js (gradients registered, wasm files found, wasm threads on in Node) and selects
 * a backend. `auto` takes a hardware GPU through WebGPU when an adapter exists, else wasm.
 */
export function initBackend(name: BackendName | 'auto' = 'auto', options: InitBackendOptions = {}): Promise<BackendInfo> {
  return initBackendWith(nodeHost, name, options);
}
