import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // Run against the installed packages (native binaries, optional ones) rather than copies bundled in.
  external: [/^@tensorflow\//, /^@mobilenets\//, 'onnxruntime-node', 'sharp', 'vega', 'vega-lite'],
});
