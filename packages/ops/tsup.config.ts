import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // Optional and peer packages are the user's: never bundle them (webgpu ships a native binary).
  external: [/^@tensorflow\//, 'webgpu'],
});
