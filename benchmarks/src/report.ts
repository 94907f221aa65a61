import type { BackendInfo, BackendName } from '@mobilenets/ops';
import { type InferenceResult, isMeasured } from './inference.js';
import type { LoaderResult } from './loader-throughput.js';
import type { MachineInfo } from './machine.js';
import type { OnnxExportInference } from './onnx-export.js';
import type { OnnxInference } from './onnx-inference.js';
import { PUBLISHED_TOP1 } from './published.js';
import type { PytorchResult } from './pytorch.js';
import type { PytorchInference, PytorchTraining } from './pytorch-inference.js';
import { ratio } from './stats.js';
import type { TrainStepResult } from './train-step.js';
import type { ZooTrainStepResult } from './zoo-train-step.js';

type Unavailable = { unavailable: string };

/** A variant's training step on one backend, or why it gave no result. */
export type ZooTrainOutcome = ZooTrainStepResult | { backend: BackendName; model: string; unavailable: string };

export interface BenchReport {
  schema: 1;
  date: string;
  machine: MachineInfo;
  /** One entry per backend. */
  inference: InferenceResult[];
  /** A training step of each variant at its input size, on every backend that ran. */
  zooTrainStep: ZooTrainOutcome[];
  /** Seed 000's CIFAR MobileNetV1 step; absent from a GPU-only run, like the loader and the CPU baselines. */
  trainStep?: TrainStepResult[];
  /** Image-folder loading at 224×224 against the training step it must feed. */
  loader?: LoaderResult & { trainStep: ZooTrainStepResult; keepsUp: boolean };
  /** Our ONNX export of each variant on onnxruntime-node, beside torchvision's export (absent from a GPU-only run). */
  onnxExport?: OnnxExportInference | Unavailable;
  baselines: {
    pytorch?: PytorchResult | Unavailable;
    pytorchInference?: PytorchInference | Unavailable;
    onnxInference?: OnnxInference | Unavailable;
    pytorchTraining?: PytorchTraining | Unavailable;
    /** Measured only when a backend ran on a real GPU: what its figures are compared with. */
    pytorchCudaInference?: PytorchInference | Unavailable;
    pytorchCudaTraining?: PytorchTraining | Unavailable;
  };
}

const fmt = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));
const MB = 2 ** 20;
const measured = <T extends object>(x: T | Unavailable | undefined): T | null => (x === undefined || 'unavailable' in x ? null : x);
const whyMissing = (x: object | undefined) => (x && 'unavailable' in x ? String(x.unavailable) : 'not run');
const software = (info: BackendInfo) => info.adapter?.software === true;

/** A variant's name, with its input size where that is not 224×224. */
const named = (model: string, inputSize: number) => (inputSize === 224 ? model : `${model} (${inputSize}×${inputSize})`);

/** "wasm ×2 threads", "webgpu (NVIDIA H100)", "webgpu (Mesa …, software: not compared)". */
function backendLabel(info: BackendInfo): string {
  const threads = info.threads > 1 ? ` ×${info.threads} threads` : '';
  const adapter = info.adapter ? ` (${info.adapter.description || info.adapter.device}${software(info) ? ', software: not compared' : ''})` : '';
  return `${info.name}${threads}${adapter}`;
}

/** The baselines a backend is compared with: PyTorch on CUDA for a GPU, the CPU ones otherwise, none for software. */
function inferenceBaselines(r: BenchReport, info: BackendInfo) {
  if (software(info)) return [];
  if (info.gpu) return [{ label: 'PyTorch CUDA', rows: measured(r.baselines.pytorchCudaInference)?.models ?? null }];
  const ours = measured(r.onnxExport);
  return [
    { label: 'PyTorch', rows: measured(r.baselines.pytorchInference)?.models ?? null },
    { label: 'ORT', rows: measured(r.baselines.onnxInference)?.models ?? null },
    // Our own export on onnxruntime: a column in the runs that measured it.
    ...(r.onnxExport ? [{ label: 'onnxruntime', rows: ours ? Object.fromEntries(Object.entries(ours.models).map(([m, x]) => [m, x.ours])) : null }] : []),
  ];
}

