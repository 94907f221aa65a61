import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../scripts/server.mjs';
import { launchChromium } from './chromium.js';

/** Where the test keeps its screenshot (gitignored). */
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;

let browser: Browser;
let server: { origin: string; close(): Promise<void> };
let page: Page;
const consoleErrors: string[] = [];

/** A PNG of `size`² pixels of one colour with seeded noise, drawn by the page's own canvas. */
async function png(name: string, rgb: [number, number, number], seed: number): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const base64 = await page.evaluate(
    async ([[r, g, b], s]) => {
      const canvas = new OffscreenCanvas(64, 64);
      const ctx = canvas.getContext('2d')!;
      const data = ctx.createImageData(64, 64);
      let x = s as number;
      for (let i = 0; i < data.data.length; i += 4) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const n = (x % 41) - 20;
        data.data.set([r! + n, g! + n, b! + n, 255], i);
      }
      ctx.putImageData(data, 0, 0);
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      return btoa(String.fromCharCode(...bytes));
    },
    [rgb, seed] as const,
  );
  return { name, mimeType: 'image/png', buffer: Buffer.from(base64, 'base64') };
}

beforeAll(async () => {
  server = await startServer({ '/': new URL('../dist', import.meta.url).pathname });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#status[data-ready="true"]');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('classifies a picked image: its top-5 from the self-hosted zoo model', async () => {
  await page.setInputFiles('#pick', await png('red.png', [200, 40, 40], 1));
  await page.waitForFunction(() => document.querySelectorAll('#top5 li').length === 5);
  const rows = await page.locator('#top5 li').allTextContents();
  expect(rows).toHaveLength(5);
  expect(rows[0]).toMatch(/^class \d+ \(seeded weights\): \d+\.\d%$/);
  expect(await page.textContent('#message')).toBe('');
});

it('a file that is not an image: a visible message naming it, no console error', async () => {
  await page.setInputFiles('#pick', { name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not a JPEG') });
  await page.waitForFunction(() => document.querySelector('#message')!.textContent !== '');
  expect(await page.textContent('#message')).toMatch(/^Cannot classify broken\.jpg: broken\.jpg: cannot be decoded as an image/);
  expect(await page.isVisible('#message')).toBe(true);
  expect(consoleErrors).toEqual([]);
});

it('teaches two classes: uploads, trains with a progress bar, shows accuracy, saves to IndexedDB and loads back', async () => {
  await page.fill('.class-row:nth-child(1) .class-name', 'reds');
  await page.fill('.class-row:nth-child(2) .class-name', 'blues');
  const reds = await Promise.all([1, 2, 3].map((s) => png(`red-${s}.png`, [210, 30, 30], s)));
  const blues = await Promise.all([1, 2, 3].map((s) => png(`blue-${s}.png`, [30, 30, 210], s + 10)));
  await page.setInputFiles('.class-row:nth-child(1) .class-files', reds);
  await page.setInputFiles('.class-row:nth-child(2) .class-files', blues);
  await page.fill('#epochs', '15');
  await page.click('#train');
  await page.waitForFunction(() => document.querySelector('#accuracy')!.textContent !== '', undefined, { timeout: 120_000 });
  expect(await page.textContent('#message')).toBe('');
  expect(await page.$eval('#progress', (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max])).toEqual([15, 15]);
  expect(await page.textContent('#accuracy')).toMatch(/^Accuracy on your 6 images after 15 epochs: 100%/);

  const top1 = async (file: { name: string; mimeType: string; buffer: Buffer }) => {
    await page.evaluate(() => document.querySelector('#top5')!.replaceChildren());
    await page.setInputFiles('#pick', file);
    await page.waitForFunction(() => document.querySelectorAll('#top5 li').length === 2);
    return page.locator('#top5 li').first().textContent();
  };
  expect(await top1(reds[0]!)).toMatch(/^reds: /);
  expect(await top1(blues[0]!)).toMatch(/^blues: /);

  await page.click('#save-idb');
  await page.waitForFunction(() => /Saved in this browser/.test(document.querySelector('#status')!.textContent!));
  await page.click('#reset');
  await page.waitForFunction(() => /the zoo model/.test(document.querySelector('#status')!.textContent!));
  await page.click('#load-idb');
  await page.waitForFunction(() => /saved in this browser/.test(document.querySelector('#status')!.textContent!));
  expect(await top1(blues[1]!)).toMatch(/^blues: /);

  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}demo.png`, fullPage: true });
  expect(consoleErrors).toEqual([]);
});
