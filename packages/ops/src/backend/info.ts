/** The backends `initBackend` can set up. */
export type BackendName = 'wasm' | 'cpu' | 'webgpu' | 'tensorflow';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  /** The driver's description, e.g. "OpenGL version 4.5 (Core Profile) Mesa 22.3.6". */
  description: string;
  device: string;
  /** True for a software rasterizer (Mesa llvmpipe, lavapipe, SwiftShader): correct but not a GPU. */
  software: boolean;
}

/** What `initBackend` set up (see the backend contract in the project notes). */
export interface BackendInfo {
  name: BackendName;
  /** True only for a hardware GPU. */
  gpu: boolean;
  /** The WebGPU adapter, for `webgpu`. */
  adapter?: AdapterDescription;
  /** Threads the backend computes with (wasm: XNNPACK's pool; 1 where unknown). */
  threads: number;
  /** Why `auto` chose this backend, or how the requested one was reached. */
  note?: string;
}