function inferenceNotes(r: BenchReport): string {
  const notes: string[] = [];
  const torch = r.baselines.pytorchInference;
  const ort = r.baselines.onnxInference;
  const cuda = r.baselines.pytorchCudaInference;
  const torchCpu = measured(torch);
  const ortCpu = measured(ort);
  const torchGpu = measured(cuda);
  if (torch) notes.push(torchCpu ? `PyTorch ${torchCpu.torch} eager on the CPU, ${torchCpu.threads} threads` : `PyTorch unavailable: ${whyMissing(torch)}`);
  if (ort) notes.push(ortCpu ? `onnxruntime-node ${ortCpu.onnxruntime} (ORT) on the CPU, ${ortCpu.threads} threads, the same nets exported from PyTorch` : `onnxruntime-node unavailable: ${whyMissing(ort)}`);
  const ours = measured(r.onnxExport);
  if (r.onnxExport) notes.push(ours ? `onnxruntime: our own ONNX export of each variant (\`@mobilenets/infer\`'s exportOnnx) on onnxruntime-node ${ours.onnxruntime}, ${ours.threads} threads` : `our ONNX export unavailable: ${whyMissing(r.onnxExport)}`);
  if (r.inference.some((res) => res.backendInfo.gpu)) {
    notes.push(torchGpu ? `GPU rows: PyTorch ${torchGpu.torch} eager on ${torchGpu.device}` : `PyTorch CUDA unavailable: ${whyMissing(cuda)}`);
  }
  return `${notes.join('; ')}. Inputs are 224×224 unless a row says otherwise; each table's throughput batch is in its header; × is a speed ratio (above 1: faster).`;
}

/** Inference tables, one per backend, each figure beside its same-run baselines. */
function inferenceSection(r: BenchReport): string {
  const sections = r.inference.map((res) => {
    const baselines = inferenceBaselines(r, res.backendInfo);
    const rows = res.rows.map((row) => {
      if (!isMeasured(row)) return `| ${row.model} | unavailable: ${row.unavailable} |`;
      const base = baselines.map((b) => b.rows?.[row.model]);
      const latency = base.flatMap((t) => [t ? t.latency.medianMs.toFixed(1) : '—', fmt(t ? ratio(t.latency.medianMs, row.latency.medianMs) : null)]);
      const throughput = base.map((t) => fmt(t ? ratio(row.throughput.imagesPerSecond, t.throughput.imagesPerSecond) : null));
      return `| ${[
        named(row.model, row.inputSize),
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
      `### ${backendLabel(res.backendInfo)}`,
      '',
      `| model | params | MACs | warm-up ms | batch 1 ms (median / p90) | ${labels.map((l) => `${l} ms | × ${l} | `).join('')}img/s at batch ${res.config.batch} | ${labels.map((l) => `× ${l} | `).join('')}peak MB (tfjs / RSS) |`,
      `|---|${'---:|'.repeat(6 + 3 * labels.length)}`,
      ...rows,
      '',
    ].join('\n');
  });
  return ['## Inference, 1000 classes', '', inferenceNotes(r), '', ...sections].join('\n');
}

/**
 * Our ONNX export against torchvision's on onnxruntime-node (both timed round-robin in one process), with tfjs on
 * wasm from the inference table beside them: × is each path's speed relative to torchvision's export.
 */
function onnxExportSection(r: BenchReport): string {
  const ours = measured(r.onnxExport);
  if (!ours) return r.onnxExport ? `## Our ONNX export on onnxruntime-node\n\nUnavailable: ${whyMissing(r.onnxExport)}\n` : '';
  const wasm = r.inference.find((res) => res.config.backend === 'wasm');
  const tfjs = new Map((wasm?.rows ?? []).filter(isMeasured).map((row) => [row.model, row]));
  const rows = Object.entries(ours.models)
    .filter(([, m]) => m.torchvision)
    .map(([model, m]) => {
      const t = m.torchvision!;
      const w = tfjs.get(model);
      return `| ${[
        model,
        (m.bytes / MB).toFixed(1),
        m.ours.latency.medianMs.toFixed(1),
        t.latency.medianMs.toFixed(1),
        fmt(ratio(t.latency.medianMs, m.ours.latency.medianMs)),
        w ? w.latency.medianMs.toFixed(1) : '—',
        fmt(w ? ratio(t.latency.medianMs, w.latency.medianMs) : null),
        m.ours.throughput.imagesPerSecond.toFixed(1),
        t.throughput.imagesPerSecond.toFixed(1),
        fmt(ratio(m.ours.throughput.imagesPerSecond, t.throughput.imagesPerSecond)),
        w ? w.throughput.imagesPerSecond.toFixed(1) : '—',
        fmt(w ? ratio(w.throughput.imagesPerSecond, t.throughput.imagesPerSecond) : null),
      ].join(' | ')} |`;
    });
  const batch = Object.values(ours.models)[0]?.ours.throughput.batch ?? 32;
  const wasmLabel = wasm ? backendLabel(wasm.backendInfo) : 'wasm';
  return [
    '## Our ONNX export against torchvision\'s, on onnxruntime-node',
    '',
    `onnxruntime-node ${ours.onnxruntime}, ${ours.threads} threads: each variant exported by \`@mobilenets/infer\` (BatchNorm folded) and by`,
    "torchvision (`torch.onnx.export`, opset 13), the two sessions timed round-robin in one process; tfjs on",
    `${wasmLabel} from the inference table (its own process). × is the speed relative to torchvision's export (above 1: faster).`,
    '',
    `| model | our ONNX MB | ours batch 1 ms | torchvision's ms | × | tfjs ms | × | ours img/s at batch ${batch} | torchvision's img/s | × | tfjs img/s | × |`,
    `|---|${'---:|'.repeat(11)}`,
    ...rows,
    '',
  ].join('\n');
}

/** The same-budget pairs of the run: V2 and MobileNeXt at each width both ran at, and V2 against its sandglass layout. */
function blockPairs(models: Set<string>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const model of models) {
    const width = /^mobilenetv2_(\d+)$/.exec(model)?.[1];
    if (width && models.has(`mobilenext_${width}`)) pairs.push([model, `mobilenext_${width}`]);
    if (width && models.has(`${model}+sandglass`)) pairs.push([model, `${model}+sandglass`]);
  }
  return pairs;
}

