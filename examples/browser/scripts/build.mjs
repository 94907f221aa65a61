// Builds the demo page and the test harness page into dist/ with esbuild (platform browser: the packages'
// `browser` export conditions), and puts tfjs' wasm binaries beside them, so nothing is fetched from elsewhere.
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
await mkdir(join(dist, 'wasm'), { recursive: true });

await build({
  entryPoints: { demo: join(root, 'src/demo.ts'), harness: join(root, 'test/page/harness.ts') },
  outdir: dist,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  // No keepNames: tfjs-wasm starts its pthread workers from a bundled function's source, which keepNames' helper
  // calls would break (the errors name themselves with strings, so nothing needs it).
  sourcemap: true,
  logLevel: 'warning',
});

const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  await copyFile(join(wasmDir, file), join(dist, 'wasm', file));
}
await copyFile(join(root, 'src/index.html'), join(dist, 'index.html'));
await copyFile(join(root, 'test/page/harness.html'), join(dist, 'harness.html'));
await import('./make-model.mjs');
