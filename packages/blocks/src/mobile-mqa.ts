import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { Cost, Size2, TrainingMemory } from '@mobilenets/ops';
import { BlockLayer, layerOptions, type LayerOptions } from './block-layer.js';
import { Check } from './check.js';
import { type MobileMQAConfig, TORCH_NORM } from './config.js';
import { ConvUnit } from './conv-unit.js';
import { LayerScaleUnit } from './layer-scale.js';
import { NormUnit } from './norm-unit.js';
import { type Mode, type Unit, WORKING_TENSORS, addCosts } from './units.js';
import type { AddWeight } from './weights.js';

function resolve(c: MobileMQAConfig): Required<MobileMQAConfig> {
  const check = new Check('MobileMQA');
  if ((c.stride ?? 1) !== 1) check.fail('stride', `must be 1 (the attention block keeps its resolution), got ${String(c.stride)}`);
  const keyDim = check.positiveInt('keyDim', c.keyDim);
  const kvStride = c.kvStride ?? 1;
  if (kvStride !== 1 && kvStride !== 2) check.fail('kvStride', `must be 1 or 2, got ${String(kvStride)}`);
  return {
    type: 'MobileMQA',
    inChannels: check.positiveInt('inChannels', c.inChannels),
    outChannels: check.positiveInt('outChannels', c.outChannels),
    stride: 1,
    heads: check.positiveInt('heads', c.heads),
    keyDim,
    valueDim: check.positiveInt('valueDim', c.valueDim ?? keyDim),
    kvStride,
    kvKernel: check.oddKernel(c.kvKernel ?? 3),
    layerScale: check.layerScale(c.layerScale),
    norm: check.norm(c.norm ?? TORCH_NORM),
  };
}

interface MqaUnits {
  norm: NormUnit;
  query: ConvUnit;
  keyDown: ConvUnit | null;
  key: ConvUnit;
  valueDown: ConvUnit | null;
  value: ConvUnit;
  output: ConvUnit;
  layerScale: LayerScaleUnit | null;
}

/**
 * MobileNetV4's Mobile MQA block, timm's `MobileAttention(use_multi_query=True)`: BatchNorm; queries by a 1×1
 * conv to heads · keyDim; one key and one value head (1×1 convs to keyDim / valueDim), each after an optional
 * strided depthwise conv + BN; softmax(q·kᵀ / √keyDim)·v per head; 1×1 output conv; LayerScale; x + f(x) when
 * in = out. The attention is plain matMul, softmax and reshape, whose gradients every backend has.
 */
export class MobileMQA extends BlockLayer<MobileMQAConfig> {
  static className = 'MobileMQA';
  readonly identity: boolean;
  private readonly parts: MqaUnits;

  constructor(config: MobileMQAConfig & LayerOptions) {
    super(layerOptions(config), resolve(config));
    const b = this.block;
    const proj = (inChannels: number, outChannels: number) =>
      new ConvUnit({ inChannels, outChannels, kernel: 1, stride: 1, groups: 1, bias: false, norm: null, activation: 'none' });
    const down = () =>
      b.kvStride === 1
        ? null
        : new ConvUnit({ inChannels: b.inChannels, outChannels: b.inChannels, kernel: b.kvKernel, stride: b.kvStride, groups: b.inChannels, bias: false, norm: b.norm, activation: 'none' });
    this.parts = {
      norm: new NormUnit(b.inChannels, b.norm),
      query: proj(b.inChannels, b.heads * b.keyDim),
      keyDown: down(),
      key: proj(b.inChannels, b.keyDim),
      valueDown: down(),
      value: proj(b.inChannels, b.valueDim),
      output: proj(b.heads * b.valueDim, b.outChannels),
      layerScale: b.layerScale === null ? null : new LayerScaleUnit(b.outChannels, b.layerScale),
    };
    const u = this.parts;
    // Build order and weight names (`<unit>/<weight>`); the forward pass is not a chain.
    const named: [string, Unit | null][] = [
      ['norm', u.norm],
      ['query', u.query],
      ['key_down', u.keyDown],
      ['key', u.key],
      ['value_down', u.valueDown],
      ['value', u.value],
      ['output', u.output],
      ['layer_scale', u.layerScale],
    ];
    this.chain = named.filter((e): e is [string, Unit] => e[1] !== null);
    this.identity = b.inChannels === b.outChannels;
  }

