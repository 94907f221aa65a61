/**
 * The ONNX form of each unit of the blocks (conv-BN-act, squeeze-excite, LayerScale, BatchNorm, attention),
 * written from the unit's plan and the layer's weights. Values are NCHW throughout.
 */
import type { Activation } from '@mobilenets/blocks';
import { OnnxExportError } from '../errors.js';
import type { AttentionPlan, ChainPlan, ConvPlan } from './blocks.js';
import type { GraphBuilder } from './graph.js';

export interface Weight {
  shape: number[];
  values: Float32Array;
}

/** A layer's weights by their name inside the layer (`expand/kernel`), each to be used exactly once. */
export class LayerWeights {
  private readonly unused: Set<string>;
  constructor(
    readonly layer: string,
    private readonly weights: Map<string, Weight>,
  ) {
    this.unused = new Set(weights.keys());
  }
  take(name: string): Weight {
    const w = this.weights.get(name);
    if (!w) throw new OnnxExportError(this.layer, `has no weight '${name}' (weights: ${[...this.weights.keys()].join(', ')})`);
    this.unused.delete(name);
    return w;
  }
  maybe(name: string): Weight | undefined {
    return this.weights.has(name) ? this.take(name) : undefined;
  }
  /** Every weight was used: a plan that drifted from its block's layout cannot pass silently. */
  done(): void {
    if (this.unused.size > 0) throw new OnnxExportError(this.layer, `weights the export did not use: ${[...this.unused].join(', ')}`);
  }
}

/** A tfjs conv kernel ([k, k, in/groups, out], or [k, k, C, 1] depthwise) as ONNX's [out, in/groups, k, k]. */
function onnxKernel(w: Weight, depthwise: boolean): { dims: number[]; values: Float32Array } {
  const [kh, kw, a, b] = w.shape as [number, number, number, number];
  const [out, inPer] = depthwise ? [a, 1] : [b, a];
  const values = new Float32Array(w.values.length);
  for (let o = 0; o < out; o++) {
    for (let c = 0; c < inPer; c++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const src = ((i * kw + j) * a + (depthwise ? o : c)) * b + (depthwise ? 0 : o);
          values[((o * inPer + c) * kh + i) * kw + j] = w.values[src]!;
        }
      }
    }
  }
  return { dims: [out, inPer, kh, kw], values };
}

/** A BatchNorm's running statistics as the per-channel affine they apply: y = x · scale + shift (float64). */
function batchNorm(weights: LayerWeights, unit: string, epsilon: number): { scale: Float64Array; shift: Float64Array } {
  const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((n) => weights.take(`${unit}/${n}`).values) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const scale = Float64Array.from(gamma, (g, o) => g / Math.sqrt(variance[o]! + epsilon));
  const shift = Float64Array.from(beta, (b, o) => b - mean[o]! * scale[o]!);
  return { scale, shift };
}

/** Writes units into a graph; scalar constants are shared by the whole graph. */
export class Exporter {
  private readonly scalars = new Map<string, string>();

  constructor(readonly g: GraphBuilder) {}

  /** A float32 scalar constant, made once and shared by every node that needs it. */
  scalar(name: string, value: number): string {
    let v = this.scalars.get(name);
    if (v === undefined) {
      v = this.g.constant(name, [], Float32Array.of(value));
      this.scalars.set(name, v);
    }
    return v;
  }

