import type { BenchReport } from './report.js';

/** A result file that does not have the report's shape: names the field. */
export class ReportSchemaError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ReportSchemaError';
  }
}

type Check = (value: unknown, path: string) => void;

const fail = (path: string, want: string, value: unknown): never => {
  throw new ReportSchemaError(path, `expected ${want}, got ${JSON.stringify(value)?.slice(0, 60)}`);
};
const number: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(p, 'a finite non-negative number', v);
};
const string: Check = (v, p) => {
  if (typeof v !== 'string') fail(p, 'a string', v);
};
const boolean: Check = (v, p) => {
  if (typeof v !== 'boolean') fail(p, 'a boolean', v);
};
const nullable =
  (c: Check): Check =>
  (v, p) => {
    if (v !== null) c(v, p);
  };
const optional =
  (c: Check): Check =>
  (v, p) => {
    if (v !== undefined) c(v, p);
  };
const array =
  (c: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) fail(p, 'an array', v);
    for (const [i, x] of (v as unknown[]).entries()) c(x, `${p}[${i}]`);
  };
const object =
  (fields: Record<string, Check>): Check =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v);
    for (const [k, c] of Object.entries(fields)) c((v as Record<string, unknown>)[k], `${p}.${k}`);
  };
const record =
  (c: Check): Check =>
  (v, p) => {
    if (typeof v !== 'object' || v === null) fail(p, 'an object', v);
    for (const [k, x] of Object.entries(v as object)) c(x, `${p}.${k}`);
  };
/** Either a measurement or `{ unavailable: reason }`. */
const orUnavailable =
  (c: Check): Check =>
  (v, p) => {
    if (typeof v === 'object' && v !== null && 'unavailable' in v) string((v as { unavailable: unknown }).unavailable, `${p}.unavailable`);
    else c(v, p);
  };

const adapter = object({ description: string, software: boolean });
const backendInfo = object({ name: string, gpu: boolean, threads: number, adapter: optional(adapter) });
const latency = object({ medianMs: number, p90Ms: number, runs: number });
const throughput = object({ batch: number, imagesPerSecond: number });
const timing = object({ warmupMs: number, latency, throughput });
const inferenceBaseline = object({ torch: string, threads: number, device: string, models: record(object({ warmupMs: number, latency, throughput })) });
const trainingBaseline = object({
  torch: string,
  threads: number,
  device: string,
  models: record(object({ batch: number, stepMs: array(number), imagesPerSecond: number, rssGrowthBytes: optional(number) })),
});

const SCHEMA: Check = object({
  schema: (v, p) => {
    if (v !== 1) fail(p, '1', v);
  },
  date: string,
  machine: object({ host: string, cpuModel: string, cores: number, memoryBytes: number, platform: string, node: string, gpu: nullable(adapter) }),
  inference: array(
    object({
      config: object({ backend: string, models: array(string), runs: number, batch: number }),
      backendInfo,
      rows: array(orUnavailable(object({ model: string, inputSize: number, params: number, macs: number, warmupMs: number, latency, throughput, tfPeakBytes: number, peakRssBytes: number }))),
    }),
  ),
  zooTrainStep: array(
    orUnavailable(
      object({
        backend: string,
        model: string,
        inputSize: number,
        batch: number,
        backendInfo,
        warmupMs: array(number),
        stepMs: array(number),
        imagesPerSecond: number,
        tfPeakBytes: number,
        peakRssBytes: number,
        path: optional(string),
        rssGrowthBytes: optional(number),
        heapBytes: optional(nullable(number)),
        estimatedPeakBytes: optional(number),
        recomputed: optional(array(string)),
      }),
    ),
  ),
  trainStep: optional(
    array(
      object({
        backend: string,
        convolutions: string,
        batch: number,
        backendInfo,
        params: number,
        warmupMs: array(number),
        stepMs: array(number),
        medianMs: number,
        p90Ms: number,
        imagesPerSecond: number,
        noLeak: nullable(boolean),
        peakRssBytes: number,
        path: optional(string),
      }),
    ),
  ),
  loader: optional(object({ images: number, batch: number, prefetch: number, imagesPerSecond: number, keepsUp: boolean, trainStep: object({ model: string, imagesPerSecond: number }) })),
  onnxExport: optional(orUnavailable(object({ onnxruntime: string, threads: number, models: record(object({ ours: timing, bytes: number, torchvision: optional(timing) })) }))),
  baselines: object({
    pytorch: optional(orUnavailable(object({ torch: string, threads: number, batch: number, stepMs: array(number), medianMs: number, imagesPerSecond: number }))),
    pytorchInference: optional(orUnavailable(inferenceBaseline)),
    pytorchCudaInference: optional(orUnavailable(inferenceBaseline)),
    pytorchTraining: optional(orUnavailable(trainingBaseline)),
    pytorchCudaTraining: optional(orUnavailable(trainingBaseline)),
    onnxInference: optional(orUnavailable(object({ onnxruntime: string, threads: number, models: record(object({ warmupMs: number, latency, throughput })) }))),
  }),
});

/** Throws a ReportSchemaError naming the first field that does not fit the result schema (version 1). */
export function validateReport(value: unknown): asserts value is BenchReport {
  SCHEMA(value, 'report');
}
