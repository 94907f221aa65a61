import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '@mobilenets/data';
import { initBackend } from '@mobilenets/ops';
import { saveModel } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededModel } from '../scripts/seeded-model.mjs';
import { startServer } from '../scripts/server.mjs';
import { launchChromium } from './chromium.js';

const SIZE = 32;
const SHAPE: [number, number, number, number] = [2, SIZE, SIZE, 3];
const MODEL = '/fixtures/model/';

let browser: Browser;
let server: { origin: string; close(): Promise<void> };
let fixtures: string;
let input: number[];
let nodeLogits: number[];
const pageErrors: string[] = [];

/** A fresh page of the harness (one backend per page: tfjs keeps one engine per page). */
async function harness(path = '/harness.html'): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${server.origin}${path}`);
  await page.waitForFunction(() => 'harness' in globalThis);
  return page;
}

type Harness = Record<string, (...args: unknown[]) => Promise<unknown>>;
const call = <T>(page: Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => ((globalThis as unknown as { harness: Harness }).harness[f as string]!(...(a as unknown[])) as Promise<unknown>), [fn, args] as const) as Promise<T>;

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

beforeAll(async () => {
  // The seeded model, saved as a model directory the page fetches, and its logits in Node (wasm).
  await initBackend('wasm', { threads: 2 });
  fixtures = await mkdtemp(join(tmpdir(), 'mobilenets-browser-'));
  const model = seededModel('mobilenetv2_035', { numClasses: 10, inputSize: SIZE }, 42);
  await saveModel(model, join(fixtures, 'model'), { labels: Array.from({ length: 10 }, (_, i) => `class ${i}`) });
  const rng = mulberry32(5);
  input = Array.from({ length: SHAPE.reduce((a, b) => a * b) }, () => 2 * rng() - 1);
  const x = tf.tensor4d(input, SHAPE);
  const y = model.predict(x) as tf.Tensor;
  nodeLogits = Array.from(await y.data());
  tf.dispose([x, y]);
  model.dispose();
  server = await startServer({ '/': new URL('../dist', import.meta.url).pathname, '/fixtures/': fixtures });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (fixtures) await rm(fixtures, { recursive: true, force: true });
  expect(pageErrors).toEqual([]);
});

describe('in headless Chromium', () => {
  it('under COOP/COEP the page is cross-origin isolated and wasm runs on more than one thread; without them, on one', async () => {
    const isolated = await harness();
    expect(await call(isolated, 'setup', 'wasm')).toMatchObject({ name: 'wasm', crossOriginIsolated: true, threads: 2, backend: 'wasm' });
    await isolated.close();
    const plain = await harness('/plain/harness.html');
    expect(await call(plain, 'setup', 'wasm')).toMatchObject({ name: 'wasm', crossOriginIsolated: false, threads: 1 });
    await plain.close();
  });

  it('the seeded model gives the logits it gives in Node: within 1e-5 on wasm', async () => {
    const page = await harness();
    const logits = await call<number[]>(page, 'logits', 'wasm', MODEL, input, SHAPE);
    await page.close();
    expect(logits).toHaveLength(nodeLogits.length);
    expect(Math.max(...nodeLogits.map(Math.abs))).toBeGreaterThan(0.1); // logits that say something
    expect(maxDiff(logits, nodeLogits)).toBeLessThanOrEqual(1e-5);
  });

  type FineTune = { losses: number[]; moved: Record<string, number>; perEpoch: number[]; afterRun: number[] };

  /** The loss falls, only the new head moves, and the tensor count is the same after every epoch and run. */
  function expectFineTuned(r: FineTune): void {
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]!);
    const moved = Object.entries(r.moved).filter(([, d]) => d > 0).map(([name]) => name);
    expect(moved.sort(), JSON.stringify(r.moved)).toEqual(['classifier/bias', 'classifier/kernel']);
    expect(new Set(r.perEpoch).size, `per epoch: ${r.perEpoch}`).toBe(1);
    expect(r.afterRun[1], `after each run: ${r.afterRun}`).toBe(r.afterRun[0]);
  }

  it('fine-tunes a new head on a frozen backbone on wasm: the loss falls, only the head moves, the tensor count stays flat', async () => {
    const page = await harness();
    const r = await call<FineTune>(page, 'fineTune', 'wasm', MODEL, 2);
    await page.close();
    expectFineTuned(r);
  });

  // One page for both WebGPU checks: SwiftShader compiles each shader once per page, slowly.
  it("on WebGPU (SwiftShader): the logits within 1e-3 of Node's, and fine-tuning as on wasm", async () => {
    const page = await harness();
    const info = await call<{ name: string; adapter: { software: boolean } }>(page, 'setup', 'webgpu');
    expect(info).toMatchObject({ name: 'webgpu', adapter: { software: true } });
    const logits = await call<number[]>(page, 'logits', 'webgpu', MODEL, input, SHAPE);
    expect(maxDiff(logits, nodeLogits)).toBeLessThanOrEqual(1e-3);
    const r = await call<FineTune>(page, 'fineTune', 'webgpu', MODEL, 1);
    await page.close();
    expectFineTuned(r);
  });

  it('decodes the same pixels from ImageData, canvases, ImageBitmap, a File, <img>, a VideoFrame, bytes and a URL; a non-image is a DecodeError naming it', async () => {
    const page = await harness();
    const r = await call<{ decoded: Record<string, number[]>; expected: number[]; tensors: number; bad: string }>(page, 'decodeSources');
    await page.close();
    expect(Object.keys(r.decoded)).toHaveLength(9);
    for (const values of Object.values(r.decoded)) expect(values).toEqual(r.expected);
    expect(r.tensors).toBe(0);
    expect(r.bad).toMatch(/^true, DecodeError: notes\.jpg: cannot be decoded as an image/);
  });

  it('classifies 1,000 images without a tensor left behind', async () => {
    const page = await harness();
    const r = await call<{ classified: number; counts: number[] }>(page, 'classifyMany', 'wasm', MODEL, 250, 4);
    await page.close();
    expect(r.classified).toBe(1000);
    expect(new Set(r.counts).size).toBe(1);
  });
});
