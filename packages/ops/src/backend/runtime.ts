/** Which JavaScript runtime we are in: the wasm thread set-up and the WebGPU binding differ. */
export type Runtime = 'node' | 'bun' | 'deno' | 'browser';

export function currentRuntime(): Runtime {
  const g = globalThis as { Bun?: unknown; Deno?: unknown; process?: { versions?: { node?: string } } };
  if (g.Deno !== undefined) return 'deno';
  if (g.Bun !== undefined) return 'bun';
  if (g.process?.versions?.node !== undefined) return 'node';
  return 'browser';
}
