import type { BlockConfig, NormConfig } from '@mobilenets/blocks';
import { makeDivisible } from '@mobilenets/ops';
import { ArchDecodeError } from '../errors.js';
import { type BlockArgs, parseToken } from './tokens.js';

export interface DecodeOptions {
  /** Channels entering the first block. */
  inChannels: number;
  /** Width rule for every channel count (default: makeDivisible(c, 8), i.e. width 1.0 as torchvision). */
  channels?: (c: number) => number;
  /** BatchNorm settings for every block (default: each block's own). */
  norm?: NormConfig;
}

export interface DecodedArch {
  /** Block configs per stage, repeats expanded, channels chained. */
  stages: BlockConfig[][];
  outChannels: number;
}

/** LayerScale's first γ under the `ls` flag: timm's layer_scale_init_value for MobileNetV4. */
const LAYER_SCALE = 1e-5;

/** Decodes block strings (a list of stages, each a list of strings) into the blocks' own configs. */
export function decodeArch(arch: readonly (readonly string[])[] | readonly string[], options: DecodeOptions): DecodedArch {
  const stages = (arch.length > 0 && typeof arch[0] === 'string' ? [arch] : arch) as readonly (readonly string[])[];
  const channels = options.channels ?? ((c: number) => makeDivisible(c, 8));
  let inChannels = options.inChannels;
  const decoded = stages.map((tokens, si) =>
    tokens.flatMap((token, bi) => {
      let args: BlockArgs;
      try {
        args = parseToken(token);
      } catch (err) {
        throw new ArchDecodeError(token, [si, bi], (err as Error).message);
      }
      return Array.from({ length: args.repeats }, (_, i) => {
        const config = blockConfig(args, i === 0, inChannels, channels, options.norm);
        inChannels = config.type === 'SqueezeExcite' ? config.channels : config.outChannels;
        return config;
      });
    }),
  );
  return { stages: decoded, outChannels: inChannels };
}

/** The block config for one repeat of a token (the stride and keep3x3 apply to the first repeat only). */
function blockConfig(
  a: BlockArgs,
  first: boolean,
  inChannels: number,
  channels: (c: number) => number,
  norm: NormConfig | undefined,
): BlockConfig {
  const outChannels = channels(a.outChannels);
  const stride = first ? a.stride : 1;
  const normField = norm ? { norm } : {};
  switch (a.kind) {
    case 'cn':
      return { type: 'ConvNormAct', inChannels, outChannels, kernel: a.kernel, stride, activation: a.activation ?? 'relu6', bias: a.bias, ...normField };
    case 'ds':
      return { type: 'DepthwiseSeparable', inChannels, outChannels, kernel: a.kernel, stride, activation: a.activation ?? 'relu', ...normField };
    case 'ir':
      if (a.expandChannels !== undefined || a.se) {
        const expandChannels = a.expandChannels !== undefined ? channels(a.expandChannels) : makeDivisible(inChannels * a.ratio!, 8);
        return {
          type: 'Bneck',
          inChannels,
          outChannels,
          expandChannels,
          kernel: a.kernel as 3 | 5,
          stride,
          se: a.se,
          activation: a.activation ?? 'relu',
          ...normField,
        };
      }
      return {
        type: 'InvertedResidual',
        inChannels,
        outChannels,
        expandRatio: a.ratio!,
        kernel: a.kernel,
        stride,
        shortcut: a.shortcut ?? 'identity',
        activation: a.activation ?? 'relu6',
        bias: a.bias,
        forceExpand: a.forceExpand,
        ...normField,
      };
    case 'sg':
      return {
        type: 'Sandglass',
        inChannels,
        outChannels,
        stride,
        reduction: a.ratio!,
        keep3x3: first && a.keep3x3,
        identityDiv: a.identityDiv ?? 1,
        ...normField,
      };
    case 'uir':
      return {
        type: 'UniversalInvertedBottleneck',
        inChannels,
        outChannels,
        stride,
        expandRatio: a.ratio!,
        startKernel: a.startKernel ?? 0,
        middleKernel: a.kernel,
        endKernel: a.endKernel ?? 0,
        se: a.se,
        activation: a.activation ?? 'relu',
        layerScale: a.layerScale ? LAYER_SCALE : null,
        ...normField,
      };
    case 'er':
      return { type: 'FusedInvertedBottleneck', inChannels, outChannels, stride, expandRatio: a.ratio!, kernel: a.kernel, se: a.se, activation: a.activation ?? 'relu', ...normField };
    case 'mqa':
      return {
        type: 'MobileMQA',
        inChannels,
        outChannels,
        stride,
        heads: a.heads!,
        keyDim: a.dim!,
        valueDim: a.dim!,
        kvStride: a.kvStride ?? 1,
        kvKernel: a.kernel,
        layerScale: a.layerScale ? LAYER_SCALE : null,
        ...normField,
      };
  }
}
