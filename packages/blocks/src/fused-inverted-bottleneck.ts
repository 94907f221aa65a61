import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { makeDivisible } from '@mobilenets/ops';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { type FusedInvertedBottleneckConfig, TORCH_NORM } from './config.js';
import { ConvUnit } from './conv-unit.js';
import { SqueezeExciteUnit, defaultSqueezeChannels } from './se-unit.js';

function resolve(c: FusedInvertedBottleneckConfig): Required<FusedInvertedBottleneckConfig> {
  const check = new Check('FusedInvertedBottleneck');
  return {
    type: 'FusedInvertedBottleneck',
    inChannels: check.positiveInt('inChannels', c.inChannels),
    outChannels: check.positiveInt('outChannels', c.outChannels),
    stride: check.stride(c.stride ?? 1),
    expandRatio: check.positive('expandRatio', c.expandRatio),
    kernel: check.oddKernel(c.kernel ?? 3),
    se: c.se ?? false,
    activation: check.activation(c.activation ?? 'relu'),
    norm: check.norm(c.norm ?? TORCH_NORM),
  };
}

/**
 * The fused inverted bottleneck (FusedIB; timm's `EdgeResidual`, `er`): a full k×k expansion conv (stride) +
 * BN + act in place of expand 1×1 + depthwise, optional SE, linear 1×1 projection + BN; x + f(x) when stride
 * is 1 and in = out.
 */
export class FusedInvertedBottleneck extends BlockLayer<FusedInvertedBottleneckConfig> {
  static className = 'FusedInvertedBottleneck';
  /** makeDivisible(inChannels · e, 8). */
  readonly hiddenChannels: number;
  readonly identity: boolean;

  constructor(config: FusedInvertedBottleneckConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const b = this.block;
    const hidden = makeDivisible(b.inChannels * b.expandRatio, 8);
    this.hiddenChannels = hidden;
    const base = { groups: 1, bias: false, norm: b.norm };
    this.chain = [
      ['expand', new ConvUnit({ ...base, inChannels: b.inChannels, outChannels: hidden, kernel: b.kernel, stride: b.stride, activation: b.activation })],
      ...(b.se ? ([['se', new SqueezeExciteUnit(hidden, defaultSqueezeChannels(hidden))]] as const) : []),
      ['project', new ConvUnit({ ...base, inChannels: hidden, outChannels: b.outChannels, kernel: 1, stride: 1, activation: 'none' })],
    ];
    this.identity = b.stride === 1 && b.inChannels === b.outChannels;
  }

  protected override shortcut(x: tf.Tensor4D, out: tf.Tensor4D): tf.Tensor4D {
    return this.identity ? tf.add(out, x) : out;
  }
}
serialization.registerClass(FusedInvertedBottleneck, 'mobilenets');
