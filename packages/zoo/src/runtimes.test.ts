import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { relativeError } from '@mobilenets/ops/testing';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./__fixtures__/runtime-smoke.mjs', import.meta.url));
const BIN = (name: string) => fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));

interface Smoke {
  backend: string;
  threads: number;
  logits: number[];
  gradShape: number[];
}

async function smoke(command: string, args: string[]): Promise<Smoke> {
  const { stdout } = await run(command, [...args, SCRIPT], { timeout: 120_000, maxBuffer: 1 << 22 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Smoke;
}

// Bun and Deno come from the npm registry as devDependencies; the built packages are what they import.
describe('the packages under Node, Bun and Deno', () => {
  it('give the same logits and a gradient on wasm', async () => {
    expect(existsSync(BIN('bun')) && existsSync(BIN('deno'))).toBe(true);
    const node = await smoke(process.execPath, []);
    const [bun, deno] = await Promise.all([smoke(BIN('bun'), []), smoke(BIN('deno'), ['run', '-A'])]);
    for (const r of [node, bun, deno]) {
      expect(r).toMatchObject({ backend: 'wasm', threads: 1, gradShape: [2, 64, 64, 3] });
      expect(r.logits).toHaveLength(20);
    }
    expect(relativeError(bun.logits, node.logits)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(deno.logits, node.logits)).toBeLessThanOrEqual(1e-5);
  });
});
