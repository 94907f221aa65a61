// Benchmark (not a test): MobileNetV2-224 batch-1 latency in headless Chromium on wasm with threads (COOP/COEP),
// wasm on one thread (no isolation) and WebGPU (SwiftShader here: software), beside Node's wasm, in one run.
// Prints a markdown table for docs/browser.md. Run after `npm run build -w @mobilenets/example-browser`.
import { availableParallelism, loadavg } from 'node:os';
import { initBackend } from '@mobilenets/ops';
import { createModel } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const NAME = 'mobilenetv2_100';
const SIZE = 224;
const RUNS = Number(process.env.RUNS ?? 20);

async function nodeWasm() {
  const info = await initBackend('wasm');
  const model = createModel(NAME, { inputSize: SIZE });
  const x = tf.zeros([1, SIZE, SIZE, 3]);
  const times = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const started = performance.now();
    const y = model.predict(x);
    await y.data();
    y.dispose();
    if (i >= 3) times.push(performance.now() - started);
  }
  tf.dispose([x]);
  model.dispose();
  return { info, median: times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] };
}

const rows = [];
const load = loadavg()[0].toFixed(2);
rows.push(['Node wasm', await nodeWasm()]);

const server = await startServer({ '/': new URL('../dist', import.meta.url).pathname });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--no-sandbox'] });
const cases = [
  ['page wasm, threads (COOP/COEP)', '/harness.html', 'wasm', 3, RUNS],
  ['page wasm, 1 thread (no isolation)', '/plain/harness.html', 'wasm', 3, RUNS],
  ['page WebGPU (SwiftShader)', '/harness.html', 'webgpu', 2, Math.min(RUNS, 5)],
];
for (const [label, path, backend, warmup, runs] of cases) {
  const page = await browser.newPage();
  await page.goto(`${server.origin}${path}`);
  await page.waitForFunction(() => 'harness' in globalThis);
  rows.push([label, await page.evaluate(([b, n, s, w, r]) => globalThis.harness.latency(b, n, s, w, r), [backend, NAME, SIZE, warmup, runs])]);
  await page.close();
}
await browser.close();
await server.close();

console.log(`${NAME} ${SIZE}×${SIZE}, batch 1, median of ${RUNS} (WebGPU: ${Math.min(RUNS, 5)}); ${new Date().toISOString()}, ${availableParallelism()} cores, load ${load} before the run\n`);
console.log('| where | backend | threads | median ms |\n|---|---|---|---|');
for (const [label, { info, median }] of rows) {
  const what = info.adapter ? `${info.name} (${info.adapter.description || info.adapter.vendor})` : info.name;
  console.log(`| ${label} | ${what} | ${info.threads} | ${median.toFixed(1)} |`);
}
