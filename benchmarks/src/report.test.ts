import { describe, expect, it } from 'vitest';
import { report } from './report.fixture.js';
import { formatReport } from './report.js';

describe('formatReport', () => {
  it('gives every figure as a ratio to the baselines of the same run', () => {
    const text = formatReport(report);
    // 128 img/s against PyTorch's 320 and stock tfjs-cpu's 0.2.
    expect(text).toContain('| @mobilenets/ops on wasm ×2 threads | 128 | 1000 | 128.0 | 0.40 | 640.0 | yes |');
    expect(text).toContain('| tfjs stock on cpu | 2 | 10000 | 0.2 | 0.00 | 1.0 | — |');
    expect(text).toContain('| PyTorch 1.13 CPU ×2 threads | 128 | 400 | 320.0 | 1.00 | 1600.0 | |');
    expect(text).toContain('the loader keeps up (25.0× the training rate)');
    // Latency 20 ms vs PyTorch 40 ms (2× faster) and ORT 5 ms (0.25×); 80 img/s vs 60 (1.33×) and 400 (0.20×).
    expect(text).toContain('| mobilenetv2_100 | 3.50 M | 301 M | 120 | 20.0 / 25.0 | 40.0 | 2.00 | 5.0 | 0.25 | 80.0 | 1.33 | 0.20 | 20 / 300 |');
  });

  it('compares each variant\'s training step with PyTorch', () => {
    // 8 images in 1.5 s = 5.33 img/s against PyTorch's 20.
    expect(formatReport(report)).toContain('| mobilenetv2_100 | 8 | 7000 | 1500 | 5.3 | 20.0 | 0.27 | |');
    const failed = { ...report, zooTrainStep: [{ model: 'mobilenext_100', unavailable: 'no result within 240 s' }] };
    expect(formatReport(failed)).toContain('| mobilenext_100 | — | — | — | — | — | — | (no result within 240 s) |');
  });

  it('compares a real GPU with PyTorch on CUDA, not with the CPU baselines', () => {
    const gpuResult = {
      config: { backend: 'webgpu' as const, models: ['mobilenetv2_100'], runs: 15, batch: 256 },
      backendInfo: { name: 'webgpu' as const, gpu: true, threads: 1, adapter: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100', device: '', software: false } },
      rows: [{ ...report.inference[0]!.rows[0]!, latency: { medianMs: 4, p90Ms: 5, runs: 15 }, throughput: { batch: 256, imagesPerSecond: 3000 } }],
    };
    const cuda = { torch: '2.5', threads: 16, device: 'NVIDIA H100', models: { mobilenetv2_100: { warmupMs: 1, latency: { medianMs: 5, p90Ms: 6, runs: 15 }, throughput: { batch: 256, imagesPerSecond: 6000 } } } };
    const text = formatReport({ ...report, inference: [gpuResult], baselines: { ...report.baselines, pytorchCudaInference: cuda } });
    expect(text).toContain('| model | params | MACs | warm-up ms | batch 1 ms (median / p90) | PyTorch CUDA ms | × PyTorch CUDA | img/s at batch 256 | × PyTorch CUDA | peak MB (tfjs / RSS) |');
    // 4 ms vs 5 ms: 1.25× faster at batch 1; 3000 vs 6000 img/s: 0.5× at batch 256.
    expect(text).toContain('| mobilenetv2_100 | 3.50 M | 301 M | 120 | 4.0 / 5.0 | 5.0 | 1.25 | 3000.0 | 0.50 | 20 / 300 |');
    expect(text).toContain('GPU rows: PyTorch 2.5 eager on NVIDIA H100, throughput at batch 256');
  });

  it('does not compare a software WebGPU adapter', () => {
    const text = formatReport(report);
    expect(text).toContain('### webgpu (Mesa, software: not compared)');
    expect(text).toContain('| mobilenetv2_100 | 3.50 M | 301 M | 900 | 200.0 / 210.0 | — | — | — | — | 5.0 | — | — | 0 / 0 |');
  });

  it('says why a baseline is missing', () => {
    const unavailable = { unavailable: '/usr/bin/python3 with torch: No module named torch' };
    const text = formatReport({ ...report, baselines: { pytorch: unavailable, pytorchInference: unavailable, onnxInference: unavailable, pytorchTraining: unavailable } });
    expect(text).toContain('PyTorch baseline unavailable: /usr/bin/python3 with torch: No module named torch');
    expect(text).toContain('| 128 | 1000 | 128.0 | — | 640.0 | yes |');
  });
});
