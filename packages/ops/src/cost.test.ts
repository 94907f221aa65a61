import { describe, expect, it } from 'vitest';
import { convCost } from './cost.js';

describe('convCost', () => {
  // Seed 002: a 64×64 input, 3 → 4 channels, 3×3: standard 108 params, depthwise 27, pointwise 12.
  it.each([
    ['standard 3×3, 3→4', { inChannels: 3, outChannels: 4, kernel: 3 }, 108],
    ['depthwise 3×3, 3', { inChannels: 3, outChannels: 3, kernel: 3, groups: 3 }, 27],
    ['pointwise 3→4', { inChannels: 3, outChannels: 4, kernel: 1 }, 12],
    // 4 → 8 channels: standard 288, grouped (2 groups) 144, depthwise 36 + pointwise 32 = 68.
    ['standard 3×3, 4→8', { inChannels: 4, outChannels: 8, kernel: 3 }, 288],
    ['grouped 3×3, 4→8, 2 groups', { inChannels: 4, outChannels: 8, kernel: 3, groups: 2 }, 144],
    ['depthwise 3×3, 4', { inChannels: 4, outChannels: 4, kernel: 3, groups: 4 }, 36],
    ['pointwise 4→8', { inChannels: 4, outChannels: 8, kernel: 1 }, 32],
  ])('seed 002: %s has %i params', (_, c, params) => {
    const cost = convCost({ ...c, inputSize: 64 });
    expect(cost.params).toBe(params);
    expect(cost.outputSize).toEqual([64, 64]);
    expect(cost.macs).toBe(params * 64 * 64);
  });

  it('seed 002: depthwise-separable 4→8 costs 68 params, about a quarter of the standard 288', () => {
    const dw = convCost({ inChannels: 4, outChannels: 4, kernel: 3, groups: 4, inputSize: 64 });
    const pw = convCost({ inChannels: 4, outChannels: 8, kernel: 1, inputSize: 64 });
    expect(dw.params + pw.params).toBe(68);
  });

  it('seed 000: depthwise-separable / standard MACs = 0.115 for 28×28×192 → 256 with 3×3', () => {
    const standard = convCost({ inChannels: 192, outChannels: 256, kernel: 3, inputSize: 28 });
    const dw = convCost({ inChannels: 192, outChannels: 192, kernel: 3, groups: 192, inputSize: 28 });
    const pw = convCost({ inChannels: 192, outChannels: 256, kernel: 1, inputSize: 28 });
    expect(standard.macs).toBe(3 * 3 * 192 * 256 * 28 * 28);
    expect(dw.macs + pw.macs).toBe(3 * 3 * 192 * 28 * 28 + 192 * 256 * 28 * 28);
    expect((dw.macs + pw.macs) / standard.macs).toBeCloseTo(0.115, 3);
  });

  it('counts the bias, the strided output size and the output activation bytes', () => {
    const c = convCost({ inChannels: 3, outChannels: 32, kernel: 3, stride: 2, bias: true, inputSize: 224 });
    expect(c.params).toBe(3 * 3 * 3 * 32 + 32);
    expect(c.outputSize).toEqual([112, 112]);
    expect(c.macs).toBe(3 * 3 * 3 * 32 * 112 * 112);
    expect(c.activationBytes).toBe(112 * 112 * 32 * 4);
    expect(convCost({ inChannels: 8, outChannels: 8, kernel: 3, stride: 2, inputSize: 7, padding: 'valid' }).outputSize).toEqual([3, 3]);
    expect(convCost({ inChannels: 8, outChannels: 8, kernel: [3, 1], stride: [2, 1], inputSize: [7, 5] }).outputSize).toEqual([4, 5]);
  });

  it('rejects groups that do not divide the channels', () => {
    expect(() => convCost({ inChannels: 6, outChannels: 8, kernel: 3, groups: 4, inputSize: 8 })).toThrow(/groups \(4\) must divide/);
  });
});
