import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { type BneckConfig, V3_NORM } from './config.js';
import { ConvUnit } from './conv-unit.js';
import { SqueezeExciteUnit, defaultSqueezeChannels } from './se-unit.js';

function resolve(c: BneckConfig): Required<BneckConfig> {
  const check = new Check('Bneck');
  if (c.kernel !== 3 && c.kernel !== 5) check.fail('kernel', `must be 3 or 5, got ${String(c.kernel)}`);
  if (typeof c.se !== 'boolean') check.fail('se', `must be true or false, got ${String(c.se)}`);
  return {
    type: 'Bneck',
    inChannels: check.positiveInt('inChannels', c.inChannels),
    outChannels: check.positiveInt('outChannels', c.outChannels),
    expandChannels: check.positiveInt('expandChannels', c.expandChannels),
    stride: check.stride(c.stride ?? 1),
    kernel: c.kernel,
    se: c.se,
    activation: check.activation(c.activation),
    norm: check.norm(c.norm ?? V3_NORM),
  };
}

/**
 * MobileNetV3's bneck (torchvision's InvertedResidual for V3): expand 1×1 + BN + act (skipped when the
 * expansion equals the input width), depthwise 3×3 or 5×5 + BN + act, squeeze-excite, linear 1×1 + BN;
 * x + f(x) when stride is 1 and in = out.
 */
export class Bneck extends BlockLayer<BneckConfig> {
  static className = 'Bneck';
  readonly identity: boolean;

  constructor(config: BneckConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const b = this.block;
    const exp = b.expandChannels;
    const base = { stride: 1, groups: 1, bias: false, norm: b.norm, activation: b.activation };
    this.chain = [
      ...(exp === b.inChannels ? [] : ([['expand', new ConvUnit({ ...base, inChannels: b.inChannels, outChannels: exp, kernel: 1 })]] as const)),
      ['depthwise', new ConvUnit({ ...base, inChannels: exp, outChannels: exp, kernel: b.kernel, stride: b.stride, groups: exp })],
      ...(b.se ? ([['se', new SqueezeExciteUnit(exp, defaultSqueezeChannels(exp))]] as const) : []),
      ['project', new ConvUnit({ ...base, inChannels: exp, outChannels: b.outChannels, kernel: 1, activation: 'none' })],
    ];
    this.identity = b.stride === 1 && b.inChannels === b.outChannels;
  }

  protected override shortcut(x: tf.Tensor4D, out: tf.Tensor4D): tf.Tensor4D {
    return this.identity ? tf.add(out, x) : out;
  }
}
serialization.registerClass(Bneck, 'mobilenets');
