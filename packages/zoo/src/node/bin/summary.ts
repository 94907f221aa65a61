#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { initBackend } from '@mobilenets/ops';
import { ArchDecodeError, ModelConfigError } from '../../errors.js';
import { listModels } from '../../registry.js';
import { formatSummary, summarize } from '../../summary.js';
import type { BlockFamily } from '../../build.js';

const HELP = `Usage: mobilenets-summary <model> [options]
       mobilenets-summary --list

Prints a model's layers with output shapes, parameters and multiply-accumulates, like torchsummary.

Options:
  --input-size N    square input side (default: the model's, 224 or 32)
  --width W         width multiplier (default: the model's)
  --classes N       classifier outputs (default: the model's)
  --block B         rebuild the layout from 'sandglass' or 'inverted_residual' blocks
  --json            print the summary as JSON
  --list            list the registered models
  --verbose         print stack traces of errors
  -h, --help        this text
`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'input-size': { type: 'string' },
      width: { type: 'string' },
      classes: { type: 'string' },
      block: { type: 'string' },
      json: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.list) {
    process.stdout.write(`${listModels().join('\n')}\n`);
    return;
  }
  const [name, ...rest] = positionals;
  if (!name || rest.length > 0) throw new UsageError(name ? `one model at a time, got ${positionals.join(' ')}` : 'which model? (--list lists them)');
  const number = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, got '${v}'`);
    return n;
  };
  await initBackend('cpu');
  const summary = summarize(name, {
    ...(values['input-size'] !== undefined && { inputSize: number('input-size', values['input-size']) }),
    ...(values.width !== undefined && { widthMultiplier: number('width', values.width) }),
    ...(values.classes !== undefined && { numClasses: number('classes', values.classes) }),
    ...(values.block !== undefined && { block: values.block as BlockFamily }),
  });
  process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  const known = err instanceof UsageError || err instanceof ModelConfigError || err instanceof ArchDecodeError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
  process.stderr.write(`mobilenets-summary: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof UsageError) process.stderr.write(`\n${HELP}`);
  if (!known || process.argv.includes('--verbose')) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  process.exit(1);
});
