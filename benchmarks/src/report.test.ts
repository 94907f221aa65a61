import { describe, expect, it } from 'vitest';
import type { InferenceResult } from './inference.js';
import { report } from './report.fixture.js';
import { type BenchReport, formatReport } from './report.js';
import { validateReport } from './schema.js';
import type { ZooTrainStepResult } from './zoo-train-step.js';

const v2Row = report.inference[0]!.rows[0]! as Extract<InferenceResult['rows'][number], { macs: number }>;
const h100 = { name: 'webgpu' as const, gpu: true, threads: 1, adapter: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100', device: '', software: false } };
const wasmStep = report.zooTrainStep[0]! as ZooTrainStepResult;

/** A GPU-only run: webgpu on an H100 against PyTorch CUDA, no CPU sections. */
const gpuReport: BenchReport = {
  schema: 1,
  date: '2026-11-25',
  machine: { ...report.machine, gpu: h100.adapter },
  inference: [
    {
      config: { backend: 'webgpu', models: ['mobilenetv2_100', 'mobilenext_100'], runs: 15, batch: 256 },
      backendInfo: h100,
      rows: [
        { ...v2Row, latency: { medianMs: 4, p90Ms: 5, runs: 15 }, throughput: { batch: 256, imagesPerSecond: 3000 } },
        { model: 'mobilenext_100', unavailable: 'buffer size exceeds the device limit' },
      ],
    },
  ],
  zooTrainStep: [{ ...wasmStep, backend: 'webgpu', batch: 64, backendInfo: h100, stepMs: [100, 100], imagesPerSecond: 640 }],
  baselines: {
    pytorchCudaInference: { torch: '2.5', threads: 16, device: 'NVIDIA H100', models: { mobilenetv2_100: { warmupMs: 1, latency: { medianMs: 5, p90Ms: 6, runs: 15 }, throughput: { batch: 256, imagesPerSecond: 6000 } } } },
    pytorchCudaTraining: { torch: '2.5', threads: 16, device: 'NVIDIA H100', models: { mobilenetv2_100: { batch: 64, warmupMs: 1, stepMs: [50, 50], imagesPerSecond: 1280 } } },
  },
};

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
    expect(text).toContain('Machine: CPU, 2 cores, 0 GiB; WebGPU adapter: none found; Node v20; linux.');
  });

  it("compares each variant's training step with PyTorch's at the same batch", () => {
    // 8 images in 1.5 s = 5.33 img/s against PyTorch's 20; RSS growth 600 MB / 8 = 75 MB per image against 712 / 8 = 89.
    expect(formatReport(report)).toContain('| mobilenetv2_100 | 8 | 7000 | 1500 | 5.3 | 20.0 | 0.27 | 75 / 89 | 0.84 | 900 / 1000 / 1500 |');
    const otherBatch = { ...report, zooTrainStep: [{ ...wasmStep, batch: 4 }] };
    expect(formatReport(otherBatch)).toContain('| mobilenetv2_100 | 4 | 7000 | 1500 | 5.3 | — | — | 150 / — | — | 900 / 1000 / 1500 |');
    const previous = { ...report, zooTrainStep: [{ ...wasmStep, path: 'previous' as const }, { ...wasmStep, recomputed: ['blocks_1_0', 'blocks_2_0'] }] };
    expect(formatReport(previous)).toContain('| mobilenetv2_100 (previous path) | 8 |');
    expect(formatReport(previous)).toContain('| mobilenetv2_100, 2 blocks recomputed | 8 |');
    const failed = { ...report, zooTrainStep: [{ backend: 'wasm' as const, model: 'mobilenext_100', unavailable: 'no result within 300 s' }] };
    expect(formatReport(failed)).toContain('| mobilenext_100 | unavailable: no result within 300 s |');
  });

  it('gives each backend its own training table, and a software adapter no comparison', () => {
    const mesa = report.inference[1]!.backendInfo;
    const text = formatReport({ ...report, zooTrainStep: [wasmStep, { ...wasmStep, backend: 'webgpu', backendInfo: mesa }] });
    expect(text).toContain('### wasm ×2 threads\n\nAgainst PyTorch 1.13 on the CPU, 2 threads, same batch.');
    expect(text).toContain('### webgpu (Mesa, software: not compared)\n\nSoftware adapter: not compared.');
    expect(text.match(/\| mobilenetv2_100 \| 8 \| 7000 \| 1500 \| 5\.3 \| — \| — \| 75 \/ — \| — \| 900 \/ 1000 \/ 1500 \|/g)).toHaveLength(1);
  });

  it('compares a real GPU with PyTorch on CUDA, in a GPU-only report', () => {
    expect(() => validateReport(gpuReport)).not.toThrow();
    const text = formatReport(gpuReport);
    expect(text).toContain('| model | params | MACs | warm-up ms | batch 1 ms (median / p90) | PyTorch CUDA ms | × PyTorch CUDA | img/s at batch 256 | × PyTorch CUDA | peak MB (tfjs / RSS) |');
    // 4 ms vs 5 ms: 1.25× faster at batch 1; 3000 vs 6000 img/s: 0.5× at batch 256.
    expect(text).toContain('| mobilenetv2_100 | 3.50 M | 301 M | 120 | 4.0 / 5.0 | 5.0 | 1.25 | 3000.0 | 0.50 | 20 / 300 |');
    expect(text).toContain('| mobilenext_100 | unavailable: buffer size exceeds the device limit |');
    expect(text).toContain('GPU rows: PyTorch 2.5 eager on NVIDIA H100.');
    // Training: 64 images in 100 ms = 640 img/s against PyTorch's 1280 at batch 64.
    expect(text).toContain('### webgpu (NVIDIA H100)\n\nAgainst PyTorch 2.5 on NVIDIA H100, same batch.');
    expect(text).toContain('| mobilenetv2_100 | 64 | 7000 | 100 | 640.0 | 1280.0 | 0.50 | 9 / — | — | 900 / 1000 / 1500 |');
    expect(text).toContain('WebGPU adapter: NVIDIA H100;');
    expect(text).not.toContain('CIFAR');
    expect(text).not.toContain('loader');
  });

  it('pairs inverted residual and sandglass nets of the same width, with published top-1s', () => {
    const next = { ...v2Row, model: 'mobilenext_100', params: 3_540_000, macs: 311_000_000, latency: { medianMs: 16, p90Ms: 20, runs: 15 }, throughput: { batch: 32, imagesPerSecond: 100 } };
    const swapped = { ...v2Row, model: 'mobilenetv2_100+sandglass', params: 6_220_000, macs: 570_000_000, latency: { medianMs: 40, p90Ms: 45, runs: 15 }, throughput: { batch: 32, imagesPerSecond: 40 } };
    const wasm = { ...report.inference[0]!, rows: [v2Row, next, swapped] };
    const steps = [wasmStep, { ...wasmStep, model: 'mobilenext_100', stepMs: [1000, 1000], imagesPerSecond: 8 }];
    const text = formatReport({ ...report, inference: [wasm, report.inference[1]!], zooTrainStep: steps });
    // MobileNeXt: 20 → 16 ms (1.25× faster), 80 → 100 img/s (1.25×), training 5.33 → 8 img/s (1.50×).
    expect(text).toContain('| mobilenetv2_100 | mobilenext_100 | 3.50 / 3.54 M | 301 / 311 M | 71.9 / 74.0 | 20.0 / 16.0 | 1.25 | 80.0 / 100.0 | 1.25 | 5.3 / 8.0 | 1.50 |');
    // V2's layout from sandglass blocks: 20 → 40 ms (0.50×), 80 → 40 img/s (0.50×), no training figure.
    expect(text).toContain('| mobilenetv2_100 | mobilenetv2_100+sandglass | 3.50 / 6.22 M | 301 / 570 M | 71.9 / — | 20.0 / 40.0 | 0.50 | 80.0 / 40.0 | 0.50 | — | — |');
    // The software adapter gets no table of its own there.
    const blocks = text.slice(text.indexOf('## Inverted residual vs sandglass'), text.indexOf('## Training step'));
    expect(blocks).not.toContain('webgpu');
  });

  it('names the input size of a variant that is not 224×224', () => {
    const cifar = { ...v2Row, model: 'mobilenetv1_cifar', inputSize: 32 };
    const text = formatReport({ ...report, inference: [{ ...report.inference[0]!, rows: [cifar] }], zooTrainStep: [{ ...wasmStep, model: 'mobilenetv1_cifar', inputSize: 32 }] });
    expect(text).toContain('| mobilenetv1_cifar (32×32) | 3.50 M | 301 M | 120 | 20.0 / 25.0 | — | — | — | — | 80.0 | — | — | 20 / 300 |');
    expect(text).toContain('| mobilenetv1_cifar (32×32) | 8 | 7000 | 1500 | 5.3 | — | — | 75 / — | — | 900 / 1000 / 1500 |');
  });

  it('does not compare a software WebGPU adapter', () => {
    const text = formatReport(report);
    expect(text).toContain('### webgpu (Mesa, software: not compared)');
    expect(text).toContain('| mobilenetv2_100 | 3.50 M | 301 M | 900 | 200.0 / 210.0 | 5.0 | 0 / 0 |');
  });

  it('says why a baseline is missing', () => {
    const unavailable = { unavailable: '/usr/bin/python3 with torch: No module named torch' };
    const text = formatReport({ ...report, baselines: { pytorch: unavailable, pytorchInference: unavailable, onnxInference: unavailable, pytorchTraining: unavailable } });
    expect(text).toContain('PyTorch baseline unavailable: /usr/bin/python3 with torch: No module named torch');
    expect(text).toContain('| 128 | 1000 | 128.0 | — | 640.0 | yes |');
    expect(text).toContain('PyTorch unavailable: /usr/bin/python3 with torch: No module named torch; onnxruntime-node unavailable:');
  });
});

