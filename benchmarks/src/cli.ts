#!/usr/bin/env node
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { type BackendName, initBackend } from '@mobilenets/ops';
import { type BlockFamily, listModels } from '@mobilenets/zoo';
import { accuracyChart, latencyChart } from './charts.js';
import { machineInfo } from './machine.js';
import { profileTrainStep } from './profile.js';
import { pytorchTrainStep } from './pytorch.js';
import { formatReport, type BenchReport } from './report.js';
import { validateReport } from './schema.js';
import { type InferenceConfig, type InferenceResult, measureInference } from './inference.js';
import { measureLoader, type LoaderConfig, type LoaderResult } from './loader-throughput.js';
import { onnxInference } from './onnx-inference.js';
import { pytorchInference, pytorchTraining } from './pytorch-inference.js';
import { measureTrainStep, type TrainStepConfig, type TrainStepResult } from './train-step.js';
import { measureZooTrainStep, type ZooTrainStepConfig, type ZooTrainStepResult } from './zoo-train-step.js';

const HELP = `Usage: npm run bench [-- --full] [-- --out DIR]
       node dist/cli.js inference --backend NAME --models a,b,… [--threads N] [--runs N] [--batch N]
       node dist/cli.js charts RESULT.json   (draws the two charts of a result file again)
       node dist/cli.js train-step --backend NAME --convolutions ours|stock --batch N [--threads N] [--warmup N] [--steps N]
       node dist/cli.js profile --backend NAME --convolutions ours|stock --batch N [--threads N] [--by-shape] [--top N]
       node dist/cli.js loader [--images N] [--batch N] [--prefetch N]
       node dist/cli.js zoo-train-step --model NAME [--block B] [--input-size N] [--batch N] [--threads N] [--warmup N] [--steps N]

Compares the zoo's variants on every backend here (wasm on all cores; cpu and webgpu on a subset; webgpu on
Mesa is marked software and not compared): params, MACs, batch-1 latency (median, p90, warm-up apart),
throughput at batch 32 and peak memory, each beside PyTorch on the same nets. Then benchmarks one Adam training
step of seed 000's CIFAR MobileNetV1 (batch 128) built from @mobilenets/ops (inference is also compared with
onnxruntime-node on the same nets exported to ONNX)
on wasm (all cores, then one) and cpu, against tfjs' stock cpu gradients at a small batch and PyTorch
(Debian's python3-torch) on the same machine, all measured in this run. Each configuration runs in its
own process. Writes DIR/<host>-<date>.json, .md and two SVG charts (latency vs MACs per backend, published
top-1 vs MACs; DIR defaults to benchmarks/results) and prints the tables.
It also measures the image-folder loader with seed 003's transforms at 224×224 and whether it keeps up with a
MobileNetV2 training step on wasm. 'train-step', 'loader' and 'zoo-train-step' time one configuration each;
'profile' prints where a CIFAR step spends its time, per kernel.

Options:
  --full        every registered variant, more timed steps and larger baselines (slower)
  --by-shape    profile: one row per kernel and input shapes
  --top N       profile: rows to print (default 25)
  --out DIR     where to write the results
  -h, --help    this text
`;

