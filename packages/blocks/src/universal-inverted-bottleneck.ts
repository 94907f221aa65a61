import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { makeDivisible } from '@mobilenets/ops';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { TORCH_NORM, type UniversalInvertedBottleneckConfig } from './config.js';
import { ConvUnit, type ConvUnitSpec } from './conv-unit.js';
import { LayerScaleUnit } from './layer-scale.js';
import { SqueezeExciteUnit, defaultSqueezeChannels } from './se-unit.js';
import type { Unit } from './units.js';

function resolve(c: UniversalInvertedBottleneckConfig): Required<UniversalInvertedBottleneckConfig> {
  const check = new Check('UniversalInvertedBottleneck');
  const b: Required<UniversalInvertedBottleneckConfig> = {
    type: 'UniversalInvertedBottleneck',
    inChannels: check.positiveInt('inChannels', c.inChannels),
    outChannels: check.positiveInt('outChannels', c.outChannels),
    stride: check.stride(c.stride ?? 1),
    expandRatio: check.positive('expandRatio', c.expandRatio),
    startKernel: check.optionalKernel('startKernel', c.startKernel ?? 0),
    middleKernel: check.optionalKernel('middleKernel', c.middleKernel ?? 3),
    endKernel: check.optionalKernel('endKernel', c.endKernel ?? 0),
    se: c.se ?? false,
    activation: check.activation(c.activation ?? 'relu'),
    layerScale: check.layerScale(c.layerScale),
    norm: check.norm(c.norm ?? TORCH_NORM),
  };
  if (b.stride !== 1 && !b.startKernel && !b.middleKernel && !b.endKernel) {
    check.fail('stride', `${b.stride} needs a depthwise convolution to sit on (startKernel, middleKernel and endKernel are all 0)`);
  }
  return b;
}

/**
 * MobileNetV4's universal inverted bottleneck, timm's `UniversalInvertedResidual` unit for unit: start dw (BN),
 * expand 1×1 (BN + act), middle dw (BN + act), SE, project 1×1 (BN), end dw (BN), LayerScale, shortcut.
 */
export class UniversalInvertedBottleneck extends BlockLayer<UniversalInvertedBottleneckConfig> {
  static className = 'UniversalInvertedBottleneck';
  /** makeDivisible(inChannels · e, 8). */
  readonly hiddenChannels: number;
  /** x + f(x): stride 1 and in = out. */
  readonly identity: boolean;

  constructor(config: UniversalInvertedBottleneckConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const b = this.block;
    const hidden = makeDivisible(b.inChannels * b.expandRatio, 8);
    this.hiddenChannels = hidden;
    const unit = (spec: Partial<ConvUnitSpec> & Pick<ConvUnitSpec, 'inChannels' | 'outChannels'>) =>
      new ConvUnit({ kernel: 1, stride: 1, groups: 1, bias: false, norm: b.norm, activation: 'none', ...spec });
    const depthwise = (channels: number, kernel: number, stride: number, activation = b.activation) =>
      unit({ inChannels: channels, outChannels: channels, kernel, stride, groups: channels, activation });
    // timm: the stride goes to the middle dw, else to the start dw, else to the end dw.
    const [startStride, middleStride, endStride] = b.middleKernel ? [1, b.stride, 1] : b.startKernel ? [b.stride, 1, 1] : [1, 1, b.stride];
    const chain: [string, Unit][] = [];
    if (b.startKernel) chain.push(['start', depthwise(b.inChannels, b.startKernel, startStride, 'none')]);
    chain.push(['expand', unit({ inChannels: b.inChannels, outChannels: hidden, activation: b.activation })]);
    if (b.middleKernel) chain.push(['middle', depthwise(hidden, b.middleKernel, middleStride)]);
    if (b.se) chain.push(['se', new SqueezeExciteUnit(hidden, defaultSqueezeChannels(hidden))]);
    chain.push(['project', unit({ inChannels: hidden, outChannels: b.outChannels })]);
    if (b.endKernel) chain.push(['end', depthwise(b.outChannels, b.endKernel, endStride, 'none')]);
    if (b.layerScale !== null) chain.push(['layer_scale', new LayerScaleUnit(b.outChannels, b.layerScale)]);
    this.chain = chain;
    this.identity = b.stride === 1 && b.inChannels === b.outChannels;
  }

  protected override shortcut(x: tf.Tensor4D, out: tf.Tensor4D): tf.Tensor4D {
    return this.identity ? tf.add(out, x) : out;
  }
}
serialization.registerClass(UniversalInvertedBottleneck, 'mobilenets');
