import type { MachineInfo } from './machine.js';
import type { PytorchResult } from './pytorch.js';
import { ratio } from './stats.js';
import type { InferenceResult } from './inference.js';
import type { LoaderResult } from './loader-throughput.js';
import type { OnnxInference } from './onnx-inference.js';
import type { PytorchInference, PytorchInferenceRow, PytorchTraining } from './pytorch-inference.js';
import type { TrainStepResult } from './train-step.js';
import type { ZooTrainStepResult } from './zoo-train-step.js';

export interface BenchReport {
  schema: 1;
  date: string;
  machine: MachineInfo;
  /** One entry per backend. */
  inference: InferenceResult[];
  /** A training step of each compared variant at 224×224 on wasm (or why it gave no result). */
  zooTrainStep: (ZooTrainStepResult | { model: string; unavailable: string })[];
  trainStep: TrainStepResult[];
  /** Image-folder loading at 224×224 against the training step it must feed. */
  loader: LoaderResult & { trainStep: ZooTrainStepResult; keepsUp: boolean };
  baselines: {
    pytorch: PytorchResult | { unavailable: string };
    pytorchInference: PytorchInference | { unavailable: string };
    onnxInference: OnnxInference | { unavailable: string };
    pytorchTraining: PytorchTraining | { unavailable: string };
    /** Measured only when a backend ran on a real GPU: what its figures are compared with. */
    pytorchCudaInference?: PytorchInference | { unavailable: string };
  };
}

const fmt = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));

const MB = 2 ** 20;

/** Inference tables, one per backend; speed ratios (≥ 1: faster than the baseline) only for real hardware. */
function inferenceSection(r: BenchReport): string {
  const cpuBaselines: { label: string; rows: Record<string, PytorchInferenceRow> | null; note: string }[] = [
    {
      label: 'PyTorch',
      rows: 'models' in r.baselines.pytorchInference ? r.baselines.pytorchInference.models : null,
      note: 'models' in r.baselines.pytorchInference
        ? `PyTorch ${r.baselines.pytorchInference.torch} eager on the CPU, ${r.baselines.pytorchInference.threads} threads`
        : `PyTorch unavailable: ${r.baselines.pytorchInference.unavailable}`,
    },
    {
      label: 'ORT',
      rows: 'models' in r.baselines.onnxInference ? r.baselines.onnxInference.models : null,
      note: 'models' in r.baselines.onnxInference
        ? `onnxruntime-node ${r.baselines.onnxInference.onnxruntime} (ORT) on the CPU, ${r.baselines.onnxInference.threads} threads, the same nets exported from PyTorch`
        : `onnxruntime-node unavailable: ${r.baselines.onnxInference.unavailable}`,
    },
  ];
  const cuda = r.baselines.pytorchCudaInference;
  const gpuBaselines = [
    {
      label: 'PyTorch CUDA',
      rows: cuda && 'models' in cuda ? cuda.models : null,
      note: cuda && 'models' in cuda ? `PyTorch ${cuda.torch} eager on ${cuda.device}` : `PyTorch CUDA unavailable: ${cuda && 'unavailable' in cuda ? cuda.unavailable : 'not run'}`,
    },
  ];
  const sections = r.inference.map((res) => {
    const info = res.backendInfo;
    const software = info.adapter?.software === true;
    const where = `${info.name}${info.threads > 1 ? ` ×${info.threads} threads` : ''}${info.adapter ? ` (${info.adapter.description}${software ? ', software: not compared' : ''})` : ''}`;
    // A GPU is compared with PyTorch on CUDA; everything else with the CPU baselines.
    const baselines = info.gpu ? gpuBaselines : cpuBaselines;
    const rows = res.rows.map((row) => {
      const base = baselines.map((b) => (software ? undefined : b.rows?.[row.model]));
      const latency = base.flatMap((t) => [t ? t.latency.medianMs.toFixed(1) : '—', fmt(t ? ratio(t.latency.medianMs, row.latency.medianMs) : null)]);
      const throughput = base.map((t) => fmt(t ? ratio(row.throughput.imagesPerSecond, t.throughput.imagesPerSecond) : null));
      return `| ${[
        row.model,
        `${(row.params / 1e6).toFixed(2)} M`,
        `${(row.macs / 1e6).toFixed(0)} M`,
        row.warmupMs.toFixed(0),
        `${row.latency.medianMs.toFixed(1)} / ${row.latency.p90Ms.toFixed(1)}`,
        ...latency,
        row.throughput.imagesPerSecond.toFixed(1),
        ...throughput,
        `${(row.tfPeakBytes / MB).toFixed(0)} / ${(row.peakRssBytes / MB).toFixed(0)}`,
      ].join(' | ')} |`;
    });
    const labels = baselines.map((b) => b.label);
    return [
      `### ${where}`,
      '',
      `| model | params | MACs | warm-up ms | batch 1 ms (median / p90) | ${labels.map((l) => `${l} ms | × ${l}`).join(' | ')} | img/s at batch ${res.config.batch} | ${labels.map((l) => `× ${l}`).join(' | ')} | peak MB (tfjs / RSS) |`,
      `|---|${'---:|'.repeat(6 + 3 * labels.length)}`,
      ...rows,
      '',
    ].join('\n');
  });
  const gpu = r.inference.find((res) => res.backendInfo.gpu);
  const gpuNote = gpu ? `; GPU rows: ${gpuBaselines[0]!.note}, throughput at batch ${gpu.config.batch}` : '';
  const notes = `${cpuBaselines.map((b) => b.note).join('; ')}; throughput at batch 32${gpuNote}. × is a speed ratio (above 1: faster).`;
  return ['## Inference, 224×224, 1000 classes', '', notes, '', ...sections].join('\n');
}

