import { describe, expect, it } from 'vitest';
import { latencyChart, latencyPoints } from './charts.js';
import { report } from './report.fixture.js';
import type { BenchReport } from './report.js';

const timing = (ms: number) => ({ warmupMs: 1, latency: { medianMs: ms, p90Ms: ms, runs: 3 }, throughput: { batch: 32, imagesPerSecond: 1 } });
const full: BenchReport = {
  ...report,
  onnxExport: { onnxruntime: '1.30.0', threads: 2, models: { mobilenetv2_100: { ours: timing(4), bytes: 1, torchvision: timing(5) } } },
  baselines: { ...report.baselines, pytorchCudaInference: { torch: '2.5', threads: 1, device: 'H100', models: { mobilenetv2_100: timing(1) } } },
};

describe('latency chart', () => {
  it('plots every backend and every baseline the tables compare with', () => {
    const series = latencyPoints(full).map((p) => `${p.series}: ${p.latency}`);
    expect(series).toEqual([
      'tfjs wasm: 20',
      'tfjs webgpu (software): 200',
      'PyTorch CPU: 40',
      "onnxruntime, torchvision's export: 5",
      'onnxruntime, our export: 4',
      'PyTorch CUDA: 1',
    ]);
  });

  it('names the variants on the axis, with their MACs, not beside each point', async () => {
    const svg = await latencyChart(full);
    expect(svg.match(/>mobilenetv2_100 \(301 M\)</g)).toHaveLength(1); // one text element: the axis label
    expect(svg).toContain('onnxruntime, our export');
  });
});
