import type { MachineInfo } from './machine.js';
import type { PytorchResult } from './pytorch.js';
import { ratio } from './stats.js';
import type { LoaderResult } from './loader-throughput.js';
import type { TrainStepResult } from './train-step.js';
import type { ZooTrainStepResult } from './zoo-train-step.js';

export interface BenchReport {
  schema: 1;
  date: string;
  machine: MachineInfo;
  trainStep: TrainStepResult[];
  /** Image-folder loading at 224×224 against the training step it must feed. */
  loader: LoaderResult & { trainStep: ZooTrainStepResult; keepsUp: boolean };
  baselines: { pytorch: PytorchResult | { unavailable: string } };
}

const fmt = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));

/** The Markdown table: img/s per configuration with its ratio to PyTorch and to stock tfjs-cpu. */
export function formatReport(r: BenchReport): string {
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
    loaderSection(r.loader),
  ].join('\n');
}

function loaderSection(l: BenchReport['loader']): string {
  return [
    '## Image-folder loader, seed 003 transforms (RandomResizedCrop 224, flip, normalize)',
    '',
    `${l.images} JPEGs of ${l.imageSize.join('×')}, batch ${l.batch}, prefetch ${l.prefetch}: **${l.imagesPerSecond.toFixed(1)} img/s** (median batch).`,
    `A mobilenetv2_100 training step at 224×224 on wasm (×${l.trainStep.backendInfo.threads} threads, batch ${l.trainStep.batch}) consumes ${l.trainStep.imagesPerSecond.toFixed(1)} img/s:`,
    `the loader ${l.keepsUp ? 'keeps up' : 'does NOT keep up'} (${(l.imagesPerSecond / l.trainStep.imagesPerSecond).toFixed(1)}× the training rate).`,
    '',
  ].join('\n');
}