  activate(x: string, activation: Activation, name: string): string {
    switch (activation) {
      case 'relu':
        return this.g.node('Relu', [x], `${name}/relu`);
      case 'relu6':
        return this.g.node('Clip', [x, this.scalar('relu6_min', 0), this.scalar('relu6_max', 6)], `${name}/relu6`);
      case 'hardSwish':
        return this.g.node('HardSwish', [x], `${name}/hard_swish`);
      case 'hardSigmoid':
        return this.g.node('HardSigmoid', [x], `${name}/hard_sigmoid`, { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
      case 'gelu':
        return this.gelu(x, `${name}/gelu`);
      case 'none':
        return x;
    }
  }

  /** GELU's exact form, 0.5 · x · (1 + erf(x / √2)): opset 17 has Erf (Gelu itself arrives in opset 20). */
  private gelu(x: string, name: string): string {
    const erf = this.g.node('Erf', [this.g.node('Mul', [x, this.scalar('gelu_inv_sqrt2', Math.SQRT1_2)], `${name}/scale`)], `${name}/erf`);
    const cdf = this.g.node('Mul', [this.g.node('Add', [erf, this.scalar('one', 1)], `${name}/add`), this.scalar('half', 0.5)], `${name}/cdf`);
    return this.g.node('Mul', [x, cdf], name);
  }

  /** Conv with BatchNorm folded into its weights and bias, then the activation. */
  conv(weights: LayerWeights, plan: ConvPlan, x: string): string {
    const name = `${weights.layer}/${plan.unit}`;
    const kernel = onnxKernel(weights.take(`${plan.unit}/kernel`), plan.depthwise);
    const out = kernel.dims[0]!;
    const bias = weights.maybe(`${plan.unit}/bias`)?.values;
    let folded: Float32Array | undefined = bias;
    if (plan.epsilon !== null) {
      const { scale, shift } = batchNorm(weights, plan.unit, plan.epsilon);
      folded = new Float32Array(out);
      const per = kernel.values.length / out;
      for (let o = 0; o < out; o++) {
        for (let i = o * per; i < (o + 1) * per; i++) kernel.values[i] = kernel.values[i]! * scale[o]!;
        folded[o] = shift[o]! + (bias ? bias[o]! * scale[o]! : 0);
      }
    }
    const inputs = [x, this.g.weight(`${name}/weight`, kernel.dims, kernel.values, true)];
    if (folded) inputs.push(this.g.weight(`${name}/bias`, [out], folded, false));
    const p = plan.kernel >> 1;
    const y = this.g.node('Conv', inputs, name, {
      kernel_shape: [plan.kernel, plan.kernel],
      strides: [plan.stride, plan.stride],
      pads: [p, p, p, p],
      dilations: [1, 1],
      group: plan.depthwise ? out : plan.groups,
    });
    return this.activate(y, plan.activation, name);
  }

  /** Squeeze-and-excitation: GlobalAveragePool → Conv → Relu → Conv → HardSigmoid → Mul. */
  se(weights: LayerWeights, unit: string, x: string): string {
    const name = `${weights.layer}/${unit}`;
    const pooled = this.g.node('GlobalAveragePool', [x], `${name}/pool`);
    const fc = (which: 'reduce' | 'expand', input: string) => {
      const k = onnxKernel(weights.take(`${unit}/${which}_kernel`), false);
      const b = weights.take(`${unit}/${which}_bias`).values;
      return this.g.node('Conv', [input, this.g.weight(`${name}/${which}/weight`, k.dims, k.values, true), this.g.weight(`${name}/${which}/bias`, [k.dims[0]!], b, false)], `${name}/${which}`, {
        kernel_shape: [1, 1],
      });
    };
    const squeezed = this.activate(fc('reduce', pooled), 'relu', `${name}/reduce`);
    const scale = this.activate(fc('expand', squeezed), 'hardSigmoid', `${name}/expand`);
    return this.g.node('Mul', [x, scale], `${name}/scale`);
  }

  /** A per-channel factor on NCHW values: a [C, 1, 1] tensor that broadcasts over the batch and the pixels. */
  private channelWise(op: 'Mul' | 'Add', x: string, name: string, values: Float32Array): string {
    return this.g.node(op, [x, this.g.weight(name, [values.length, 1, 1], values, false)], `${name}_${op.toLowerCase()}`);
  }

  /** LayerScale: x · γ per channel. */
  layerScale(weights: LayerWeights, unit: string, x: string): string {
    return this.channelWise('Mul', x, `${weights.layer}/${unit}/gamma`, weights.take(`${unit}/gamma`).values);
  }

  /** BatchNorm on its own (no convolution to fold it into): x · scale + shift per channel. */
  norm(weights: LayerWeights, unit: string, epsilon: number, x: string): string {
    const { scale, shift } = batchNorm(weights, unit, epsilon);
    const name = `${weights.layer}/${unit}`;
    return this.channelWise('Add', this.channelWise('Mul', x, `${name}/scale`, Float32Array.from(scale)), `${name}/shift`, Float32Array.from(shift));
  }

  /** A block of units in a row, then its shortcut. */
  chain(weights: LayerWeights, plan: ChainPlan, x: string): string {
    let h = x;
    for (const unit of plan.units) {
      if (unit.kind === 'conv') h = this.conv(weights, unit, h);
      else if (unit.kind === 'se') h = this.se(weights, unit.unit, h);
      else h = this.layerScale(weights, unit.unit, h);
    }
    const s = plan.shortcut;
    if (s.kind === 'none') return h;
    if (s.kind === 'conv') return this.g.node('Add', [h, this.conv(weights, s.unit, x)], `${weights.layer}/add`);
    let shortcut = x;
    if (s.identityDiv !== 1) {
      // Only the first channels / identityDiv channels get the shortcut, as the Sandglass layer's mask.
      const channels = s.channels;
      const kept = Math.floor(channels / s.identityDiv);
      const mask = Float32Array.from({ length: channels }, (_, c) => (c < kept ? 1 : 0));
      shortcut = this.g.node('Mul', [x, this.g.constant(`${weights.layer}/shortcut_mask`, [1, channels, 1, 1], mask)], `${weights.layer}/shortcut`);
    }
    return this.g.node('Add', [h, shortcut], `${weights.layer}/add`);
  }

  /**
   * Mobile MQA, the block's math: q = Wq·BN(x) / √keyDim split into heads; one key and one value head, each from
   * BN(x) through an optional strided depthwise conv + BN; softmax over the keys of q·kᵀ; its weighted sum of v;
   * the output 1×1 conv; LayerScale; x + f(x). Here queries are [N, heads, keyDim, H·W] (channel = head · keyDim
   * + d, as the block's reshape of NHWC) and the scores [N, heads, kv, H·W], kᵀ·q, softmax on axis 2: the same
   * numbers as the block's q·kᵀ with one Transpose (of the keys) instead of three, and v·p lands in NCHW order.
   */
  attention(weights: LayerWeights, plan: AttentionPlan, x: string, height: number, width: number): string {
    const { heads, keyDim, valueDim } = plan;
    const name = weights.layer;
    const normed = this.norm(weights, 'norm', plan.epsilon, x);
    const project = (down: ConvPlan | null, proj: ConvPlan) => this.conv(weights, proj, down ? this.conv(weights, down, normed) : normed);
    const reshape = (v: string, unit: string, dims: number[]) => this.g.node('Reshape', [v, this.g.int64(`${name}/${unit}/shape`, dims)], `${name}/${unit}/reshape`);
    const q = this.g.node('Mul', [this.conv(weights, plan.query, normed), this.scalar(`inv_sqrt_${keyDim}`, 1 / Math.sqrt(keyDim))], `${name}/query/scale`);
    // Reshape's 0 keeps the batch dimension as it comes.
    const queries = reshape(q, 'query', [0, heads, keyDim, -1]);
    const keysT = this.g.node('Transpose', [reshape(project(plan.keyDown, plan.key), 'key', [0, 1, keyDim, -1])], `${name}/key/transpose`, { perm: [0, 1, 3, 2] });
    const values = reshape(project(plan.valueDown, plan.value), 'value', [0, 1, valueDim, -1]);
    const scores = this.g.node('MatMul', [keysT, queries], `${name}/scores`);
    const attention = this.g.node('Softmax', [scores], `${name}/softmax`, { axis: 2 });
    const attended = reshape(this.g.node('MatMul', [values, attention], `${name}/attend`), 'attended', [0, heads * valueDim, height, width]);
    let y = this.conv(weights, plan.output, attended);
    if (plan.layerScale) y = this.layerScale(weights, plan.layerScale.unit, y);
    return plan.residual ? this.g.node('Add', [y, x], `${name}/add`) : y;
  }
}
