import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from '../errors.js';
import { type FoundAdapter, type Host, isSoftware } from './host.js';
import { navigatorAdapter, whyNoNavigatorGpu } from './navigator-gpu.js';
import { importOptional, type OptionalPackage } from './optional.js';
import { currentRuntime } from './runtime.js';
import { setupTensorflow } from './tensorflow.js';

/**
 * Runtimes whose `worker_threads` run Emscripten's pthread workers. Deno's refuses their glue (it assigns
 * `self.location`, read-only in a Deno worker), so Deno computes on one thread.
 */
const THREADED = ['node', 'bun'];

/** A plain string: bundlers leave this Node-only optional package alone. */
const DAWN: string = 'webgpu';

/** Mesa's EGL, when it is the way in, needs a runtime dir and a platform without a display. */
const MESA_ENV = { XDG_RUNTIME_DIR: '/tmp', EGL_PLATFORM: 'surfaceless' };

/** Node, Bun and Deno: files, worker_threads, Dawn through the `webgpu` package (Deno: `navigator.gpu`). */
export const nodeHost: Host = {
  async defaultThreads() {
    if (currentRuntime() !== 'node') return 1;
    const os = await import('node:os');
    return os.availableParallelism();
  },
  threadsPossible: () => THREADED.includes(currentRuntime()),
  withThreads: withNodeThreads,
  checkWasmBinary,
  findAdapter: (allowSoftware) => (currentRuntime() === 'deno' ? navigatorAdapter(allowSoftware) : dawnAdapter(allowSoftware)),
  whyNoHardwareGpu: () => (currentRuntime() === 'deno' ? whyNoNavigatorGpu() : whyNoDawnGpu()),
  setupTensorflow,
};

/**
 * Outside browsers Emscripten reads the wasm binary from disk. A read that is refused (Deno without
 * `--allow-read`) fails here with its own error as cause; in the glue it would be printed on stderr and replaced
 * by tfjs' advice about serving `.wasm` files.
 */
async function checkWasmBinary(): Promise<void> {
  try {
    const [{ access, constants }, { createRequire }] = await Promise.all([import('node:fs/promises'), import('node:module')]);
    await access(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'), constants.R_OK);
  } catch (err) {
    throw new BackendUnavailableError('wasm', `tfjs backend 'wasm' could not be initialised: its binary cannot be read: ${String(err)}`, undefined, { cause: err });
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

/** Node and Bun: an adapter through the `webgpu` package (Dawn); without a GPU, Mesa's llvmpipe when allowed. */
async function dawnAdapter(allowSoftware: boolean): Promise<FoundAdapter> {
  const dawn = await importOptional('webgpu', 'webgpu', () => import(DAWN) as Promise<typeof import('webgpu')>);
  Object.assign(globalThis, dawn.globals);
  Object.assign(process.env, { ...MESA_ENV, ...process.env });
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter && (allowSoftware || !isSoftware(adapter))) return { gpu, adapter, software: isSoftware(adapter) };
  if (!allowSoftware) throw new BackendUnavailableError('webgpu', 'no hardware WebGPU adapter was found');
  // No GPU: Mesa's llvmpipe through Dawn's OpenGL backend, which offers only WebGPU's compatibility level.
  const mesa = dawn.create(['backend=opengl']);
  const soft = await mesa.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
  if (!soft) {
    throw new BackendUnavailableError(
      'webgpu',
      'no WebGPU adapter: no GPU, and no Mesa for the software path (apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri)',
    );
  }
  return { gpu: mesa, adapter: soft, software: true };
}

/**
 * Dawn prints on stderr while it looks for adapters (unsupported Vulkan drivers, Mesa's EGL), so in Node and Bun
 * it looks in a child process whose output is dropped; optional packages that are not installed are not tried.
 */
async function whyNoDawnGpu(): Promise<string | undefined> {
  for (const pkg of ['webgpu', '@tensorflow/tfjs-backend-webgpu'] as const) {
    if (!(await isInstalled(pkg))) return `the optional package ${pkg} is not installed`;
  }
  const [{ execFile }, { createRequire }, { pathToFileURL }] = await Promise.all([import('node:child_process'), import('node:module'), import('node:url')]);
  const dawn = pathToFileURL(createRequire(import.meta.url).resolve(DAWN)).href;
  const probe = `import(${JSON.stringify(dawn)}).then(async ({ create }) => {
    const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
    console.log(JSON.stringify(adapter ? { info: { ...adapter.info, isFallbackAdapter: adapter.info.isFallbackAdapter } } : null));
    process.exit(0);
  });`;
  const found = await new Promise<{ info: GPUAdapterInfo } | null | Error>((resolve) => {
    execFile(process.execPath, ['-e', probe], { timeout: 60_000, env: { ...MESA_ENV, ...process.env } }, (err, stdout) => {
      if (err) resolve(err);
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null'));
    });
  });
  if (found instanceof Error) return `the WebGPU probe failed (${found.message.split('\n')[0]})`;
  return found && !isSoftware(found) ? undefined : 'no hardware WebGPU adapter was found';
}

/** Whether Node's resolution finds `pkg` from here (Node and Bun only). */
async function isInstalled(pkg: OptionalPackage): Promise<boolean> {
  const { createRequire } = await import('node:module');
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
