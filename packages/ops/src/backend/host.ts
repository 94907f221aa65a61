/**
 * What setting up a backend needs from the runtime: Node, Bun and Deno on one side (`node-host.ts`, the
 * package's default entry), browsers on the other (`browser-host.ts`, its `browser` export condition). Each
 * entry passes its host to `initBackendWith`, so a page never reaches code that imports Node built-ins.
 */
export interface Host {
  /** wasm threads when the caller asks for none. */
  defaultThreads(): Promise<number>;
  /** Whether the wasm module can run pthreads here (Deno: never; a page: only when cross-origin isolated). */
  threadsPossible(): boolean;
  /** Runs `init` (which initialises the wasm backend) with `threads` pthreads made to work. */
  withThreads(threads: number, init: () => Promise<void>): Promise<void>;
  /** Fails with a BackendUnavailableError, the reader's error as cause, when the wasm binary cannot be read. */
  checkWasmBinary(): Promise<void>;
  /** The best WebGPU adapter (a software one only when `allowSoftware`). */
  findAdapter(allowSoftware: boolean): Promise<FoundAdapter>;
  /** Why WebGPU cannot be used here, or `undefined` when a hardware adapter is there; asked without a sound. */
  whyNoHardwareGpu(): Promise<string | undefined>;
  /** Loads tfjs-node(-gpu) and selects its backend; resolves to the package's name. */
  setupTensorflow(): Promise<string>;
}

export interface FoundAdapter {
  gpu: GPU;
  adapter: GPUAdapter;
  software: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader/i;

export function isSoftware(adapter: { info: GPUAdapterInfo }): boolean {
  const info = adapter.info;
  return info.isFallbackAdapter === true || SOFTWARE.test(`${info.description} ${info.device} ${info.architecture}`);
}
