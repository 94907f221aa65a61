import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from '../errors.js';
import type { Host } from './host.js';

/** Emscripten pre-allocates this many pthread workers; we never ask for more threads than that. */
const PTHREAD_POOL_SIZE = 8;

let threadsInUse = 1;

/** Where tfjs' `.wasm` files are served: a URL prefix ending in `/`, or a URL per file name (tfjs' `setWasmPaths`). */
export type WasmPaths = string | Partial<Record<'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm', string>>;

/**
 * Sets up the wasm backend with `threads` XNNPACK threads and returns the count it got. The host makes
 * pthreads work where they can (tfjs turns them off in Node; a page needs cross-origin isolation).
 */
export async function setupWasm(host: Host, threads: number | undefined, wasmPaths?: WasmPaths): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (tf.engine().registry.wasm === undefined) {
    if (wasmPaths !== undefined) wasm.setWasmPaths(wasmPaths);
    else await host.checkWasmBinary();
    const wanted = Math.min(threads ?? (await host.defaultThreads()), PTHREAD_POOL_SIZE);
    if (wanted > 1 && host.threadsPossible()) {
      await host.withThreads(wanted, async () => {
        wasm.setThreadsCount(wanted);
        await withoutProcessHandlers(() => setBackendOrThrow('wasm'));
      });
    } else {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      await withoutProcessHandlers(() => setBackendOrThrow('wasm'));
    }
  } else {
    await setBackendOrThrow('wasm');
  }
  shareIdentityData();
  threadsInUse = wasm.getThreadsCount();
  return threadsInUse;
}

/** The thread count of the wasm module set up last (what a recovered module gets again). */
export function wasmThreads(): number {
  return threadsInUse;
}

type Listener = (...args: unknown[]) => void;
interface ProcessEvents {
  listeners(event: string): Listener[];
  removeListener(event: string, listener: Listener): unknown;
}

/**
 * Runs `init` and removes the `uncaughtException` / `unhandledRejection` listeners it added. Emscripten's Node
 * glue installs both when the module starts; they rethrow from inside the glue, so any later uncaught error of the
 * user's program would exit with code 7 and a wasm stack instead of Node's own report.
 */
async function withoutProcessHandlers(init: () => Promise<void>): Promise<void> {
  const proc = (globalThis as { process?: Partial<ProcessEvents> }).process;
  if (typeof proc?.listeners !== 'function' || typeof proc.removeListener !== 'function') return init();
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = events.map((event) => new Set(proc.listeners!(event)));
  try {
    await init();
  } finally {
    events.forEach((event, i) => {
      for (const listener of proc.listeners!(event)) if (!before[i]!.has(listener)) proc.removeListener!(event, listener);
    });
  }
}

/**
 * tfjs clones every tensor a gradient saves, and wasm's Identity copies the data (4% of a training step).
 * Tensors are immutable, so the clone can share the data with a reference count, as the cpu backend does.
 */
function shareIdentityData(): void {
  if (tf.getKernel('Identity', 'wasm')?.kernelFunc === shareData) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: shareData });
}

function shareData({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = inputs.x!;
  (backend as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

type Factory = () => tf.KernelBackend | Promise<tf.KernelBackend>;

/**
 * Selects a registered backend. tfjs catches a failing backend factory, prints its error on stderr and resolves
 * `false`; here the factory's error becomes the `cause` of the BackendUnavailableError instead, and nothing is
 * printed.
 */
export async function setBackendOrThrow(name: string): Promise<void> {
  const entry = (tf.engine() as unknown as { registryFactory: Record<string, { factory: Factory }> }).registryFactory[name];
  const factory = entry?.factory;
  let cause: unknown;
  const remember = (err: unknown): never => {
    cause = err;
    throw err;
  };
  if (entry && factory) {
    entry.factory = () => {
      try {
        const made = factory();
        return typeof (made as Partial<Promise<unknown>>).then === 'function' ? Promise.resolve(made).catch(remember) : made;
      } catch (err) {
        return remember(err);
      }
    };
  }
  const quiet = tf.env().getBool('PROD');
  tf.env().set('PROD', true); // tfjs logs nothing in production mode
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    cause = err;
  } finally {
    tf.env().set('PROD', quiet);
    if (entry && factory) entry.factory = factory;
  }
  if (!ok) {
    // tfjs' wasm backend rejects with a plain `{ message }`.
    const why = cause === undefined ? 'its factory returned no backend' : cause instanceof Error ? String(cause) : String((cause as { message?: unknown }).message ?? cause);
    throw new BackendUnavailableError(name, `tfjs backend '${name}' could not be initialised: ${why}`, undefined, { cause });
  }
}
