import { initBackend } from '../backend/init-backend.js';
import type { BackendName } from '../backend/info.js';

/** The backends every op must train on; webgpu runs on Mesa where there is no GPU. */
export const TRAINING_BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgpu'];

const ready = new Map<BackendName, Promise<unknown>>();

/** Switches to `name`, setting it up once per test file (wasm with 2 threads, as users get it). */
export async function useBackend(name: BackendName): Promise<void> {
  if (!ready.has(name)) ready.set(name, initBackend(name, name === 'wasm' ? { threads: 2 } : {}));
  await ready.get(name);
  await initBackend(name);
}
