import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from '../errors.js';
import { currentRuntime } from './runtime.js';

/** Emscripten pre-allocates this many pthread workers; we never ask for more threads than that. */
const PTHREAD_POOL_SIZE = 8;

/**
 * Runtimes whose `worker_threads` run Emscripten's pthread workers. Deno's refuses their glue (it assigns
 * `self.location`, read-only in a Deno worker), so Deno computes on one thread.
 */
const THREADED = ['node', 'bun'];

let threadsInUse = 1;

/**
 * Sets up the wasm backend with `threads` XNNPACK threads and returns the count it got.
 * tfjs turns wasm threads off in Node; `withNodeThreads` turns them back on (Node, Bun).
 */
export async function setupWasm(threads: number | undefined): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (tf.engine().registry.wasm === undefined) {
    await checkBinaryReadable();
    const wanted = Math.min(threads ?? (await defaultThreads()), PTHREAD_POOL_SIZE);
    if (wanted > 1 && THREADED.includes(currentRuntime())) {
      await withNodeThreads(wanted, async () => {
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

async function defaultThreads(): Promise<number> {
  if (currentRuntime() !== 'node') return 1;
  const os = await import('node:os');
  return os.availableParallelism();
}

/**
 * Outside browsers Emscripten reads the wasm binary from disk. A read that is refused (Deno without
 * `--allow-read`) fails here with its own error as cause; in the glue it would be printed on stderr and replaced
 * by tfjs' advice about serving `.wasm` files.
 */
async function checkBinaryReadable(): Promise<void> {
  if (currentRuntime() === 'browser') return;
  try {
    const [{ access, constants }, { createRequire }] = await Promise.all([import('node:fs/promises'), import('node:module')]);
    await access(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'), constants.R_OK);
  } catch (err) {
    throw new BackendUnavailableError('wasm', `tfjs backend 'wasm' could not be initialised: its binary cannot be read: ${String(err)}`, undefined, { cause: err });
  }
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

/**
 * Runs `init` (which must initialise the wasm backend) with Emscripten pthreads working in Node.
 * What it takes, measured on tfjs 4.22.0 (the version is pinned for it):
 * - the glue starts each pthread worker from a `blob:` URL, which worker_threads refuse: a `Worker`
 *   global starts it instead from the build's own worker script, evaluated as code;
 * - that worker is then told to load the module from a Blob it cannot run: the `load` message is
 *   pointed at the same module on disk (`wasm-out/tfjs-backend-wasm-threaded-simd.js`);
 * - the native side caps threads at half the logical cores, so during init it is shown enough cores;
 * - the workers would keep the process alive forever, so they are unref'ed once init is done.
 */
async function withNodeThreads(threads: number, init: () => Promise<void>): Promise<void> {
  const [{ Worker: NodeWorker }, { createRequire }, { default: os }, path] = await Promise.all([
    import('node:worker_threads'),
    import('node:module'),
    import('node:os'), // the default export: the module object the wasm glue reads `cpus` from
    import('node:path'),
  ]);
  const require = createRequire(import.meta.url);
  const wasmOut = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const workerSource = (
    require(path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string }
  ).wasmWorkerContents.replace(/\n/g, '\\n');
  const moduleOnDisk = path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');

  const workers: InstanceType<typeof NodeWorker>[] = [];
  class PthreadWorker extends NodeWorker {
    constructor() {
      super(workerSource, { eval: true });
      workers.push(this as InstanceType<typeof NodeWorker>);
    }
    override postMessage(...[message, transfer]: Parameters<InstanceType<typeof NodeWorker>['postMessage']>): void {
      const msg = message as { cmd?: string } | null;
      super.postMessage(msg?.cmd === 'load' ? { ...msg, urlOrBlob: moduleOnDisk } : message, transfer);
    }
  }

  const previousWorker = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  const cpus = os.cpus;
  const cores = cpus();
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => cores[i % cores.length]!);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  try {
    await init();
  } finally {
    os.cpus = cpus;
    if (previousWorker) Object.defineProperty(globalThis, 'Worker', previousWorker);
    else delete (globalThis as { Worker?: unknown }).Worker;
    for (const w of workers) w.unref();
  }
}
