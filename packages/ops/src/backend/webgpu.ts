import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from '../errors.js';
import type { AdapterDescription } from './info.js';
import type { Host } from './host.js';
import { importOptional } from './optional.js';
import { setBackendOrThrow } from './wasm.js';

export interface WebGpuOptions {
  /** Accept a software adapter (Mesa llvmpipe through Dawn's OpenGL backend) when no GPU is found. Default true. */
  allowSoftware?: boolean;
}

let setUp: Promise<AdapterDescription> | undefined;

/** Sets up the tfjs WebGPU backend on the best adapter there is (once per process) and describes it. */
export async function setupWebGpu(host: Host, options: WebGpuOptions = {}): Promise<AdapterDescription> {
  const allowSoftware = options.allowSoftware ?? true;
  if (setUp === undefined) {
    setUp = createBackend(host, allowSoftware);
    setUp.catch(() => (setUp = undefined));
  }
  const adapter = await setUp;
  if (adapter.software && !allowSoftware) throw new BackendUnavailableError('webgpu', 'no hardware WebGPU adapter was found');
  await setBackendOrThrow('webgpu');
  return adapter;
}

async function createBackend(host: Host, allowSoftware: boolean): Promise<AdapterDescription> {
  const { gpu, adapter, software } = await host.findAdapter(allowSoftware);
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
