import { browserHost } from './browser-host.js';
import type { BackendInfo, BackendName } from './info.js';
import { type InitBackendOptions, initBackendWith } from './setup.js';

export type { InitBackendOptions } from './setup.js';

/**
 * Sets up TensorFlow.js in a page (gradients registered, wasm threads on when the page is cross-origin
 * isolated) and selects a backend. `auto` takes a hardware GPU through `navigator.gpu` when it offers one,
 * else wasm.
 */
export function initBackend(name: BackendName | 'auto' = 'auto', options: InitBackendOptions = {}): Promise<BackendInfo> {
  return initBackendWith(browserHost, name, options);
}
