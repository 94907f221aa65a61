import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from '../errors.js';
import type { AdapterDescription } from './info.js';
import { importOptional, isInstalled } from './optional.js';
import { currentRuntime } from './runtime.js';
import { setBackendOrThrow } from './wasm.js';

export interface WebGpuOptions {
  /** Accept a software adapter (Mesa llvmpipe through Dawn's OpenGL backend) when no GPU is found. Default true. */
  allowSoftware?: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader/i;

/** A plain string: bundlers leave this Node-only optional package alone. */
const DAWN: string = 'webgpu';

/** Mesa's EGL, when it is the way in, needs a runtime dir and a platform without a display. */
const MESA_ENV = { XDG_RUNTIME_DIR: '/tmp', EGL_PLATFORM: 'surfaceless' };

/** Finds an adapter: in Node through the `webgpu` package (Dawn), in browsers and Deno through `navigator.gpu`. */
async function findAdapter(allowSoftware: boolean): Promise<{ gpu: GPU; adapter: GPUAdapter; software: boolean }> {
  if (currentRuntime() !== 'node' && currentRuntime() !== 'bun') {
    const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
    const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
    if (!gpu || !adapter) throw new BackendUnavailableError('webgpu', 'navigator.gpu offers no WebGPU adapter here');
    return { gpu, adapter, software: isSoftware(adapter) };
  }
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

function isSoftware(adapter: { info: GPUAdapterInfo }): boolean {
  const info = adapter.info;
  return info.isFallbackAdapter === true || SOFTWARE.test(`${info.description} ${info.device} ${info.architecture}`);
}

/**
 * `auto`'s question, asked without a sound: resolves to why WebGPU cannot be used here, or `undefined` when a
 * hardware adapter is there. Dawn prints on stderr while it looks for adapters (unsupported Vulkan drivers, Mesa's
 * EGL), so in Node and Bun it looks in a child process whose output is dropped; optional packages that are not
 * installed are not tried at all.
 */
export async function whyNoHardwareGpu(): Promise<string | undefined> {
  if (currentRuntime() !== 'node' && currentRuntime() !== 'bun') {
    const adapter = await (globalThis.navigator as Navigator | undefined)?.gpu?.requestAdapter({ powerPreference: 'high-performance' });
    return adapter && !isSoftware(adapter) ? undefined : 'no hardware WebGPU adapter was found';
  }
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

let setUp: Promise<AdapterDescription> | undefined;

/** Sets up the tfjs WebGPU backend on the best adapter there is (once per process) and describes it. */
export async function setupWebGpu(options: WebGpuOptions = {}): Promise<AdapterDescription> {
  const allowSoftware = options.allowSoftware ?? true;
  if (setUp === undefined) {
    setUp = createBackend(allowSoftware);
    setUp.catch(() => (setUp = undefined));
  }
  const adapter = await setUp;
  if (adapter.software && !allowSoftware) throw new BackendUnavailableError('webgpu', 'no hardware WebGPU adapter was found');
  await setBackendOrThrow('webgpu');
  return adapter;
}

async function createBackend(allowSoftware: boolean): Promise<AdapterDescription> {
  const { gpu, adapter, software } = await findAdapter(allowSoftware);
  // tfjs' WebGPU backend reads navigator.gpu; Node 20 has no navigator, Node 21+ one without gpu.
  const g = globalThis as { navigator?: { gpu?: GPU } };
  g.navigator ??= {};
  if (g.navigator.gpu !== gpu) Object.defineProperty(g.navigator, 'gpu', { configurable: true, value: gpu });
  const { WebGPUBackend } = await importOptional('webgpu', '@tensorflow/tfjs-backend-webgpu', () => import('@tensorflow/tfjs-backend-webgpu'));
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  // Replace the package's own factory, which cannot ask for a compatibility-level adapter.
  if (tf.engine().registryFactory.webgpu !== undefined) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info as never), 3);
  const info = adapter.info;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    device: info.device,
    software,
  };
}