const exec = promisify(execFile);
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      full: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      backend: { type: 'string' },
      convolutions: { type: 'string', default: 'ours' },
      batch: { type: 'string' },
      threads: { type: 'string' },
      warmup: { type: 'string', default: '1' },
      steps: { type: 'string', default: '3' },
      'by-shape': { type: 'boolean', default: false },
      top: { type: 'string', default: '25' },
      images: { type: 'string', default: '192' },
      prefetch: { type: 'string', default: '2' },
      model: { type: 'string', default: 'mobilenetv2_100' },
      block: { type: 'string' },
      models: { type: 'string', default: 'mobilenetv2_100' },
      runs: { type: 'string', default: '20' },
      'input-size': { type: 'string', default: '224' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const one = {
    backend: (values.backend ?? 'wasm') as BackendName,
    convolutions: values.convolutions === 'stock' ? ('stock' as const) : ('ours' as const),
    batch: Number(values.batch ?? 128),
    ...(values.threads === undefined ? {} : { threads: Number(values.threads) }),
  };
  if (positionals[0] === 'train-step') {
    const result = await measureTrainStep({ ...one, warmup: Number(values.warmup), steps: Number(values.steps) }, log);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (positionals[0] === 'charts') {
    const file = positionals[1];
    if (!file) throw new UsageError('charts: which result file?');
    const report: unknown = JSON.parse(await readFile(file, 'utf8'));
    validateReport(report);
    await writeCharts(report, file.replace(/\.json$/, ''));
    return;
  }
  if (positionals[0] === 'inference') {
    const config: InferenceConfig = {
      backend: one.backend,
      ...(one.threads === undefined ? {} : { threads: one.threads }),
      models: values.models.split(','),
      runs: Number(values.runs),
      batch: Number(values.batch ?? 32),
    };
    process.stdout.write(`${JSON.stringify(await measureInference(config, log))}\n`);
    return;
  }
  if (positionals[0] === 'loader') {
    const config = { backend: one.backend, images: Number(values.images), batch: Number(values.batch ?? 32), prefetch: Number(values.prefetch) };
    process.stdout.write(`${JSON.stringify(await measureLoader(config, log))}\n`);
    return;
  }
  if (positionals[0] === 'zoo-train-step') {
    const config: ZooTrainStepConfig = {
      backend: one.backend,
      ...(one.threads === undefined ? {} : { threads: one.threads }),
      model: values.model,
      ...(values.block === undefined ? {} : { block: values.block as BlockFamily }),
      inputSize: Number(values['input-size']),
      batch: Number(values.batch ?? 16),
      warmup: Number(values.warmup),
      steps: Number(values.steps),
    };
    process.stdout.write(`${JSON.stringify(await measureZooTrainStep(config, log))}\n`);
    return;
  }
  if (positionals[0] === 'profile') {
    const times = await profileTrainStep(one, values['by-shape']);
    const total = times.filter((t) => t.kernel !== 'forward').reduce((sum, t) => sum + t.ms, 0);
    process.stdout.write(`kernel time ${total.toFixed(0)} ms (custom-gradient 'forward' rows overlap the rest)\n`);
    for (const t of times.slice(0, Number(values.top))) {
      process.stdout.write(`${t.ms.toFixed(1).padStart(9)} ms ${String(t.calls).padStart(5)}×  ${t.kernel}\n`);
    }
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unknown command '${positionals[0]}'`);
  await benchAll(values.full, values.out ?? fileURLToPath(new URL('../results', import.meta.url)));
}

class UsageError extends Error {}

/** Runs one measurement in a fresh process (wasm threads are fixed per process) and returns its JSON line. */
async function inChild<T>(command: string, args: Record<string, string | number | undefined>, timeoutMs = 0): Promise<T> {
  const flags = Object.entries(args).flatMap(([k, v]) => (v === undefined ? [] : [`--${k}`, String(v)]));
  const child = exec(process.execPath, [fileURLToPath(import.meta.url), command, ...flags], { maxBuffer: 1 << 24, timeout: timeoutMs });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

/** Why a child measurement gave no result: its last error line, or the time limit it ran past. */
function failure(err: unknown, timeoutMs: number): string {
  const e = err as { killed?: boolean; stderr?: string };
  if (e.killed) return `no result within ${timeoutMs / 1000} s`;
  return String(e.stderr ?? err).trim().split('\n').at(-1) ?? String(err);
}

const trainStepInChild = (c: TrainStepConfig) =>
  inChild<TrainStepResult>('train-step', { backend: c.backend, convolutions: c.convolutions, batch: c.batch, warmup: c.warmup, steps: c.steps, threads: c.threads });

/** The variants compared by default: one per family, and V2's layout from sandglass blocks. */
const QUICK_MODELS = ['mobilenetv1_100', 'mobilenetv2_100', 'mobilenetv2_100+sandglass', 'mobilenetv3_large_100', 'mobilenetv3_small_100', 'mobilenext_100'];
/** The batch GPU throughput is measured and compared with PyTorch CUDA at. */
const GPU_BATCH = 256;
/** What the slow backends (cpu; webgpu without a GPU) run. */
const SMALL_MODELS = ['mobilenetv3_small_100'];

async function benchInference(full: boolean, cores: number): Promise<{ results: InferenceResult[]; models: string[] }> {
  const models = full ? [...listModels(), 'mobilenetv2_100+sandglass'] : QUICK_MODELS;
  const runs = full ? 30 : 15;
  const results: InferenceResult[] = [];
  log(`inference: ${models.length} variants on wasm (${cores} threads)`);
  results.push(await inChild<InferenceResult>('inference', { backend: 'wasm', threads: cores, models: models.join(','), runs, batch: 32 }));
  for (const backend of ['cpu', 'webgpu', 'tensorflow'] as const) {
    log(`inference: ${SMALL_MODELS.join(', ')} on ${backend}`);
    try {
      let result = await inChild<InferenceResult>('inference', { backend, models: SMALL_MODELS.join(','), runs: 3, batch: 4 }, 300_000);
      if (result.backendInfo.gpu || backend === 'tensorflow') {
        // A real accelerator (or native TensorFlow): every variant, and the large batch GPUs are compared at.
        const batch = result.backendInfo.gpu ? GPU_BATCH : 32;
        log(`inference: ${models.length} variants on ${backend} (${result.backendInfo.adapter?.description ?? 'native'}), batch ${batch}`);
        result = await inChild<InferenceResult>('inference', { backend, models: models.join(','), runs, batch }, 600_000);
      }
      results.push(result);
    } catch (err) {
      log(`  ${backend} unavailable: ${failure(err, 300_000)}`);
    }
  }
  return { results, models };
}

async function writeCharts(report: BenchReport, base: string): Promise<void> {
  await initBackend('cpu'); // the accuracy chart builds each model once to count its MACs
  await writeFile(`${base}-latency.svg`, await latencyChart(report));
  await writeFile(`${base}-accuracy.svg`, await accuracyChart());
}

async function benchAll(full: boolean, outDir: string): Promise<void> {
  const machine = machineInfo();
  const inference = await benchInference(full, machine.cores);
  log(`inference: PyTorch on the CPU (${machine.cores} threads), the same variants`);
  const torchInference = await pytorchInference(inference.models, machine.cores, full ? 30 : 15, 32);
  log(`inference: onnxruntime-node on the CPU (${machine.cores} threads), the same variants exported to ONNX`);
  const ortInference = await onnxInference(inference.models, machine.cores, full ? 30 : 15, 32);
  const onGpu = inference.results.some((r) => r.backendInfo.gpu);
  if (onGpu) log(`inference: PyTorch on CUDA, the same variants, batch ${GPU_BATCH}`);
  const cudaInference = onGpu ? await pytorchInference(inference.models, machine.cores, full ? 30 : 15, GPU_BATCH, 'cuda') : undefined;
  const steps = full ? 5 : 3;
  const configs: TrainStepConfig[] = [
    { backend: 'wasm', threads: machine.cores, convolutions: 'ours', batch: 128, warmup: 1, steps },
    { backend: 'wasm', threads: 1, convolutions: 'ours', batch: 128, warmup: 1, steps },
    { backend: 'cpu', convolutions: 'ours', batch: 128, warmup: full ? 1 : 0, steps: full ? 3 : 1 },
    { backend: 'cpu', convolutions: 'stock', batch: full ? 8 : 2, warmup: 0, steps: full ? 2 : 1 },
  ];
  const trainStep: TrainStepResult[] = [];
  for (const c of configs) {
    log(`train step: ${c.convolutions} convolutions on ${c.backend}${c.threads ? ` (${c.threads} threads)` : ''}, batch ${c.batch}`);
    trainStep.push(await trainStepInChild(c));
  }
  log(`train step: PyTorch on the CPU (${machine.cores} threads), batch 128`);
  const pytorch = await pytorchTrainStep(128, full ? 10 : 5, machine.cores);
  log('loader: an image folder of photo-sized JPEGs through seed 003\'s transforms, batch 32');
  const loaderResult = await inChild<LoaderResult>('loader', { backend: 'wasm', images: full ? 384 : 192, batch: 32, prefetch: 2 } satisfies Partial<LoaderConfig>);
  // Small batches: the wasm heap (4 GB, wasm32) runs out in MobileNetV2-224's backward pass at batch 16, and
  // V2's layout in sandglass blocks stalls near that limit at batch 8.
  const trainBatch = full ? 8 : 4;
  const zooTrain: (ZooTrainStepResult | { model: string; unavailable: string })[] = [];
  const limitMs = 240_000;
  for (const model of inference.models) {
    log(`train step: ${model} at 224×224 on wasm (${machine.cores} threads), batch ${trainBatch}`);
    const [name, block] = model.split('+');
    const args = { backend: 'wasm', threads: machine.cores, model: name, block, 'input-size': 224, batch: trainBatch, warmup: 1, steps: full ? 4 : 2 };
    zooTrain.push(await inChild<ZooTrainStepResult>('zoo-train-step', args, limitMs).catch((err: unknown) => ({ model, unavailable: failure(err, limitMs) })));
  }
  log(`train step: PyTorch on the CPU (${machine.cores} threads), the same variants, batch ${trainBatch}`);
  const torchTraining = await pytorchTraining(inference.models, machine.cores, trainBatch, full ? 4 : 2);
  const measured = zooTrain.filter((t): t is ZooTrainStepResult => !('unavailable' in t));
  const v2Step = measured.find((t) => t.model === 'mobilenetv2_100' && !t.block) ?? measured[0]!;
  const date = new Date().toISOString().slice(0, 10);
  const report: BenchReport = {
    schema: 1,
    date,
    machine,
    inference: inference.results,
    zooTrainStep: zooTrain,
    trainStep,
    loader: { ...loaderResult, trainStep: v2Step, keepsUp: loaderResult.imagesPerSecond >= v2Step.imagesPerSecond },
    baselines: {
      pytorch,
      pytorchInference: torchInference,
      onnxInference: ortInference,
      pytorchTraining: torchTraining,
      ...(cudaInference ? { pytorchCudaInference: cudaInference } : {}),
    },
  };
  await mkdir(outDir, { recursive: true });
  const base = `${outDir}/${machine.host}-${date}`;
  validateReport(report);
  const markdown = formatReport(report);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.md`, markdown);
  await writeCharts(report, base);
  process.stdout.write(`${markdown}\nwrote ${base}.json, .md, -latency.svg and -accuracy.svg\n`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n\n${HELP}`);
  } else {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.argv.includes('--verbose') && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  }
  process.exit(1);
});