const top1 = (model: string) => (PUBLISHED_TOP1[model] === undefined ? '—' : PUBLISHED_TOP1[model]!.toFixed(1));

/** Inverted residual against sandglass blocks, per backend: size, published accuracy, and speed (× above 1: sandglass faster). */
function blockSection(r: BenchReport): string {
  const tables = r.inference.flatMap((res) => {
    const rows = new Map(res.rows.filter(isMeasured).map((row) => [row.model, row]));
    const pairs = blockPairs(new Set(rows.keys()));
    if (pairs.length === 0 || software(res.backendInfo)) return [];
    const training = new Map(
      r.zooTrainStep
        .filter((t): t is ZooTrainStepResult => !('unavailable' in t) && t.backend === res.config.backend)
        .map((t) => [t.block ? `${t.model}+${t.block}` : t.model, t]),
    );
    const lines = pairs.map(([ir, sg]) => {
      const [a, b] = [rows.get(ir)!, rows.get(sg)!];
      const [ta, tb] = [training.get(ir), training.get(sg)];
      return `| ${[
        ir,
        sg,
        `${(a.params / 1e6).toFixed(2)} / ${(b.params / 1e6).toFixed(2)} M`,
        `${(a.macs / 1e6).toFixed(0)} / ${(b.macs / 1e6).toFixed(0)} M`,
        `${top1(ir)} / ${top1(sg)}`,
        `${a.latency.medianMs.toFixed(1)} / ${b.latency.medianMs.toFixed(1)}`,
        fmt(ratio(a.latency.medianMs, b.latency.medianMs)),
        `${a.throughput.imagesPerSecond.toFixed(1)} / ${b.throughput.imagesPerSecond.toFixed(1)}`,
        fmt(ratio(b.throughput.imagesPerSecond, a.throughput.imagesPerSecond)),
        ta && tb ? `${ta.imagesPerSecond.toFixed(1)} / ${tb.imagesPerSecond.toFixed(1)}` : '—',
        fmt(ta && tb ? ratio(tb.imagesPerSecond, ta.imagesPerSecond) : null),
      ].join(' | ')} |`;
    });
    const batch = res.config.batch;
    return [
      `### ${backendLabel(res.backendInfo)}`,
      '',
      `| inverted residual | sandglass | params | MACs | published top-1 % | batch 1 ms | × | img/s at batch ${batch} | × | training img/s | × |`,
      `|---|---|${'---:|'.repeat(9)}`,
      ...lines,
      '',
    ];
  });
  if (tables.length === 0) return '';
  return [
    '## Inverted residual vs sandglass',
    '',
    'MobileNetV2 against MobileNeXt at the same width multiplier (about the same params and MACs), and against',
    "V2's own layout built from sandglass blocks. Each cell is inverted residual / sandglass; × is the sandglass",
    "net's speed relative to the inverted-residual one (above 1: sandglass faster). Training figures come from the",
    'training tables below (same backend).',
    '',
    ...tables,
  ].join('\n');
}

