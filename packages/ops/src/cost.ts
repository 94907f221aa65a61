import { OpsInputError } from './errors.js';
import { convGeometry, pair, type Padding, type Size2 } from './conv/geometry.js';

export interface ConvCostInput {
  inChannels: number;
  outChannels: number;
  /** Kernel size, one for both axes or `[height, width]`. */
  kernel: Size2;
  /** Default 1. */
  stride?: Size2;
  /** Default 1 (standard); `inChannels` for a depthwise convolution. */
  groups?: number;
  /** Whether the convolution has a bias. Default false. */
  bias?: boolean;
  /** Input height and width. */
  inputSize: Size2;
  /** Default `'same'`. */
  padding?: Padding;
}

export interface Cost {
  /** Trainable weights. */
  params: number;
  /** Multiply-accumulates for one sample. */
  macs: number;
  /** Output `[height, width]`. */
  outputSize: [number, number];
  /** Bytes of the float32 output activation for one sample. */
  activationBytes: number;
}

const FLOAT32_BYTES = 4;

/** Params and MACs of one convolution: k_h·k_w·(in/groups)·out weights, each used once per output pixel. */
export function convCost(c: ConvCostInput): Cost {
  const groups = c.groups ?? 1;
  for (const [name, v] of [['inChannels', c.inChannels], ['outChannels', c.outChannels], ['groups', groups]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new OpsInputError(`convCost: ${name} must be a positive integer, got ${v}`);
  }
  if (c.inChannels % groups !== 0 || c.outChannels % groups !== 0) {
    throw new OpsInputError(`convCost: groups (${groups}) must divide ${c.inChannels} and ${c.outChannels}`);
  }
  const [kh, kw] = pair(c.kernel, 'kernel');
  const g = convGeometry(c.inputSize, [kh, kw], c.stride ?? 1, c.padding);
  const weights = kh * kw * (c.inChannels / groups) * c.outChannels;
  const pixels = g.height.output * g.width.output;
  return {
    params: weights + (c.bias ? c.outChannels : 0),
    macs: weights * pixels,
    outputSize: [g.height.output, g.width.output],
    activationBytes: pixels * c.outChannels * FLOAT32_BYTES,
  };
}
