import { describe, expect, it } from 'vitest';
import type { BlockConfig } from './config.js';
import { createBlock } from './create-block.js';
import { BlockConfigError } from './errors.js';
import { roundHalfEven } from './inverted-residual.js';
import { sandglassHidden, sandglassLayout } from './sandglass.js';

describe('bad configs throw a BlockConfigError naming the block and the field', () => {
  it.each([
    [{ type: 'ConvNormAct', inChannels: 6, outChannels: 8, kernel: 3, groups: 4 }, 'ConvNormAct', 'groups'],
    [{ type: 'ConvNormAct', inChannels: 6, outChannels: 8, kernel: 2 }, 'ConvNormAct', 'kernel'],
    [{ type: 'DepthwiseSeparable', inChannels: 8, outChannels: 16, stride: 3 }, 'DepthwiseSeparable', 'stride'],
    [{ type: 'InvertedResidual', inChannels: 8, outChannels: 8, expandRatio: 6, shortcut: 'dense' }, 'InvertedResidual', 'shortcut'],
    [{ type: 'InvertedResidual', inChannels: 8, outChannels: 8, expandRatio: 0 }, 'InvertedResidual', 'expandRatio'],
    [{ type: 'InvertedResidual', inChannels: 16, outChannels: 16, expandRatio: 0.01 }, 'InvertedResidual', 'expandRatio'], // round(0.16) = 0
    [{ type: 'Bneck', inChannels: 16, outChannels: 16, expandChannels: 64, kernel: 7, se: true, activation: 'relu' }, 'Bneck', 'kernel'],
    [{ type: 'Bneck', inChannels: 16, outChannels: 16, expandChannels: 64, kernel: 3, se: true, activation: 'mish' }, 'Bneck', 'activation'],
    [{ type: 'Sandglass', inChannels: 24, outChannels: 24, stride: 2, reduction: 6 }, 'Sandglass', 'stride'],
    [{ type: 'Sandglass', inChannels: 24, outChannels: 24, reduction: 6, identityDiv: 0 }, 'Sandglass', 'identityDiv'],
    [{ type: 'SqueezeExcite', channels: 16.5 }, 'SqueezeExcite', 'channels'],
    [{ type: 'UniversalInvertedBottleneck', inChannels: 16, outChannels: 16, expandRatio: 2, middleKernel: 0, stride: 2 }, 'UniversalInvertedBottleneck', 'stride'],
    [{ type: 'UniversalInvertedBottleneck', inChannels: 16, outChannels: 16, expandRatio: 2, startKernel: 4 }, 'UniversalInvertedBottleneck', 'startKernel'],
    [{ type: 'UniversalInvertedBottleneck', inChannels: 16, outChannels: 16, expandRatio: 4, layerScale: 0 }, 'UniversalInvertedBottleneck', 'layerScale'],
    [{ type: 'FusedInvertedBottleneck', inChannels: 16, outChannels: 16, expandRatio: 4, kernel: 4 }, 'FusedInvertedBottleneck', 'kernel'],
    [{ type: 'FusedInvertedBottleneck', inChannels: 16, outChannels: 16, expandRatio: -1 }, 'FusedInvertedBottleneck', 'expandRatio'],
    [{ type: 'MobileMQA', inChannels: 16, outChannels: 16, heads: 4, keyDim: 8, stride: 2 }, 'MobileMQA', 'stride'],
    [{ type: 'MobileMQA', inChannels: 16, outChannels: 16, heads: 0, keyDim: 8 }, 'MobileMQA', 'heads'],
    [{ type: 'MobileMQA', inChannels: 16, outChannels: 16, heads: 4, keyDim: 8, kvStride: 3 }, 'MobileMQA', 'kvStride'],
    [{ type: 'Dense', units: 3 }, 'Dense', 'type'],
  ])('%j', (config, blockType, field) => {
    const error = (() => {
      try {
        createBlock(config as unknown as BlockConfig);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BlockConfigError);
    expect(error).toMatchObject({ blockType, field });
  });
});

describe('width rules', () => {
  it('roundHalfEven is Python round()', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6, 7].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3, 7]);
  });

  it('sandglass hidden width: in // t; below out / 6, ceil(out / 6) made divisible by 16 (the official SGBlock)', () => {
    expect(sandglassHidden(576, 576, 6)).toBe(96); // 96 ≥ 96 → 96
    expect(sandglassHidden(32, 96, 2)).toBe(16); // 16 ≥ 16 → 16
    expect(sandglassHidden(336, 336, 6)).toBe(56); // 56 ≥ 56 → 56, not rounded to 64 (mobilenext_035's 960-wide stage)
    expect(sandglassHidden(16, 24, 2)).toBe(8); // 8 ≥ 4 → 8
    expect(sandglassHidden(96, 144, 6)).toBe(32); // 16 < 24 → 24 → rounds to 32
    expect(sandglassHidden(960, 1280, 6)).toBe(208); // 160 < 213.3 → 214 → rounds to 208 (not below 90%)
  });

  it('sandglass layouts, as seed 001 picks them', () => {
    expect(sandglassLayout({ inChannels: 32, outChannels: 96, stride: 2, reduction: 2 })).toBe('first');
    expect(sandglassLayout({ inChannels: 96, outChannels: 144, stride: 1, reduction: 6, keep3x3: true })).toBe('full');
    expect(sandglassLayout({ inChannels: 144, outChannels: 192, stride: 2, reduction: 6 })).toBe('pw-pw-dw');
    expect(sandglassLayout({ inChannels: 192, outChannels: 288, stride: 1, reduction: 6 })).toBe('pw-pw');
    expect(sandglassLayout({ inChannels: 192, outChannels: 192, stride: 1, reduction: 6 })).toBe('full');
  });
});
