import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Debian's python3 with python3-torch / torchvision, and the venv with timm beside them (fixtures/timm_mobilenetv4.py). */
export const PYTHON = '/usr/bin/python3';
export const TIMM_PYTHON = process.env.MOBILENETS_TIMM_PYTHON ?? '/work/venv-timm/bin/python';
const SCRIPT = fileURLToPath(new URL('../../../fixtures/torch_reference.py', import.meta.url));

/** Whether `python` runs and imports `modules`; the tests that need it are skipped (with a note) otherwise. */
export function pythonHas(python: string, modules: string[]): boolean {
  if (!existsSync(python)) return false;
  return spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore', timeout: 60_000 }).status === 0;
}

export interface ReferenceModel {
  lib: 'torchvision' | 'timm';
  fn: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** A safetensors state_dict to load with strict=True … */
  load?: string;
  /** … or where to torch.save the state_dict of random weights and BatchNorm statistics. */
  save?: string;
}

/** Runs fixtures/torch_reference.py once: each model's eval-mode logits for its input (NHWC). */
export async function torchReference(python: string, dir: string, models: (ReferenceModel & { input: { shape: number[]; values: Float32Array } })[]): Promise<number[][]> {
  const stamp = `${process.pid}-${Date.now()}`;
  const specs = await Promise.all(
    models.map(async ({ input, ...model }, i) => {
      const raw = join(dir, `input-${stamp}-${i}.f32`);
      await writeFile(raw, new Uint8Array(input.values.buffer, input.values.byteOffset, input.values.byteLength));
      return { ...model, input: raw, shape: input.shape };
    }),
  );
  const request = join(dir, `request-${stamp}.json`);
  await writeFile(request, JSON.stringify({ models: specs }));
  const { stdout } = await promisify(execFile)(python, [SCRIPT, request], { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return (JSON.parse(stdout) as { logits: number[][] }).logits;
}
