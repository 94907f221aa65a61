#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendName } from '@mobilenets/ops';
import type { BlockFamily } from '@mobilenets/zoo';
import { count, oneOf, UsageError } from './args.js';
import { runBench, writeCharts } from './bench.js';
import { type InferenceConfig, measureInference } from './inference.js';
import { profileTrainStep } from './profile.js';
import { validateReport } from './schema.js';
import { measureTrainStep } from './train-step.js';
import { measureZooTrainStep, TRAIN_PATHS, type ZooTrainStepConfig } from './zoo-train-step.js';

const HELP = `Usage: npm run bench [-- --full] [-- --gpu] [-- --out DIR]
       node dist/cli.js inference --backend NAME --models a,b,… [--threads N] [--runs N] [--batch N]
       node dist/cli.js zoo-train-step --model NAME [--block B] [--input-size N] [--batch N] [--path P] [--threads N] [--warmup N] [--steps N]
       node dist/cli.js train-step --backend NAME --convolutions ours|stock --batch N [--path P] [--threads N] [--warmup N] [--steps N]
       node dist/cli.js profile --backend NAME (--convolutions ours|stock | --model NAME [--input-size N]) --batch N [--path P] [--threads N] [--by-shape] [--top N]
       node dist/cli.js loader [--images N] [--batch N] [--prefetch N]
       node dist/cli.js onnx-export --models a,b,… [--threads N] [--runs N] [--batch N]
       node dist/cli.js charts RESULT.json   (draws the two charts of a result file again)

Compares the zoo's variants on every backend here, each configuration in its own process, every figure
beside a baseline measured in the same run:
- inference at each variant's input size (224×224; 32×32 for the CIFAR net): params, MACs, batch-1 latency (median, p90, warm-up apart), throughput at a large
  batch, peak memory (tfjs and RSS) — against PyTorch eager (Debian's python3-torch) and onnxruntime-node on
  the same nets on the CPU, and against PyTorch on CUDA for a hardware GPU;
- an Adam training step of each variant (batch 32 on wasm), against PyTorch's on the same nets: speed and
  memory per image; V2 at batch 4 on the previous path and the engine;
- seed 000's CIFAR MobileNetV1 training step (batch 128) with @mobilenets/ops on wasm (all cores, then one)
  and cpu, against tfjs' stock cpu gradients and PyTorch;
- the image-folder loader with seed 003's transforms, and whether it keeps up with a V2 training step;
- our ONNX export (@mobilenets/infer) of each variant on onnxruntime-node, beside torchvision's own export.
wasm runs every variant; cpu and webgpu without a GPU run a small one (webgpu on Mesa is marked software and
never compared); webgpu on a hardware GPU and tensorflow (tfjs-node, when installed) run every variant.
Writes DIR/<host>-<date>.json, .md and two SVG charts (batch-1 latency of each variant per backend and baseline,
published top-1 vs MACs per family;
DIR defaults to benchmarks/results) and prints the tables. 'inference', 'zoo-train-step', 'train-step',
'loader' and 'onnx-export' time one configuration each; 'profile' prints where a CIFAR step spends its time, per kernel.

Options:
  --full        every registered variant, more timed steps and larger baselines (slower; writes *-full.*)
  --gpu         only webgpu on a hardware GPU against PyTorch CUDA (writes <host>-<date>-gpu.*)
  --path P      training: engine (default: @mobilenets/ops' minimize, SIMD kernels on wasm, recomputation
                where a batch would not fit) or previous (tfjs' optimizer.minimize, kernels off)
  --model NAME  zoo-train-step, profile: a registered variant (profile: instead of the CIFAR net)
  --by-shape    profile: one row per kernel and input shapes
  --top N       profile: rows to print (default 25)
  --out DIR     where to write the results
  -h, --help    this text
`;

const BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'webgpu', 'tensorflow'];
const BLOCKS: readonly BlockFamily[] = ['sandglass', 'inverted_residual'];

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      full: { type: 'boolean', default: false },
      gpu: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      backend: { type: 'string', default: 'wasm' },
      convolutions: { type: 'string', default: 'ours' },
      batch: { type: 'string' },
      threads: { type: 'string' },
      warmup: { type: 'string', default: '1' },
      steps: { type: 'string', default: '3' },
      'by-shape': { type: 'boolean', default: false },
      top: { type: 'string', default: '25' },
      images: { type: 'string', default: '192' },
      prefetch: { type: 'string', default: '2' },
      model: { type: 'string' },
      path: { type: 'string', default: 'engine' },
      block: { type: 'string' },
      models: { type: 'string', default: 'mobilenetv2_100' },
      runs: { type: 'string', default: '20' },
      'input-size': { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const backend = oneOf('backend', values.backend, BACKENDS);
  const threads = values.threads === undefined ? {} : { threads: count('threads', values.threads) };
  const batch = (fallback: number) => count('batch', values.batch ?? String(fallback));
  const path = oneOf('path', values.path, TRAIN_PATHS);
  const cifar = { backend, ...threads, path, convolutions: oneOf('convolutions', values.convolutions, ['ours', 'stock'] as const) };
  const inputSize = values['input-size'] === undefined ? {} : { inputSize: count('input-size', values['input-size']) };
  const write = (result: unknown): void => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  };
  switch (positionals[0]) {
    case undefined:
      return runBench({ full: values.full, gpuOnly: values.gpu, outDir: values.out ?? fileURLToPath(new URL('../results', import.meta.url)) });
    case 'inference': {
      const config: InferenceConfig = { backend, ...threads, models: values.models.split(','), runs: count('runs', values.runs), batch: batch(32) };
      return write(await measureInference(config, log));
    }
    case 'zoo-train-step': {
      const config: ZooTrainStepConfig = {
        backend,
        ...threads,
        model: values.model ?? 'mobilenetv2_100',
        ...(values.block === undefined ? {} : { block: oneOf('block', values.block, BLOCKS) }),
        ...inputSize,
        path,
        batch: batch(16),
        warmup: count('warmup', values.warmup),
        steps: count('steps', values.steps),
      };
      return write(await measureZooTrainStep(config, log));
    }
    case 'train-step': {
      // --warmup 0 is allowed here: the stock cpu step is too slow to time twice.
      const warmup = values.warmup === '0' ? 0 : count('warmup', values.warmup);
      return write(await measureTrainStep({ ...cifar, batch: batch(128), warmup, steps: count('steps', values.steps) }, log));
    }
    case 'loader': {
      // Imported here: the loader needs sharp, which the other measurements (and a GPU machine) do without.
      const { measureLoader } = await import('./loader-throughput.js');
      const config = { backend, images: count('images', values.images), batch: batch(32), prefetch: count('prefetch', values.prefetch) };
      return write(await measureLoader(config, log));
    }
    case 'onnx-export': {
      // Imported here: it needs onnxruntime-node, an optional dependency.
      const { measureOnnxExport } = await import('./onnx-export.js');
      const config = { models: values.models.split(','), threads: count('threads', values.threads ?? '1'), runs: count('runs', values.runs), batch: batch(32) };
      return write(await measureOnnxExport(config, log));
    }
    case 'profile': {
      const subject = values.model === undefined ? { ...cifar, batch: batch(128) } : { backend, ...threads, path, model: values.model, ...inputSize, batch: batch(16) };
      const times = await profileTrainStep(subject, values['by-shape']);
      const total = times.filter((t) => t.kernel !== 'forward').reduce((sum, t) => sum + t.ms, 0);
      process.stdout.write(`kernel time ${total.toFixed(0)} ms (custom-gradient 'forward' rows overlap the rest)\n`);
      for (const t of times.slice(0, count('top', values.top))) {
        process.stdout.write(`${t.ms.toFixed(1).padStart(9)} ms ${String(t.calls).padStart(5)}×  ${t.kernel}\n`);
      }
      return;
    }
    case 'charts': {
      const file = positionals[1];
      if (!file) throw new UsageError('charts: which result file?');
      const report: unknown = JSON.parse(await readFile(file, 'utf8'));
      validateReport(report);
      return writeCharts(report, file.replace(/\.json$/, ''));
    }
    default:
      throw new UsageError(`unknown command '${positionals[0]}'`);
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`);

main().catch((err: unknown) => {
  if (err instanceof UsageError || String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
  } else {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.argv.includes('--verbose') && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  }
  process.exit(1);
});