/** Adam steps of each variant, one table per backend, beside PyTorch's at the same batch. */
function zooTrainSection(r: BenchReport): string {
  const groups = new Map<string, ZooTrainOutcome[]>();
  for (const t of r.zooTrainStep) groups.set(t.backend, [...(groups.get(t.backend) ?? []), t]);
  const tables = [...groups.values()].flatMap((steps) => {
    const info = steps.find((t): t is ZooTrainStepResult => !('unavailable' in t))?.backendInfo;
    const baseline = !info || software(info) ? undefined : info.gpu ? r.baselines.pytorchCudaTraining : r.baselines.pytorchTraining;
    const torch = measured(baseline);
    const rows = steps.map((t) => {
      if ('unavailable' in t) return `| ${t.model} | unavailable: ${t.unavailable} |`;
      const name = t.block ? `${t.model}+${t.block}` : t.model;
      const base = torch?.models[name];
      const same = base?.batch === t.batch ? base : undefined;
      const ms = t.stepMs.reduce((a, b) => a + b, 0) / t.stepMs.length;
      const perImage = t.rssGrowthBytes === undefined ? null : t.rssGrowthBytes / t.batch / MB;
      const torchPerImage = same?.rssGrowthBytes === undefined ? null : same.rssGrowthBytes / same.batch / MB;
      const recomputed = t.recomputed?.length ? `, ${t.recomputed.length} blocks recomputed` : '';
      return `| ${[
        `${named(name, t.inputSize)}${t.path === 'previous' ? ' (previous path)' : ''}${recomputed}`,
        t.batch,
        t.warmupMs[0]?.toFixed(0) ?? '—',
        ms.toFixed(0),
        t.imagesPerSecond.toFixed(1),
        same ? same.imagesPerSecond.toFixed(1) : '—',
        fmt(same ? ratio(t.imagesPerSecond, same.imagesPerSecond) : null),
        `${fmt(perImage, 0)} / ${fmt(torchPerImage, 0)}`,
        fmt(perImage !== null && torchPerImage !== null ? perImage / torchPerImage : null),
        [t.tfPeakBytes, t.heapBytes ?? null, t.peakRssBytes].map((b) => (b === null ? '—' : (b / MB).toFixed(0))).join(' / '),
      ].join(' | ')} |`;
    });
    const note = torch
      ? `Against PyTorch ${torch.torch} on ${torch.device === 'cpu' ? `the CPU, ${torch.threads} threads` : torch.device}, same batch.`
      : info && software(info) ? 'Software adapter: not compared.' : `PyTorch unavailable: ${whyMissing(baseline)}`;
    return [
      `### ${info ? backendLabel(info) : steps[0]!.backend}`,
      '',
      note,
      '',
      '| model | batch | warm-up ms | ms / step | img/s | PyTorch img/s | × PyTorch | MB per image (ours / PyTorch) | × PyTorch memory | peak MB (tfjs / wasm heap / RSS) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
    ];
  });
  return [
    '## Training step, Adam, 1000 classes',
    '',
    'Inputs are 224×224 unless a row says otherwise. Memory per image: the growth of the resident set over the steps',
    "(peak RSS after them minus RSS before), divided by the batch, for us as for PyTorch (its baseline runs each net in",
    'a process of its own); × PyTorch memory is below 1 when we use less. The previous path is tfjs\' own',
    "`optimizer.minimize` with @mobilenets/ops' SIMD kernels off, as training ran before the training engine.",
    '',
    ...tables,
  ].join('\n');
}