  /** timm re-initializes the attention's convolutions with xavier uniform. */
  protected override buildUnits(add: (unit: string) => AddWeight): void {
    for (const [name, unit] of this.chain) {
      const scoped = add(name);
      const xavier = unit instanceof ConvUnit;
      unit.build((weight, shape, init, trainable) => scoped(weight, shape, xavier && weight === 'kernel' ? 'xavier' : init, trainable));
    }
  }

  protected override run(x: tf.Tensor4D, mode: Mode): tf.Tensor4D {
    const { heads, keyDim, valueDim } = this.block;
    const u = this.parts;
    const [n, h, w] = x.shape;
    const normed = u.norm.apply(x, mode);
    const q = u.query.apply(normed, mode);
    const k = u.key.apply(u.keyDown ? u.keyDown.apply(normed, mode) : normed, mode);
    const v = u.value.apply(u.valueDown ? u.valueDown.apply(normed, mode) : normed, mode);
    const kv = k.shape[1] * k.shape[2];
    // Rows are (pixel, head) pairs: every head of every query pixel attends to the same keys.
    const queries = tf.reshape(tf.mul(q, 1 / Math.sqrt(keyDim)), [n, h * w * heads, keyDim]);
    const keysT = tf.transpose(tf.reshape(k, [n, kv, keyDim]), [0, 2, 1]);
    const weights = tf.softmax(tf.matMul(queries, keysT));
    const attended = tf.reshape<tf.Rank.R4>(tf.matMul(weights, tf.reshape(v, [n, kv, valueDim])), [n, h, w, heads * valueDim]);
    let y = u.output.apply(attended, mode);
    if (u.layerScale) y = u.layerScale.apply(y);
    return this.identity ? tf.add(y, x) : y;
  }

  /**
   * Per image: what each unit keeps at its own size, plus the attention's scaled queries, scores and softmax
   * weights (the matrix products' and softmax's saved tensors); the backward pass's working set is led by the
   * scores.
   */
  protected override plainTrainingMemory(inputSize: Size2): TrainingMemory {
    const { heads, keyDim } = this.block;
    const u = this.parts;
    const [h, w] = typeof inputSize === 'number' ? [inputSize, inputSize] : inputSize;
    const pixels = h * w;
    const kvSize = (u.keyDown?.cost([h, w]).outputSize ?? [h, w]) as [number, number];
    const kvPixels = kvSize[0] * kvSize[1];
    const full: Size2 = [h, w];
    const sized: [Unit | null, Size2][] = [
      [u.norm, full],
      [u.query, full],
      [u.keyDown, full],
      [u.key, kvSize],
      [u.valueDown, full],
      [u.value, kvSize],
      [u.output, full],
      [u.layerScale, full],
    ];
    const units = sized.reduce((sum, [unit, size]) => sum + (unit ? unit.savedOutputs * unit.cost(size).activationBytes : 0), 0);
    const scores = pixels * heads * kvPixels * 4;
    return {
      saved: units + pixels * heads * keyDim * 4 + 2 * scores,
      transient: WORKING_TENSORS * Math.max(scores, pixels * this.block.inChannels * 4),
    };
  }

  /** The convolutions' costs at their sizes, plus q·kᵀ and the weighted sum of v: L·heads·P·(keyDim + valueDim) MACs. */
  override cost(inputSize: Size2): Cost {
    const { heads, keyDim, valueDim } = this.block;
    const u = this.parts;
    const size = u.norm.cost(inputSize).outputSize;
    const branch = (down: ConvUnit | null, proj: ConvUnit) => {
      const d = down?.cost(size);
      return d ? addCosts(d, proj.cost(d.outputSize)) : proj.cost(size);
    };
    const key = branch(u.keyDown, u.key);
    const pixels = size[0] * size[1];
    const kvPixels = key.outputSize[0] * key.outputSize[1];
    const attention: Cost = {
      params: 0,
      macs: pixels * heads * kvPixels * (keyDim + valueDim),
      outputSize: size,
      activationBytes: pixels * heads * (kvPixels + valueDim) * 4,
    };
    const parts = [u.norm.cost(size), u.query.cost(size), key, branch(u.valueDown, u.value), attention, u.output.cost(size)];
    if (u.layerScale) parts.push(u.layerScale.cost(size));
    return parts.reduce((a, b) => ({ ...addCosts(a, b), outputSize: size }));
  }
}
serialization.registerClass(MobileMQA, 'mobilenets');
