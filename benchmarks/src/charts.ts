import { listModels, summarize } from '@mobilenets/zoo';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { isMeasured } from './inference.js';
import { PUBLISHED_TOP1 } from './published.js';
import type { BenchReport } from './report.js';

async function render(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

const FAMILIES: Record<string, string> = { mobilenetv1: 'MobileNetV1', mobilenetv2: 'MobileNetV2', mobilenext: 'MobileNeXt', mobilenetv4: 'MobileNetV4' };
/** The line a variant belongs to: its family, V3 split into Large and Small. */
function family(model: string): string {
  const [name, size] = model.split('_');
  return name === 'mobilenetv3' ? `MobileNetV3-${size === 'large' ? 'Large' : 'Small'}` : (FAMILIES[name!] ?? name!);
}

/** A point of the latency chart: one variant on one runtime. */
export interface LatencyPoint {
  model: string;
  macs: number;
  latency: number;
  series: string;
}

/**
 * Every batch-1 latency the report's tables compare: each tfjs backend (a software adapter is labelled so) and
 * every baseline that ran — PyTorch on the CPU, torchvision's ONNX export and ours on onnxruntime-node, PyTorch
 * on CUDA — for the variants the backends ran.
 */
export function latencyPoints(r: BenchReport): LatencyPoint[] {
  const values: LatencyPoint[] = r.inference.flatMap((res) =>
    res.rows.filter(isMeasured).map((row) => ({
      model: row.model,
      macs: row.macs / 1e6,
      latency: row.latency.medianMs,
      series: `tfjs ${res.backendInfo.name}${res.backendInfo.adapter?.software ? ' (software)' : ''}`,
    })),
  );
  const macs = new Map(values.map((v) => [v.model, v.macs]));
  const ours = r.onnxExport && !('unavailable' in r.onnxExport) ? r.onnxExport : undefined;
  const baselines: [Record<string, { latency: { medianMs: number } }> | undefined, string][] = [
    [r.baselines.pytorchInference && !('unavailable' in r.baselines.pytorchInference) ? r.baselines.pytorchInference.models : undefined, 'PyTorch CPU'],
    [r.baselines.onnxInference && !('unavailable' in r.baselines.onnxInference) ? r.baselines.onnxInference.models : undefined, "onnxruntime, torchvision's export"],
    [ours ? Object.fromEntries(Object.entries(ours.models).map(([m, x]) => [m, x.ours])) : undefined, 'onnxruntime, our export'],
    [r.baselines.pytorchCudaInference && !('unavailable' in r.baselines.pytorchCudaInference) ? r.baselines.pytorchCudaInference.models : undefined, 'PyTorch CUDA'],
  ];
  for (const [models, series] of baselines) {
    for (const [model, t] of Object.entries(models ?? {})) {
      const m = macs.get(model);
      if (m !== undefined) values.push({ model, macs: m, latency: t.latency.medianMs, series });
    }
  }
  return values;
}

/**
 * Batch-1 latency of every variant, one line per runtime. The variants stand on the x axis in order of MACs,
 * named there at an angle (points of different runtimes share a column instead of a label each, which overlapped).
 */
export function latencyChart(r: BenchReport): Promise<string> {
  const values = latencyPoints(r).map((v) => ({ ...v, variant: `${v.model} (${v.macs.toFixed(0)} M)` }));
  const variants = [...new Map(values.map((v) => [v.variant, v.macs])).entries()].sort((a, b) => a[1] - b[1]).map(([v]) => v);
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Batch-1 latency (${r.machine.cpuModel}, ${r.date})`,
    width: Math.max(360, 44 * variants.length),
    height: 320,
    config: { legend: { orient: 'bottom', columns: 2, labelLimit: 0 } },
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 60 } },
    encoding: {
      x: { field: 'variant', type: 'ordinal', sort: variants, title: 'variant (MACs), in order of MACs', axis: { labelAngle: -35, labelLimit: 0 } },
      y: { field: 'latency', type: 'quantitative', title: 'median latency (ms, log scale)', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  });
}

/** A variant's width multiplier from its name (`mobilenetv2_140` → 1.4). */
const widthOf = (model: string) => {
  const w = Number(model.split('_').at(-1)) / 100;
  return `×${w.toFixed(Math.round(w * 100) % 10 === 0 ? 1 : 2)}`;
};

/**
 * Published top-1 against MACs for every registered variant that has one: one panel per family on shared axes,
 * each point labelled with its width multiplier (names beside points of several families overlapped).
 */
export function accuracyChart(): Promise<string> {
  const values = listModels()
    .filter((m) => PUBLISHED_TOP1[m] !== undefined)
    .map((model) => ({ model, width: widthOf(model), family: family(model), macs: summarize(model).totals.macs / 1e6, top1: PUBLISHED_TOP1[model]! }));
  const x = { field: 'macs', type: 'quantitative', title: 'MACs (M)' } as const;
  const y = { field: 'top1', type: 'quantitative', title: 'top-1 (%)', scale: { zero: false } } as const;
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Published ImageNet top-1 vs MACs (224×224), labelled by width multiplier',
    data: { values },
    facet: { field: 'family', type: 'nominal', title: null },
    columns: 3,
    spec: {
      width: 220,
      height: 170,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x, y, color: { field: 'family', type: 'nominal', legend: null }, order: { field: 'macs' } } },
        { mark: { type: 'text', dy: -9, fontSize: 10 }, encoding: { x, y, text: { field: 'width' } } },
      ],
    },
  });
}
