import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { Cost, Size2 } from '@mobilenets/ops';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { type InvertedResidualConfig, type Shortcut, TORCH_NORM } from './config.js';
import { ConvUnit, type ConvUnitSpec } from './conv-unit.js';
import { addCosts, type Mode, type Unit } from './units.js';
import type { AddWeight } from './weights.js';

const SHORTCUTS: readonly Shortcut[] = ['identity', 'conv1x1', 'none'];

/** Python's round(): halves to even, as torchvision's int(round(inp * t)). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function resolve(c: InvertedResidualConfig): Required<InvertedResidualConfig> {
  const check = new Check('InvertedResidual');
  if (!(typeof c.expandRatio === 'number' && c.expandRatio > 0)) check.fail('expandRatio', `must be positive, got ${c.expandRatio}`);
  const inChannels = check.positiveInt('inChannels', c.inChannels);
  if (roundHalfEven(inChannels * c.expandRatio) < 1) {
    check.fail('expandRatio', `${c.expandRatio} leaves round(${inChannels} · ${c.expandRatio}) = 0 hidden channels`);
  }
  const shortcut = c.shortcut ?? 'identity';
  if (!SHORTCUTS.includes(shortcut)) check.fail('shortcut', `must be one of ${SHORTCUTS.join(', ')}, got ${String(shortcut)}`);
  return {
    type: 'InvertedResidual',
    inChannels,
    outChannels: check.positiveInt('outChannels', c.outChannels),
    stride: check.stride(c.stride ?? 1),
    expandRatio: c.expandRatio,
    kernel: check.oddKernel(c.kernel ?? 3),
    shortcut,
    activation: check.activation(c.activation ?? 'relu6'),
    bias: c.bias ?? false,
    forceExpand: c.forceExpand ?? false,
    norm: check.norm(c.norm ?? TORCH_NORM),
  };
}

/**
 * MobileNetV2's inverted residual: expand 1×1 + BN + act (skipped when t = 1 unless forceExpand), depthwise (stride) + BN +
 * act, linear 1×1 projection + BN; plus the shortcut the config asks for.
 */
export class InvertedResidual extends BlockLayer<InvertedResidualConfig> {
  static className = 'InvertedResidual';
  /** round(inChannels · t). */
  readonly hiddenChannels: number;
  /** seed 004's 1×1 conv + BN shortcut, when it applies. */
  private readonly shortcutUnit: ConvUnit | null;
  /** x + f(x): stride 1 and in = out (the paper's residual). */
  readonly identity: boolean;

  constructor(config: InvertedResidualConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const b = this.block;
    const hidden = roundHalfEven(b.inChannels * b.expandRatio);
    this.hiddenChannels = hidden;
    const unit = (spec: Partial<ConvUnitSpec> & Pick<ConvUnitSpec, 'inChannels' | 'outChannels'>) =>
      new ConvUnit({ kernel: 1, stride: 1, groups: 1, bias: b.bias, norm: b.norm, activation: b.activation, ...spec });
    this.chain = [
      ...(b.expandRatio === 1 && !b.forceExpand ? [] : ([['expand', unit({ inChannels: b.inChannels, outChannels: hidden })]] as const)),
      ['depthwise', unit({ inChannels: hidden, outChannels: hidden, kernel: b.kernel, stride: b.stride, groups: hidden })],
      ['project', unit({ inChannels: hidden, outChannels: b.outChannels, activation: 'none' })],
    ];
    this.shortcutUnit =
      b.shortcut === 'conv1x1' && b.stride === 1 ? unit({ inChannels: b.inChannels, outChannels: b.outChannels, activation: 'none' }) : null;
    this.identity = b.shortcut === 'identity' && b.stride === 1 && b.inChannels === b.outChannels;
  }

  protected override buildUnits(add: (unit: string) => AddWeight): void {
    super.buildUnits(add);
    this.shortcutUnit?.build(add('shortcut'));
  }

  override releaseInferenceCache(): void {
    super.releaseInferenceCache();
    this.shortcutUnit?.releaseFolded();
  }

  protected override shortcut(x: tf.Tensor4D, out: tf.Tensor4D, mode: Mode): tf.Tensor4D {
    if (this.shortcutUnit) return tf.add(out, this.shortcutUnit.apply(x, mode));
    return this.identity ? tf.add(out, x) : out;
  }

  protected override units(): Unit[] {
    return this.shortcutUnit ? [...super.units(), this.shortcutUnit] : super.units();
  }

  override cost(inputSize: Size2): Cost {
    const main = super.cost(inputSize);
    return this.shortcutUnit ? addCosts(main, this.shortcutUnit.cost(inputSize)) : main;
  }
}
serialization.registerClass(InvertedResidual, 'mobilenets');