/** img/s per training configuration with its ratio to PyTorch and to stock tfjs-cpu. */
function trainStepSection(r: BenchReport, trainStep: TrainStepResult[]): string {
  const torch = measured(r.baselines.pytorch);
  const stock = trainStep.find((t) => t.backend === 'cpu' && t.convolutions === 'stock') ?? null;
  const rows = trainStep.map((t) => {
    const threads = t.backendInfo.threads;
    const ours = t.path === 'previous' ? '@mobilenets/ops, previous path' : '@mobilenets/ops';
    const name = `${t.convolutions === 'ours' ? ours : 'tfjs stock'} on ${t.backend}${threads > 1 ? ` ×${threads} threads` : ''}`;
    return `| ${name} | ${t.batch} | ${t.medianMs.toFixed(0)} | ${fmt(t.imagesPerSecond, 1)} | ${fmt(ratio(t.imagesPerSecond, torch?.imagesPerSecond))} | ${fmt(ratio(t.imagesPerSecond, stock?.imagesPerSecond), 1)} | ${t.noLeak === null ? '—' : t.noLeak ? 'yes' : 'NO'} |`;
  });
  if (torch) {
    rows.push(`| PyTorch ${torch.torch} CPU ×${torch.threads} threads | ${torch.batch} | ${torch.medianMs.toFixed(0)} | ${fmt(torch.imagesPerSecond, 1)} | 1.00 | ${fmt(ratio(torch.imagesPerSecond, stock?.imagesPerSecond), 1)} | |`);
  }
  const m = r.machine;
  return [
    `## Training step, seed-000 CIFAR MobileNetV1 (${trainStep[0]?.params.toLocaleString('en-US') ?? '?'} params), Adam`,
    '',
    `${m.cpuModel}, ${m.cores} cores, Node ${m.node}, ${r.date}. Median of the timed steps after warm-up; ratios against baselines measured in the same run.`,
    '',
    '| configuration | batch | ms / step | img/s | × PyTorch | × stock tfjs-cpu | no leak |',
    '|---|---:|---:|---:|---:|---:|:-:|',
    ...rows,
    '',
    torch ? '' : `PyTorch baseline unavailable: ${whyMissing(r.baselines.pytorch)}\n`,
  ].join('\n');
}

function loaderSection(l: NonNullable<BenchReport['loader']>): string {
  return [
    '## Image-folder loader, seed 003 transforms (RandomResizedCrop 224, flip, normalize)',
    '',
    `${l.images} JPEGs of ${l.imageSize.join('×')}, batch ${l.batch}, prefetch ${l.prefetch}: **${l.imagesPerSecond.toFixed(1)} img/s** (median batch).`,
    `A ${l.trainStep.model} training step at 224×224 on wasm (×${l.trainStep.backendInfo.threads} threads, batch ${l.trainStep.batch}) consumes ${l.trainStep.imagesPerSecond.toFixed(1)} img/s:`,
    `the loader ${l.keepsUp ? 'keeps up' : 'does NOT keep up'} (${(l.imagesPerSecond / l.trainStep.imagesPerSecond).toFixed(1)}× the training rate).`,
    '',
  ].join('\n');
}

function machineLine(m: MachineInfo): string {
  const gpu = m.gpu ? `${m.gpu.description || m.gpu.device}${m.gpu.software ? ' (software)' : ''}` : 'none found';
  return `Machine: ${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB; WebGPU adapter: ${gpu}; Node ${m.node}; ${m.platform}.\n`;
}

/** The report in Markdown: inference per backend, the two block families, training steps, the loader. */
export function formatReport(r: BenchReport): string {
  return [
    machineLine(r.machine),
    inferenceSection(r),
    onnxExportSection(r),
    blockSection(r),
    zooTrainSection(r),
    r.trainStep ? trainStepSection(r, r.trainStep) : '',
    r.loader ? loaderSection(r.loader) : '',
  ]
    .filter((s) => s !== '')
    .join('\n');
}
