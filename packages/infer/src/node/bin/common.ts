import { MobilenetsInferError } from '../../errors.js';

/** A command line the tool cannot run: printed with the help text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A flag's value as a positive integer, or a usage error naming the flag. */
export function count(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got '${value}'`);
  return n;
}

/** A flag's value checked against the ones it may take. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

/**
 * Runs a CLI's main: a failure prints one line (`tool: message`, the help after a usage error) and exits 1;
 * a stack trace only with --verbose, or for an error none of our packages raised on purpose.
 */
export function runCli(tool: string, help: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const usage = err instanceof UsageError || String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`${tool}: ${err instanceof Error ? err.message : String(err)}\n`);
      if (usage) process.stderr.write(`\n${help}`);
      const ours = usage || err instanceof MobilenetsInferError || (err instanceof Error && /Error$/.test(err.name) && err.name !== 'Error' && err.name !== 'TypeError');
      if (process.argv.includes('--verbose') || !ours) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
      process.exitCode = 1;
    },
  );
}
