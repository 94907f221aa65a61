import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../model-dir-child.mjs', import.meta.url));

export interface ChildLine {
  dir?: string;
  save?: number;
  logits?: number[];
  loaded?: boolean;
  name?: string;
  code?: string;
  message?: string;
}

/** Runs model-dir-child.mjs (on the built packages); resolves to its JSON lines and the signal that ended it. */
export function child(args: string[], options: { env?: Record<string, string>; uid?: number; gid?: number; timeout?: number } = {}) {
  return new Promise<{ lines: ChildLine[]; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const { env, timeout = 60_000, ...ids } = options;
    execFile(process.execPath, [CHILD, ...args], { env: { ...process.env, ...env }, timeout, ...ids }, (err, stdout, stderr) => {
      if (err?.killed) reject(new Error(`the child did not answer within ${timeout} ms`));
      else if (err && !err.signal) reject(new Error(`the child failed: ${stderr}`));
      else resolve({ lines: stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChildLine), signal: err?.signal ?? null });
    });
  });
}
