import type { Options } from 'tsup';

interface PackageBuild {
  /** The package's public entries, by output name; `scripts/cjs-entries.mjs` adds their CommonJS side. */
  entry: Record<string, string>;
  /** Command-line tools: ESM, no types. */
  bin?: Record<string, string>;
  /**
   * The entries of the `browser` export condition, by output name: ESM with declarations, and no Node built-in
   * reachable from them (see docs/browser.md).
   */
  browser?: Record<string, string>;
  /**
   * Source globs to emit one file each instead of one bundle, so that a bundler can drop the modules a user
   * does not import (blocks: each block registers its class in its own module).
   */
  perFile?: string[];
}

/** How every package is built: ES modules and their bundled declarations, into dist/. */
export function packageBuild({ entry, bin = {}, browser = {}, perFile }: PackageBuild): Options {
  return {
    entry: perFile ? [...perFile, '!src/**/*.test.ts', '!src/**/__fixtures__/**'] : { ...entry, ...browser, ...bin },
    bundle: perFile === undefined,
    format: ['esm'],
    dts: { entry: { ...entry, ...browser } },
    clean: true,
    sourcemap: true,
    target: 'es2022',
    // Peers, siblings and optional packages are the user's to install: never bundle them.
    external: [/^@tensorflow\//, /^@mobilenets\//, 'webgpu', 'sharp', 'onnxruntime-node', 'h5wasm'],
  };
}
