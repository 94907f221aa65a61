#!/usr/bin/env node
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '@mobilenets/ops';
import { ArchDecodeError, ModelConfigError, ModelFileError, WeightMismatchError, WriteError } from '../../errors.js';
import { exportWeights } from '../../io/export-weights.js';
import { type LoadWeightsOptions, loadWeights } from '../../io/node/load-weights.js';
import { saveModel } from '../../io/node/model-dir.js';
import { createModel } from '../../registry.js';

const HELP = `Usage: mobilenets-convert <in> <out> --model NAME [options]

Converts pretrained weights between formats: reads <in> into the zoo's model NAME, then writes <out>.

<in>: safetensors, a torch.save .pth / .pt (zip or legacy), a Paddle .pdparams, a Keras .h5, or a saved model directory.
<out>: a .safetensors file (a PyTorch state_dict), or else a saved TF.js model directory (saveModel).

Options:
  --model NAME      the registered model the weights belong to (mobilenets-summary --list lists them)
  --from FORMAT     whose key names <in> uses: torchvision, timm, paddle, keras, tfjs or auto (default: auto)
  --to FORMAT       torchvision or timm (a .safetensors <out>; default: the naming read, else timm), or tfjs
                    (the default for any other <out>)
  --num-classes N   classifier outputs (default: the model's)
  --width W         width multiplier (default: the model's)
  --overwrite       replace <out> if it exists
  --verbose         print stack traces of errors
  -h, --help        this text

Examples:
  mobilenets-convert mobilenet_v2-b0353104.pth mnv2 --model mobilenetv2_100
  mobilenets-convert model.safetensors mnv3.safetensors --model mobilenetv3_large_100 --from timm --to torchvision
  mobilenets-convert MobileNeXt_100_pretrained.pdparams mnext --model mobilenext_100
  mobilenets-convert mobilenet_v2_weights.h5 mnv2-10 --model mobilenetv2_050 --num-classes 10
`;

class UsageError extends Error {}

const FROM = ['torchvision', 'timm', 'paddle', 'keras', 'tfjs', 'auto'] as const;
const TO = ['torchvision', 'timm', 'tfjs'] as const;

function pick<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'num-classes': { type: 'string' },
      width: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const [input, output, ...rest] = positionals;
  if (!input || !output || rest.length > 0) throw new UsageError(`expects <in> and <out>, got ${positionals.length} paths`);
  if (!values.model) throw new UsageError('which model? --model NAME (mobilenets-summary --list lists them)');
  const from = pick('from', values.from, FROM) ?? 'auto';
  let to = pick('to', values.to, TO);
  const safetensors = extname(output) === '.safetensors';
  if (to === 'tfjs' && safetensors) throw new UsageError('--to tfjs writes a directory; name it without .safetensors');
  if (to && to !== 'tfjs' && !safetensors) throw new UsageError(`--to ${to} writes a state_dict: name <out> *.safetensors`);
  const numClasses = number('num-classes', values['num-classes']);
  const widthMultiplier = number('width', values.width);

  await initBackend('cpu');
  const model = createModel(values.model, { ...(numClasses !== undefined && { numClasses }), ...(widthMultiplier !== undefined && { widthMultiplier }) });
  const loaded = await loadWeights(model, input, { format: from as LoadWeightsOptions['format'] });
  to ??= safetensors ? (loaded.format === 'torchvision' || loaded.format === 'timm' ? loaded.format : 'timm') : 'tfjs';
  const written = resolve(output);
  if (to === 'tfjs') await saveModel(model, output, { overwrite: values.overwrite });
  else await exportWeights(model, output, { format: to, overwrite: values.overwrite });
  process.stdout.write(
    `read ${loaded.tensors} tensors from ${input} (${loaded.container}, ${loaded.format} names) into ${values.model}\n` + `wrote ${written} (${to})\n`,
  );
  model.dispose();
}

const KNOWN = [UsageError, ModelConfigError, ArchDecodeError, ModelFileError, WeightMismatchError, WriteError];

main().catch((err: unknown) => {
  const known = KNOWN.some((k) => err instanceof k) || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
  process.stderr.write(`mobilenets-convert: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof UsageError) process.stderr.write(`\n${HELP}`);
  if (!known || process.argv.includes('--verbose')) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  process.exit(1);
});
