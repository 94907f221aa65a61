import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BackendInfo, type BackendName, initBackend } from '@mobilenets/ops';
import { type BlockFamily, listModels } from '@mobilenets/zoo';
import { accuracyChart, latencyChart } from './charts.js';
import type { InferenceResult } from './inference.js';
import type { LoaderResult } from './loader-throughput.js';
import { machineInfo } from './machine.js';
import type { OnnxExportInference } from './onnx-export.js';
import { onnxInference } from './onnx-inference.js';
import { pytorchTrainStep } from './pytorch.js';
import { pytorchInference, pytorchTraining } from './pytorch-inference.js';
import { type BenchReport, formatReport, type ZooTrainOutcome } from './report.js';
import { validateReport } from './schema.js';
import type { TrainStepConfig, TrainStepResult } from './train-step.js';
import type { TrainPath, ZooTrainStepResult } from './zoo-train-step.js';

export interface BenchOptions {
  /** Every registered variant, more timed runs and larger baselines. */
  full: boolean;
  /** Only webgpu on a hardware adapter against PyTorch CUDA: what a GPU machine's short lease is for. */
  gpuOnly: boolean;
  outDir: string;
}

/**
 * The variants compared by default: one per family; V2 and MobileNeXt at three widths (inverted residual and
 * sandglass at the same budget); V2's layout rebuilt from sandglass blocks; MobileNetV4's smallest conv model and
 * its attention hybrid (at their own inputs, 224 and 256).
 */
const QUICK_MODELS = [
  'mobilenetv1_100',
  'mobilenetv2_050',
  'mobilenetv2_100',
  'mobilenetv2_140',
  'mobilenetv2_100+sandglass',
  'mobilenetv3_large_100',
  'mobilenetv3_small_100',
  'mobilenext_050',
  'mobilenext_100',
  'mobilenext_140',
  'mobilenetv4_conv_small',
  'mobilenetv4_hybrid_medium',
];
/** What the slow backends (cpu; webgpu without a GPU) run. */
const SMALL_MODELS = ['mobilenetv3_small_100'];
/**
 * The batches a GPU's throughput and training step are measured and compared with PyTorch CUDA at; training
 * holds ~0.8 GB of tensors per 224×224 image at its peak (MobileNeXt 1.4), so 32 stays well inside a GPU.
 */
const GPU_BATCH = 256;
const GPU_TRAIN_BATCH = 32;
/** The small variant's training batch on the slow backends (cpu; webgpu without a GPU). */
const SLOW_TRAIN_BATCH = 4;
const CHILD_LIMIT_MS = 300_000;

/** What one backend runs: its inference figures came from a probe, the training plan follows from them. */
interface BackendPlan {
  backend: BackendName;
  threads?: number;
  info: BackendInfo;
  trainModels: string[];
  trainBatch: number;
  trainSteps: number;
  /** Extra training rows: a variant on the previous path and the engine at a batch the previous path fits. */
  beforeAfter?: { model: string; batch: number };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const exec = promisify(execFile);
const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));

