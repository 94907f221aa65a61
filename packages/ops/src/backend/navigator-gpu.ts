import { BackendUnavailableError } from '../errors.js';
import { type FoundAdapter, isSoftware } from './host.js';

/** The adapter `navigator.gpu` offers (browsers, Deno). */
export async function navigatorAdapter(allowSoftware: boolean): Promise<FoundAdapter> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!gpu || !adapter) throw new BackendUnavailableError('webgpu', 'navigator.gpu offers no WebGPU adapter here');
  const software = isSoftware(adapter);
  if (software && !allowSoftware) throw new BackendUnavailableError('webgpu', 'no hardware WebGPU adapter was found');
  return { gpu, adapter, software };
}

/** `auto`'s question where `navigator.gpu` is the way in. */
export async function whyNoNavigatorGpu(): Promise<string | undefined> {
  const adapter = await (globalThis.navigator as Navigator | undefined)?.gpu?.requestAdapter({ powerPreference: 'high-performance' });
  return adapter && !isSoftware(adapter) ? undefined : 'no hardware WebGPU adapter was found';
}
