import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'bin/predict': 'src/bin/predict.ts', 'bin/export': 'src/bin/export.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: [/^@tensorflow\//, /^@mobilenets\//, 'onnxruntime-node', 'protobufjs'],
});
