import { BlockLayer } from '@mobilenets/blocks';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { CreateModelOptions } from './build.js';
import { createModel } from './registry.js';

export interface SummaryRow {
  name: string;
  type: string;
  /** Without the batch dimension. */
  outputShape: number[] | number[][];
  /** Trainable parameters. */
  params: number;
  /** Multiply-accumulates per sample (convolutions, SE and dense layers). */
  macs: number;
  /** Bytes of the layer's float32 output, per sample. */
  activationBytes: number;
}

export interface ModelSummary {
  name: string;
  rows: SummaryRow[];
  totals: {
    trainableParams: number;
    /** Trainable plus BatchNorm running statistics. */
    totalParams: number;
    macs: number;
    /** Sum of every layer's output bytes per sample. */
    activationBytes: number;
  };
}

const FLOAT32_BYTES = 4;
const size = (shape: readonly (number | null)[]) => shape.reduce<number>((n, d) => n * (d ?? 1), 1);
const weightCount = (ws: tfl.LayerVariable[]) => ws.reduce((n, w) => n + size(w.shape), 0);

function row(layer: tfl.layers.Layer): SummaryRow {
  const out = layer.outputShape as (number | null)[] | (number | null)[][];
  const multi = Array.isArray(out[0]);
  const shapes = (multi ? out : [out]) as (number | null)[][];
  const outputShape = shapes.map((s) => s.slice(1) as number[]);
  const activationBytes = outputShape.reduce((n, s) => n + size(s) * FLOAT32_BYTES, 0);
  const base = { name: layer.name, type: layer.getClassName(), outputShape: multi ? outputShape : outputShape[0]!, activationBytes };
  if (layer instanceof BlockLayer) {
    const input = layer.inputSpec?.[0]?.shape ?? (layer.input as tfl.SymbolicTensor).shape;
    const cost = layer.cost([input[1]!, input[2]!]);
    return { ...base, params: cost.params, macs: cost.macs };
  }
  const params = weightCount(layer.trainableWeights);
  // Dense: one multiply-add per weight of its kernel.
  const kernel = layer.getClassName() === 'Dense' ? layer.trainableWeights.find((w) => w.shape.length === 2) : undefined;
  return { ...base, params, macs: kernel ? size(kernel.shape) : 0 };
}

/** Per-layer params, MACs and activation bytes of a model (or of a registered name, built and disposed). */
export function summarize(modelOrName: tfl.LayersModel | string, options: CreateModelOptions = {}): ModelSummary {
  const model = typeof modelOrName === 'string' ? createModel(modelOrName, options) : modelOrName;
  try {
    const rows = model.layers.map(row);
    return {
      name: model.name,
      rows,
      totals: {
        trainableParams: rows.reduce((n, r) => n + r.params, 0),
        totalParams: weightCount(model.weights),
        macs: rows.reduce((n, r) => n + r.macs, 0),
        activationBytes: rows.reduce((n, r) => n + r.activationBytes, 0),
      },
    };
  } finally {
    if (typeof modelOrName === 'string') model.dispose();
  }
}

const int = (n: number) => n.toLocaleString('en-US');
const shapeText = (s: number[] | number[][]) => (Array.isArray(s[0]) ? (s as number[][]).map((x) => `[-1, ${x.join(', ')}]`).join(' ') : `[-1, ${(s as number[]).join(', ')}]`);

/** The summary as text, laid out like torchsummary, with MACs. */
export function formatSummary(summary: ModelSummary): string {
  const label = (r: SummaryRow) => `${r.name} (${r.type})`;
  // Wide enough for the longest layer label (MobileNetV4's UniversalInvertedBottleneck rows pass 38).
  const first = Math.max(38, ...summary.rows.map((r) => label(r).length));
  const rule = '-'.repeat(first + 62);
  const line = (a: string, b: string, c: string, d: string) => `${a.padStart(first)}  ${b.padStart(24)}  ${c.padStart(14)}  ${d.padStart(16)}`;
  const t = summary.totals;
  return [
    rule,
    line('Layer (type)', 'Output Shape', 'Param #', 'MACs'),
    '='.repeat(first + 62),
    ...summary.rows.map((r) => line(label(r), shapeText(r.outputShape), int(r.params), int(r.macs))),
    '='.repeat(first + 62),
    `Model: ${summary.name}`,
    `Total params: ${int(t.totalParams)}`,
    `Trainable params: ${int(t.trainableParams)}`,
    `Non-trainable params: ${int(t.totalParams - t.trainableParams)}`,
    `MACs: ${int(t.macs)} (${(t.macs / 1e6).toFixed(2)} M)`,
    `Activations per sample (MB): ${(t.activationBytes / 2 ** 20).toFixed(2)}`,
    `Params size (MB): ${((t.totalParams * FLOAT32_BYTES) / 2 ** 20).toFixed(2)}`,
    rule,
    '',
  ].join('\n');
}