/** The report in Markdown: inference per backend, training steps, the loader, each with its same-run baselines. */
export function formatReport(r: BenchReport): string {
  return [inferenceSection(r), zooTrainSection(r), trainStepSection(r), loaderSection(r.loader)].join('\n');
}

/** Adam steps of each variant at 224×224 on wasm beside PyTorch's. */
function zooTrainSection(r: BenchReport): string {
  const torch = 'models' in r.baselines.pytorchTraining ? r.baselines.pytorchTraining : null;
  const rows = r.zooTrainStep.map((t) => {
    if ('unavailable' in t) return `| ${t.model} | — | — | — | — | — | — | (${t.unavailable}) |`;
    const name = t.block ? `${t.model}+${t.block}` : t.model;
    const base = torch?.models[name];
    const ms = t.stepMs.reduce((a, b) => a + b, 0) / t.stepMs.length;
    return `| ${name} | ${t.batch} | ${t.warmupMs[0]?.toFixed(0) ?? '—'} | ${ms.toFixed(0)} | ${t.imagesPerSecond.toFixed(1)} | ${base ? base.imagesPerSecond.toFixed(1) : '—'} | ${fmt(base ? ratio(t.imagesPerSecond, base.imagesPerSecond) : null)} | |`;
  });
  const measured = r.zooTrainStep.find((t): t is ZooTrainStepResult => !('unavailable' in t));
  const note = torch ? `PyTorch ${torch.torch}, ${torch.threads} threads.` : `PyTorch unavailable: ${(r.baselines.pytorchTraining as { unavailable: string }).unavailable}`;
  return [
    `## Training step, 224×224, Adam, on wasm ×${measured?.backendInfo.threads ?? 1} threads`,
    '',
    note,
    '',
    '| model | batch | warm-up ms | ms / step | img/s | PyTorch img/s | × PyTorch | |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
  ].join('\n');
}

/** img/s per training configuration with its ratio to PyTorch and to stock tfjs-cpu. */
function trainStepSection(r: BenchReport): string {
  const torch = 'imagesPerSecond' in r.baselines.pytorch ? r.baselines.pytorch : null;
  const stock = r.trainStep.find((t) => t.backend === 'cpu' && t.convolutions === 'stock') ?? null;
  const rows = r.trainStep.map((t) => {
    const threads = t.backendInfo.threads;
    const name = `${t.convolutions === 'ours' ? '@mobilenets/ops' : 'tfjs stock'} on ${t.backend}${threads > 1 ? ` ×${threads} threads` : ''}`;
    return `| ${name} | ${t.batch} | ${t.medianMs.toFixed(0)} | ${fmt(t.imagesPerSecond, 1)} | ${fmt(ratio(t.imagesPerSecond, torch?.imagesPerSecond))} | ${fmt(ratio(t.imagesPerSecond, stock?.imagesPerSecond), 1)} | ${t.noLeak === null ? '—' : t.noLeak ? 'yes' : 'NO'} |`;
  });
  if (torch) {
    rows.push(`| PyTorch ${torch.torch} CPU ×${torch.threads} threads | ${torch.batch} | ${torch.medianMs.toFixed(0)} | ${fmt(torch.imagesPerSecond, 1)} | 1.00 | ${fmt(ratio(torch.imagesPerSecond, stock?.imagesPerSecond), 1)} | |`);
  }
  const m = r.machine;
  return [
    `## Training step, seed-000 CIFAR MobileNetV1 (${r.trainStep[0]?.params.toLocaleString('en-US') ?? '?'} params), Adam`,
    '',
    `${m.cpuModel}, ${m.cores} cores, Node ${m.node}, ${r.date}. Median of the timed steps after warm-up; ratios against baselines measured in the same run.`,
    '',
    '| configuration | batch | ms / step | img/s | × PyTorch | × stock tfjs-cpu | no leak |',
    '|---|---:|---:|---:|---:|---:|:-:|',
    ...rows,
    '',
    torch ? '' : `PyTorch baseline unavailable: ${(r.baselines.pytorch as { unavailable: string }).unavailable}\n`,
  ].join('\n');
}

function loaderSection(l: BenchReport['loader']): string {
  return [
    '## Image-folder loader, seed 003 transforms (RandomResizedCrop 224, flip, normalize)',
    '',
    `${l.images} JPEGs of ${l.imageSize.join('×')}, batch ${l.batch}, prefetch ${l.prefetch}: **${l.imagesPerSecond.toFixed(1)} img/s** (median batch).`,
    `A ${l.trainStep.model} training step at 224×224 on wasm (×${l.trainStep.backendInfo.threads} threads, batch ${l.trainStep.batch}) consumes ${l.trainStep.imagesPerSecond.toFixed(1)} img/s:`,
    `the loader ${l.keepsUp ? 'keeps up' : 'does NOT keep up'} (${(l.imagesPerSecond / l.trainStep.imagesPerSecond).toFixed(1)}× the training rate).`,
    '',
  ].join('\n');
}
