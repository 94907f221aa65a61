#!/usr/bin/env node
import { isInputError, runCli } from './run.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mobilenets-train: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!isInputError(err) || process.argv.includes('--verbose')) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    process.exitCode = 1;
  },
);