/** Runs one measurement in a fresh process (wasm threads and GPU devices are fixed per process); returns its JSON line. */
async function inChild<T>(command: string, args: Record<string, string | number | undefined>, timeoutMs = 0): Promise<T> {
  const flags = Object.entries(args).flatMap(([k, v]) => (v === undefined ? [] : [`--${k}`, String(v)]));
  const child = exec(process.execPath, [CLI, command, ...flags], { maxBuffer: 1 << 24, timeout: timeoutMs });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

/** Why a child measurement gave no result: its last error line, or the time limit it ran past. */
function failure(err: unknown, timeoutMs: number): string {
  const e = err as { killed?: boolean; stderr?: string };
  if (e.killed) return `no result within ${timeoutMs / 1000} s`;
  return (String(e.stderr || err).trim().split('\n').at(-1) ?? String(err)).replace(/^bench failed: /, '');
}

const where = (p: { backend: string; threads?: number }) => `${p.backend}${p.threads ? ` (${p.threads} threads)` : ''}`;

/**
 * Inference of a backend that may be slow or absent: a small probe first; on a hardware GPU (or native
 * TensorFlow) every variant follows at the large batch. Returns undefined when the backend is not there.
 */
async function probeBackend(backend: BackendName, models: string[], runs: number) {
  log(`inference: ${SMALL_MODELS.join(', ')} on ${backend}`);
  let result: InferenceResult;
  try {
    result = await inChild<InferenceResult>('inference', { backend, models: SMALL_MODELS.join(','), runs: 3, batch: 4 }, CHILD_LIMIT_MS);
  } catch (err) {
    log(`  ${backend} unavailable: ${failure(err, CHILD_LIMIT_MS)}`);
    return undefined;
  }
  const info = result.backendInfo;
  const fast = info.gpu || backend === 'tensorflow';
  if (fast) {
    const batch = info.gpu ? GPU_BATCH : 32;
    log(`inference: ${models.length} variants on ${backend} (${info.adapter?.description ?? 'native'}), batch ${batch}`);
    try {
      result = await inChild<InferenceResult>('inference', { backend, models: models.join(','), runs, batch }, 2 * CHILD_LIMIT_MS);
    } catch (err) {
      log(`  every variant on ${backend}: ${failure(err, 2 * CHILD_LIMIT_MS)}; the report keeps the probe's figures`);
    }
  }
  const plan: BackendPlan = {
    backend,
    info,
    trainModels: fast ? models : SMALL_MODELS,
    trainBatch: info.gpu ? GPU_TRAIN_BATCH : SLOW_TRAIN_BATCH,
    trainSteps: fast ? 2 : 1,
  };
  return { result, plan };
}

async function trainEach(plan: BackendPlan): Promise<ZooTrainOutcome[]> {
  const runs: { spec: string; batch: number; path: TrainPath }[] = plan.trainModels.map((spec) => ({ spec, batch: plan.trainBatch, path: 'engine' }));
  if (plan.beforeAfter) {
    const { model: spec, batch } = plan.beforeAfter;
    runs.push({ spec, batch, path: 'previous' }, { spec, batch, path: 'engine' });
  }
  const outcomes: ZooTrainOutcome[] = [];
  for (const { spec, batch, path } of runs) {
    log(`train step: ${spec} on ${where(plan)}, batch ${batch}, ${path} path`);
    const [model, block] = spec.split('+') as [string, BlockFamily | undefined];
    const args = { backend: plan.backend, threads: plan.threads, model, block, batch, path, warmup: 1, steps: plan.trainSteps };
    outcomes.push(
      await inChild<ZooTrainStepResult>('zoo-train-step', args, CHILD_LIMIT_MS).catch((err: unknown) => ({
        backend: plan.backend,
        model: spec,
        unavailable: failure(err, CHILD_LIMIT_MS),
      })),
    );
  }
  return outcomes;
}

/** Seed 000's CIFAR MobileNetV1 training step on wasm and cpu, against tfjs' stock gradients and PyTorch. */
async function cifarTrainSteps(full: boolean, cores: number) {
  const steps = full ? 5 : 3;
  const configs: TrainStepConfig[] = [
    { backend: 'wasm', threads: cores, convolutions: 'ours', batch: 128, warmup: 1, steps },
    { backend: 'wasm', threads: cores, convolutions: 'ours', path: 'previous', batch: 128, warmup: 1, steps },
    { backend: 'wasm', threads: 1, convolutions: 'ours', batch: 128, warmup: 1, steps },
    { backend: 'cpu', convolutions: 'ours', batch: 128, warmup: full ? 1 : 0, steps: full ? 3 : 1 },
    { backend: 'cpu', convolutions: 'stock', batch: full ? 8 : 2, warmup: 0, steps: full ? 2 : 1 },
  ];
  const results: TrainStepResult[] = [];
  for (const c of configs) {
    log(`train step: ${c.convolutions} convolutions on ${where(c)}, batch ${c.batch}`);
    results.push(await inChild<TrainStepResult>('train-step', { ...c }));
  }
  log(`train step: PyTorch on the CPU (${cores} threads), batch 128`);
  return { results, pytorch: await pytorchTrainStep(128, full ? 10 : 5, cores) };
}

/** The whole comparison (or its GPU part), written as JSON, Markdown and two SVG charts. */
export async function runBench(options: BenchOptions): Promise<void> {
  const { full, gpuOnly } = options;
  const machine = machineInfo();
  const models = full ? [...listModels(), 'mobilenetv2_100+sandglass'] : QUICK_MODELS;
  const runs = full ? 30 : 15;
  // Batch 32 at 224×224 on wasm: the training engine's estimate turns block recomputation on where a variant
  // would not fit the 4 GB heap otherwise. The previous path (tfjs keeps every gradient of a step to its end)
  // peaks near 2 GB at batch 4: its before/after pair with the engine runs there.
  const trainBatch = 32;
  const beforeAfter = { model: 'mobilenetv2_100', batch: 4 };
  const inference: InferenceResult[] = [];
  const plans: BackendPlan[] = [];
  if (!gpuOnly) {
    log(`inference: ${models.length} variants on wasm (${machine.cores} threads)`);
    const wasm = await inChild<InferenceResult>('inference', { backend: 'wasm', threads: machine.cores, models: models.join(','), runs, batch: 32 });
    inference.push(wasm);
    plans.push({ backend: 'wasm', threads: machine.cores, info: wasm.backendInfo, trainModels: models, trainBatch, trainSteps: full ? 4 : 2, beforeAfter });
  }
  for (const backend of gpuOnly ? (['webgpu'] as const) : (['cpu', 'webgpu', 'tensorflow'] as const)) {
    const probed = await probeBackend(backend, models, runs);
    if (!probed) continue;
    inference.push(probed.result);
    plans.push(probed.plan);
    if (backend === 'webgpu') machine.gpu = probed.result.backendInfo.adapter ?? null;
  }
  const onGpu = plans.some((p) => p.info.gpu);
  if (gpuOnly && !onGpu) {
    throw new Error(`--gpu: no hardware WebGPU adapter here (${machine.gpu ? `only ${machine.gpu.description}, software` : 'webgpu unavailable'})`);
  }
  const baselines: BenchReport['baselines'] = {};
  if (!gpuOnly) {
    log(`inference: PyTorch on the CPU (${machine.cores} threads), the same variants`);
    baselines.pytorchInference = await pytorchInference(models, machine.cores, runs, 32);
    log(`inference: onnxruntime-node on the CPU (${machine.cores} threads), the same variants exported to ONNX`);
    baselines.onnxInference = await onnxInference(models, machine.cores, runs, 32);
  }
  let onnxExport: BenchReport['onnxExport'];
  if (!gpuOnly) {
    log(`inference: our ONNX export of each variant on onnxruntime-node (${machine.cores} threads), beside torchvision's export`);
    const args = { models: models.filter((m) => !m.includes('+')).join(','), threads: machine.cores, runs, batch: 32 };
    onnxExport = await inChild<OnnxExportInference>('onnx-export', args, CHILD_LIMIT_MS).catch((err: unknown) => ({ unavailable: failure(err, CHILD_LIMIT_MS) }));
  }
  if (onGpu) {
    log(`inference: PyTorch on CUDA, the same variants, batch ${GPU_BATCH}`);
    baselines.pytorchCudaInference = await pytorchInference(models, machine.cores, runs, GPU_BATCH, 'cuda');
    log(`train step: PyTorch on CUDA, the same variants, batch ${GPU_TRAIN_BATCH}`);
    baselines.pytorchCudaTraining = await pytorchTraining(models, machine.cores, GPU_TRAIN_BATCH, 2, 'cuda');
  }
  const zooTrainStep: ZooTrainOutcome[] = [];
  const report: BenchReport = { schema: 1, date: new Date().toISOString().slice(0, 10), machine, inference, zooTrainStep, baselines, ...(onnxExport && { onnxExport }) };
  const suffix = `${full ? '-full' : ''}${gpuOnly ? '-gpu' : ''}`;
  // A GPU machine is lent for minutes: what is measured so far is written before webgpu's training steps.
  if (gpuOnly) await writeReport(report, options.outDir, suffix);
  for (const plan of plans) zooTrainStep.push(...(await trainEach(plan)));
  if (!gpuOnly) {
    log(`train step: PyTorch on the CPU (${machine.cores} threads), the same variants, batch ${trainBatch}`);
    baselines.pytorchTraining = await pytorchTraining(models, machine.cores, trainBatch, full ? 4 : 2);
  }
  if (!gpuOnly) {
    const cifar = await cifarTrainSteps(full, machine.cores);
    report.trainStep = cifar.results;
    baselines.pytorch = cifar.pytorch;
    log("loader: an image folder of photo-sized JPEGs through seed 003's transforms, batch 32");
    const loader = await inChild<LoaderResult>('loader', { backend: 'wasm', images: full ? 384 : 192, batch: 32, prefetch: 2 });
    const measured = zooTrainStep.filter((t): t is ZooTrainStepResult => !('unavailable' in t) && t.backend === 'wasm');
    const v2Step = measured.find((t) => t.model === 'mobilenetv2_100' && !t.block) ?? measured[0];
    if (v2Step) report.loader = { ...loader, trainStep: v2Step, keepsUp: loader.imagesPerSecond >= v2Step.imagesPerSecond };
  }
  await writeReport(report, options.outDir, suffix);
}

export async function writeCharts(report: BenchReport, base: string): Promise<void> {
  await initBackend('cpu'); // the accuracy chart builds each model once to count its MACs
  await writeFile(`${base}-latency.svg`, await latencyChart(report));
  await writeFile(`${base}-accuracy.svg`, await accuracyChart());
}

async function writeReport(report: BenchReport, outDir: string, suffix: string): Promise<void> {
  validateReport(report);
  await mkdir(outDir, { recursive: true });
  const base = `${outDir}/${report.machine.host}-${report.date}${suffix}`;
  const markdown = formatReport(report);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.md`, markdown);
  await writeCharts(report, base);
  process.stdout.write(`${markdown}\nwrote ${base}.json, .md, -latency.svg and -accuracy.svg\n`);
}
