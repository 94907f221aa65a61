import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { makeDivisible } from '@mobilenets/ops';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { type SandglassConfig, TORCH_NORM } from './config.js';
import { ConvUnit, type ConvUnitSpec } from './conv-unit.js';

/**
 * The official `SGBlock`'s hidden width: in // t; when that is below out / 6, makeDivisible(ceil(out / 6), 16)
 * instead. The rounding to 16 applies only to a raised width (yitu-opensource/MobileNeXt `mnext.py`; seed 001's
 * text lost the indentation that shows it).
 */
export function sandglassHidden(inChannels: number, outChannels: number, reduction: number): number {
  const hidden = Math.floor(inChannels / reduction);
  return hidden < outChannels / 6 ? makeDivisible(Math.ceil(outChannels / 6), 16) : hidden;
}

/**
 * Which of seed 001's four `SGBlock` layouts a config gets:
 * - `first` (t = 2): dw 3×3 + BN + ReLU6, pw + BN, pw + BN + ReLU6, dw 3×3 (stride) + BN;
 * - `pw-pw` (in ≠ out, stride 1, no keep3x3): pw + BN, pw + BN + ReLU6;
 * - `pw-pw-dw` (in ≠ out, stride 2, no keep3x3): pw + BN, pw + BN + ReLU6, dw 3×3 (stride) + BN;
 * - `full` otherwise: as `first`, with the identity shortcut unless keep3x3.
 */
export type SandglassLayout = 'first' | 'pw-pw' | 'pw-pw-dw' | 'full';

export function sandglassLayout(c: Pick<SandglassConfig, 'inChannels' | 'outChannels' | 'stride' | 'reduction' | 'keep3x3'>): SandglassLayout {
  if (c.reduction === 2) return 'first';
  if (c.inChannels !== c.outChannels && !c.keep3x3) return (c.stride ?? 1) === 1 ? 'pw-pw' : 'pw-pw-dw';
  return 'full';
}

function resolve(c: SandglassConfig): Required<SandglassConfig> {
  const check = new Check('Sandglass');
  const inChannels = check.positiveInt('inChannels', c.inChannels);
  const outChannels = check.positiveInt('outChannels', c.outChannels);
  const stride = check.stride(c.stride ?? 1);
  const identityDiv = check.positiveInt('identityDiv', c.identityDiv ?? 1);
  if (!(typeof c.reduction === 'number' && c.reduction > 0)) check.fail('reduction', `must be positive, got ${c.reduction}`);
  const keep3x3 = c.keep3x3 ?? false;
  if (sandglassLayout({ ...c, keep3x3 }) === 'full' && !keep3x3 && (stride !== 1 || inChannels !== outChannels)) {
    // Seed 001 would add x to an output of another shape here (no published configuration does this).
    check.fail('stride', `must be 1 for a sandglass block with an identity shortcut (in = out = ${inChannels}); got ${stride}`);
  }
  return { type: 'Sandglass', inChannels, outChannels, stride, reduction: c.reduction, keep3x3, identityDiv, norm: check.norm(c.norm ?? TORCH_NORM) };
}

/** MobileNeXt's sandglass block: the shortcut and the depthwise convolutions sit at the wide ends. */
export class Sandglass extends BlockLayer<SandglassConfig> {
  static className = 'Sandglass';
  readonly hiddenChannels: number;
  readonly layout: SandglassLayout;
  readonly identity: boolean;

  constructor(config: SandglassConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const b = this.block;
    const hidden = sandglassHidden(b.inChannels, b.outChannels, b.reduction);
    this.hiddenChannels = hidden;
    this.layout = sandglassLayout(b);
    const unit = (spec: Partial<ConvUnitSpec> & Pick<ConvUnitSpec, 'inChannels' | 'outChannels'>) =>
      new ConvUnit({ kernel: 1, stride: 1, groups: 1, bias: false, norm: b.norm, activation: 'none', ...spec });
    const dwIn = unit({ inChannels: b.inChannels, outChannels: b.inChannels, kernel: 3, groups: b.inChannels, activation: 'relu6' });
    const reduce = unit({ inChannels: b.inChannels, outChannels: hidden });
    const expand = unit({ inChannels: hidden, outChannels: b.outChannels, activation: 'relu6' });
    const dwOut = unit({ inChannels: b.outChannels, outChannels: b.outChannels, kernel: 3, stride: b.stride, groups: b.outChannels });
    const hasDwIn = this.layout === 'first' || this.layout === 'full';
    const hasDwOut = this.layout !== 'pw-pw';
    this.chain = [
      ...(hasDwIn ? ([['depthwise_in', dwIn]] as const) : []),
      ['reduce', reduce],
      ['expand', expand],
      ...(hasDwOut ? ([['depthwise_out', dwOut]] as const) : []),
    ];
    this.identity = this.layout === 'full' && !b.keep3x3;
  }

  protected override shortcut(x: tf.Tensor4D, out: tf.Tensor4D): tf.Tensor4D {
    if (!this.identity) return out;
    const { outChannels, identityDiv } = this.block;
    if (identityDiv === 1) return tf.add(out, x);
    // Only the first channels / identityDiv channels get the shortcut: mask the rest of x out.
    const kept = Math.floor(outChannels / identityDiv);
    const mask = tf.concat([tf.ones([kept]), tf.zeros([outChannels - kept])]);
    return tf.add(out, tf.mul(x, mask));
  }
}
serialization.registerClass(Sandglass, 'mobilenets');
