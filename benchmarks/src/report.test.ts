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
