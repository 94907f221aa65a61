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
const LEGEND_BELOW = { legend: { orient: 'bottom' as const } };

/** Batch-1 latency against MACs, one colour per backend (a software adapter is labelled so). */
export function latencyChart(r: BenchReport): Promise<string> {
  const values = r.inference.flatMap((res) =>
    res.rows.filter(isMeasured).map((row) => ({
      model: row.model,
      macs: row.macs / 1e6,
      latency: row.latency.medianMs,
      backend: `${res.backendInfo.name}${res.backendInfo.adapter?.software ? ' (software)' : ''}`,
    })),
  );
  const macs = new Map(values.map((v) => [v.model, v.macs]));
  for (const [baseline, label] of [[r.baselines.pytorchInference, 'PyTorch CPU'], [r.baselines.pytorchCudaInference, 'PyTorch CUDA']] as const) {
    if (!baseline || 'unavailable' in baseline) continue;
    for (const [model, t] of Object.entries(baseline.models)) {
      const m = macs.get(model);
      if (m !== undefined) values.push({ model, macs: m, latency: t.latency.medianMs, backend: label });
    }
  }
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Batch-1 latency vs MACs (${r.machine.cpuModel}, ${r.date})`,
    width: 560,
    height: 320,
    config: LEGEND_BELOW,
    data: { values },
    layer: [
      { mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'macs', type: 'quantitative', title: 'MACs (M)' }, y: { field: 'latency', type: 'quantitative', title: 'median latency (ms)', scale: { type: 'log' } }, color: { field: 'backend', type: 'nominal' } } },
      { mark: { type: 'text', dx: 6, align: 'left', fontSize: 9 }, encoding: { x: { field: 'macs', type: 'quantitative' }, y: { field: 'latency', type: 'quantitative', scale: { type: 'log' } }, text: { field: 'model' } } },
    ],
  });
}

/** Published top-1 against MACs for every registered variant that has one. */
export function accuracyChart(): Promise<string> {
  const values = listModels()
    .filter((m) => PUBLISHED_TOP1[m] !== undefined)
    .map((model) => ({ model, family: family(model), macs: summarize(model).totals.macs / 1e6, top1: PUBLISHED_TOP1[model]! }));
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Published ImageNet top-1 vs MACs (224×224)',
    width: 560,
    height: 320,
    config: LEGEND_BELOW,
    data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x: { field: 'macs', type: 'quantitative', title: 'MACs (M)' }, y: { field: 'top1', type: 'quantitative', title: 'top-1 (%)', scale: { zero: false } }, color: { field: 'family', type: 'nominal' }, order: { field: 'macs' } } },
      { mark: { type: 'text', dx: 6, align: 'left', fontSize: 9 }, encoding: { x: { field: 'macs', type: 'quantitative' }, y: { field: 'top1', type: 'quantitative' }, text: { field: 'model' } } },
    ],
  });
}
