import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Debian's interpreter, where python3-torch installs; overridable for other set-ups. */
export const PYTHON = process.env.MOBILENETS_PYTHON ?? '/usr/bin/python3';

/** Runs one of benchmarks/python's scripts and parses the JSON object it prints last. */
export async function runPythonJson<T>(script: string, args: string[]): Promise<T> {
  const path = fileURLToPath(new URL(`../python/${script}`, import.meta.url));
  const { stdout } = await run(PYTHON, [path, ...args], { timeout: 900_000, maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

/** A baseline that could not run, with the last line of why. */
export function unavailable(err: unknown): { unavailable: string } {
  const msg = String((err as { stderr?: string }).stderr || err).trim().split('\n').at(-1);
  return { unavailable: `${PYTHON} with torch: ${msg}` };
}
