import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts', 'bin/train': 'src/node/cli/main.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: [/^@tensorflow\//, /^@mobilenets\//, 'cli-progress'],
});