describe('our ONNX export', () => {
  const timing = (ms: number, ips: number) => ({ warmupMs: 10, latency: { medianMs: ms, p90Ms: ms + 1, runs: 15 }, throughput: { batch: 32, imagesPerSecond: ips } });
  const withExport: BenchReport = {
    ...report,
    onnxExport: { onnxruntime: '1.30.0', threads: 2, models: { mobilenetv2_100: { ours: timing(4, 500), bytes: 14 * 2 ** 20, torchvision: timing(5, 400) } } },
  };

  it('gains an onnxruntime column in the CPU tables, and a section beside torchvision\'s export and tfjs', () => {
    expect(() => validateReport(withExport)).not.toThrow();
    const text = formatReport(withExport);
    // 20 ms against our export's 4 ms: 0.20×; 80 img/s against 500: 0.16×.
    expect(text).toContain('| PyTorch ms | × PyTorch | ORT ms | × ORT | onnxruntime ms | × onnxruntime | img/s at batch 32 | × PyTorch | × ORT | × onnxruntime |');
    expect(text).toContain('| mobilenetv2_100 | 3.50 M | 301 M | 120 | 20.0 / 25.0 | 40.0 | 2.00 | 5.0 | 0.25 | 4.0 | 0.20 | 80.0 | 1.33 | 0.20 | 0.16 | 20 / 300 |');
    // Ours 4 ms vs torchvision's 5 (1.25×), tfjs 20 (0.25×); 500 vs 400 img/s (1.25×), tfjs 80 (0.20×).
    expect(text).toContain('| mobilenetv2_100 | 14.0 | 4.0 | 5.0 | 1.25 | 20.0 | 0.25 | 500.0 | 400.0 | 1.25 | 80.0 | 0.20 |');
    expect(text).toContain("## Our ONNX export against torchvision's, on onnxruntime-node");
    expect(formatReport(report)).not.toContain('onnxruntime ms');
  });

  it('says why it is missing', () => {
    const text = formatReport({ ...report, onnxExport: { unavailable: 'onnxruntime-node could not be loaded' } });
    expect(text).toContain('our ONNX export unavailable: onnxruntime-node could not be loaded');
    expect(text).toContain("## Our ONNX export on onnxruntime-node\n\nUnavailable: onnxruntime-node could not be loaded");
  });
});
