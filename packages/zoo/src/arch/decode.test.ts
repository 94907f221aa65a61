import { describe, expect, it } from 'vitest';
import { ArchDecodeError } from '../errors.js';
import { decodeArch } from './decode.js';

describe('decodeArch', () => {
  it('expands repeats, chains channels, strides only the first repeat', () => {
    const { stages, outChannels } = decodeArch(['ir_r2_k3_s2_e6_c24'], { inChannels: 16 });
    expect(outChannels).toBe(24);
    expect(stages).toEqual([
      [
        { type: 'InvertedResidual', inChannels: 16, outChannels: 24, expandRatio: 6, kernel: 3, stride: 2, shortcut: 'identity', activation: 'relu6', bias: false, forceExpand: false },
        { type: 'InvertedResidual', inChannels: 24, outChannels: 24, expandRatio: 6, kernel: 3, stride: 1, shortcut: 'identity', activation: 'relu6', bias: false, forceExpand: false },
      ],
    ]);
  });

  it('reads V3 bnecks (explicit expansion, SE, hard-swish) and scales their widths', () => {
    const { stages } = decodeArch([['ir_r1_k5_s2_x72_c40_se0.25_nhs']], { inChannels: 24, channels: (c) => c / 2 });
    expect(stages[0]).toEqual([
      { type: 'Bneck', inChannels: 24, outChannels: 20, expandChannels: 36, kernel: 5, stride: 2, se: true, activation: 'hardSwish' },
    ]);
  });

  it('gives keep3x3 to the first repeat of a sandglass stage only; V1 blocks and stems', () => {
    const { stages } = decodeArch([['cn_r1_k3_s2_c32'], ['sg_r2_k3_s1_e6_c144_keep_i2'], ['ds_r1_k3_s2_c64_nr6']], { inChannels: 3 });
    expect(stages.map((s) => s.map((c) => c.type))).toEqual([['ConvNormAct'], ['Sandglass', 'Sandglass'], ['DepthwiseSeparable']]);
    expect(stages[1]!.map((c) => (c.type === 'Sandglass' ? [c.inChannels, c.keep3x3, c.identityDiv] : null))).toEqual([
      [32, true, 2],
      [144, false, 2],
    ]);
    expect(stages[2]![0]).toMatchObject({ inChannels: 144, outChannels: 64, stride: 2, activation: 'relu6' });
  });

  it("reads MobileNetV4's tokens (timm's grammar): uir start/middle/end kernels, er, mqa; LayerScale and GELU flags", () => {
    const { stages } = decodeArch([['er_r1_k3_s2_e4_c48'], ['uir_r2_a3_k0_s2_e4_c80_ls', 'uir_r1_a0_k0_p3_s1_e2_c80_nge'], ['mqa_r1_k3_h4_s1_v2_d64_c80_ls']], { inChannels: 32 });
    expect(stages).toEqual([
      [{ type: 'FusedInvertedBottleneck', inChannels: 32, outChannels: 48, stride: 2, expandRatio: 4, kernel: 3, se: false, activation: 'relu' }],
      [
        { type: 'UniversalInvertedBottleneck', inChannels: 48, outChannels: 80, stride: 2, expandRatio: 4, startKernel: 3, middleKernel: 0, endKernel: 0, se: false, activation: 'relu', layerScale: 1e-5 },
        { type: 'UniversalInvertedBottleneck', inChannels: 80, outChannels: 80, stride: 1, expandRatio: 4, startKernel: 3, middleKernel: 0, endKernel: 0, se: false, activation: 'relu', layerScale: 1e-5 },
        { type: 'UniversalInvertedBottleneck', inChannels: 80, outChannels: 80, stride: 1, expandRatio: 2, startKernel: 0, middleKernel: 0, endKernel: 3, se: false, activation: 'gelu', layerScale: null },
      ],
      [{ type: 'MobileMQA', inChannels: 80, outChannels: 80, stride: 1, heads: 4, keyDim: 64, valueDim: 64, kvStride: 2, kvKernel: 3, layerScale: 1e-5 }],
    ]);
  });

  it.each([
    [['uir_r1_a3_k5_s2_c80'], [0, 0], 'uir_r1_a3_k5_s2_c80', /a uir block needs its expansion ratio/],
    [['mqa_r1_k3_h4_s1_c80'], [0, 0], 'mqa_r1_k3_h4_s1_c80', /needs its heads h<n> and key\/value dim d<n>/],
    [['ir_r1_k3_s1_e6_c16', 'ir_r1_q3_c16'], [0, 1], 'ir_r1_q3_c16', /unknown option 'q3'/],
    [[['cn_r1_k3_s2_c32'], ['zz_r1_c16']], [1, 0], 'zz_r1_c16', /unknown block kind 'zz'/],
    [['ds_r1_k3_s1'], [0, 0], 'ds_r1_k3_s1', /missing the output channels/],
    [['sg_r1_k3_s1_c96'], [0, 0], 'sg_r1_k3_s1_c96', /needs its reduction ratio/],
    [['ir_r1_k3_s1_c96'], [0, 0], 'ir_r1_k3_s1_c96', /needs an expansion ratio/],
    [['ir_r1_k3_s1_x96_c96_se0.5'], [0, 0], 'ir_r1_k3_s1_x96_c96_se0.5', /squeeze-excite ratio must be 0.25/],
  ] as const)('%j: an ArchDecodeError naming the token and its position', (arch, position, token, message) => {
    const error = (() => {
      try {
        decodeArch(arch as unknown as string[][], { inChannels: 3 });
      } catch (e) {
        return e as ArchDecodeError;
      }
    })();
    expect(error).toBeInstanceOf(ArchDecodeError);
    expect(error!.position).toEqual(position);
    expect(error!.token).toBe(token);
    expect(error!.message).toMatch(message);
  });
});
