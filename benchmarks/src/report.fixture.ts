import type { BenchReport } from './report.js';

type TrainStep = NonNullable<BenchReport['trainStep']>[number];

/** A training-step result, with the fields a test cares about overridden. */
const step = (over: Partial<TrainStep>) =>
  ({
    backend: 'wasm',
    convolutions: 'ours',
    batch: 128,
    warmup: 1,
    steps: 3,
    backendInfo: { name: 'wasm', gpu: false, threads: 2 },
    params: 2_142_026,
    warmupMs: [5000],
    stepMs: [1000, 1000, 1000],
    medianMs: 1000,
    p90Ms: 1000,
    imagesPerSecond: 128,
    noLeak: true,
    peakRssBytes: 1,
    tfBytes: 1,
    ...over,
  }) as TrainStep;

/** A complete synthetic report for the report and schema tests. */
export const report: BenchReport = {
  schema: 1,
  date: '2026-11-25',
  machine: { host: 'h', cpuModel: 'CPU', cores: 2, memoryBytes: 1, platform: 'linux', node: 'v20', gpu: null },
  inference: [
    {
      config: { backend: 'wasm', threads: 2, models: ['mobilenetv2_100'], runs: 15, batch: 32 },
      backendInfo: { name: 'wasm', gpu: false, threads: 2 },
      rows: [
        {
          model: 'mobilenetv2_100',
          inputSize: 224,
          params: 3_504_872,
          macs: 300_774_272,
          warmupMs: 120,
          latency: { medianMs: 20, p90Ms: 25, runs: 15 },
          throughput: { batch: 32, imagesPerSecond: 80 },
          tfPeakBytes: 20 * 2 ** 20,
          peakRssBytes: 300 * 2 ** 20,
        },
      ],
    },
    {
      config: { backend: 'webgpu', models: ['mobilenetv2_100'], runs: 3, batch: 4 },
      backendInfo: { name: 'webgpu', gpu: false, threads: 1, adapter: { vendor: '', architecture: '', description: 'Mesa', device: 'llvmpipe', software: true } },
      rows: [
        {
          model: 'mobilenetv2_100',
          inputSize: 224,
          params: 3_504_872,
          macs: 300_774_272,
          warmupMs: 900,
          latency: { medianMs: 200, p90Ms: 210, runs: 3 },
          throughput: { batch: 4, imagesPerSecond: 5 },
          tfPeakBytes: 0,
          peakRssBytes: 0,
        },
      ],
    },
  ],
  zooTrainStep: [
    { backend: 'wasm', model: 'mobilenetv2_100', inputSize: 224, batch: 8, warmup: 1, steps: 2, backendInfo: { name: 'wasm', gpu: false, threads: 2 }, warmupMs: [7000], stepMs: [1500, 1500], imagesPerSecond: 8 / 1.5, tfPeakBytes: 900 * 2 ** 20, peakRssBytes: 1500 * 2 ** 20, path: 'engine', rssGrowthBytes: 600 * 2 ** 20, heapBytes: 1000 * 2 ** 20 },
  ],
  trainStep: [
    step({}),
    step({ backend: 'cpu', convolutions: 'stock', batch: 2, medianMs: 10_000, imagesPerSecond: 0.2, noLeak: null, backendInfo: { name: 'cpu', gpu: false, threads: 1 } }),
  ],
  loader: {
    backend: 'wasm',
    images: 192,
    batch: 32,
    prefetch: 2,
    imagesPerSecond: 100,
    batchMs: [],
    imageSize: [500, 375],
    keepsUp: true,
    trainStep: { backend: 'wasm', model: 'mobilenetv2_100', inputSize: 224, batch: 8, warmup: 1, steps: 2, backendInfo: { name: 'wasm', gpu: false, threads: 2 }, warmupMs: [], stepMs: [], imagesPerSecond: 4, tfPeakBytes: 0, peakRssBytes: 0 },
  },
  baselines: {
    pytorch: { torch: '1.13', threads: 2, params: 2_142_026, batch: 128, warmupMs: [], stepMs: [400], medianMs: 400, imagesPerSecond: 320 },
    pytorchInference: {
      torch: '1.13',
      threads: 2,
      device: 'cpu',
      models: { mobilenetv2_100: { warmupMs: 100, latency: { medianMs: 40, p90Ms: 45, runs: 15 }, throughput: { batch: 32, imagesPerSecond: 60 } } },
    },
    pytorchTraining: { torch: '1.13', threads: 2, device: 'cpu', models: { mobilenetv2_100: { batch: 8, warmupMs: 900, stepMs: [400, 400], imagesPerSecond: 20, rssGrowthBytes: 712 * 2 ** 20 } } },
    onnxInference: {
      onnxruntime: '1.30.0',
      threads: 2,
      models: { mobilenetv2_100: { warmupMs: 50, latency: { medianMs: 5, p90Ms: 6, runs: 15 }, throughput: { batch: 32, imagesPerSecond: 400 } } },
    },
  },
};
