import type { Activation, BlockConfig } from '@mobilenets/blocks';
import type * as tfl from '@tensorflow/tfjs-layers';
import { OnnxExportError } from '../errors.js';
import type { Quantization } from '../quantize/codecs.js';
import { type BlockPlan, blockPlan, type ConvPlan } from './blocks.js';
import { GraphBuilder } from './graph.js';
import { DataType, encodeModel, IR_VERSION, type ModelProto, OPSET, type ValueInfoProto } from './proto.js';

export interface ExportOnnxOptions {
  /** Store weights as float16 (with a Cast) or uint8 per output channel (with a DequantizeLinear); default float32. */
  quantize?: Quantization;
  /** Also output the classifier's input features as `embedding` (a model with a classifier only). */
  embedding?: boolean;
  /** Key–value strings stored in the model's metadata_props (the CLI stores `mobilenets.json` there). */
  metadata?: Record<string, string>;
}

/** The graph's input, as torchvision's exports name it: NCHW float32, any batch. */
export const INPUT_NAME = 'input';
export const LOGITS_NAME = 'logits';
export const EMBEDDING_NAME = 'embedding';

interface Weight {
  shape: number[];
  values: Float32Array;
}

/** A layer's weights by their name inside the layer (`expand/kernel`), each to be used exactly once. */
class LayerWeights {
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

class Exporter {
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
      const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((n) => weights.take(`${plan.unit}/${n}`).values) as Float32Array[];
      folded = new Float32Array(out);
      const per = kernel.values.length / out;
      for (let o = 0; o < out; o++) {
        const scale = gamma![o]! / Math.sqrt(variance![o]! + plan.epsilon);
        for (let i = o * per; i < (o + 1) * per; i++) kernel.values[i] = kernel.values[i]! * scale;
        folded[o] = beta![o]! - mean![o]! * scale + (bias ? bias[o]! * scale : 0);
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

  block(weights: LayerWeights, plan: BlockPlan, x: string): string {
    let h = x;
    for (const unit of plan.units) h = unit.kind === 'conv' ? this.conv(weights, unit, h) : this.se(weights, unit.unit, h);
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
}

/** Reads every weight of the model once (asynchronously: WebGPU cannot read synchronously in Node). */
async function readWeights(model: tfl.LayersModel): Promise<Map<tfl.layers.Layer, LayerWeights>> {
  const out = new Map<tfl.layers.Layer, LayerWeights>();
  for (const layer of model.layers) {
    const weights = new Map<string, Weight>();
    for (const w of layer.weights) {
      const local = w.originalName.startsWith(`${layer.name}/`) ? w.originalName.slice(layer.name.length + 1) : w.originalName;
      weights.set(local, { shape: w.shape as number[], values: (await w.read().data()) as Float32Array });
    }
    out.set(layer, new LayerWeights(layer.name, weights));
  }
  return out;
}

const dims = (...d: (number | string)[]) => ({ dim: d.map((v) => (typeof v === 'string' ? { dimParam: v } : { dimValue: v })) });
const valueInfo = (name: string, shape: (number | string)[]): ValueInfoProto => ({ name, type: { tensorType: { elemType: DataType.FLOAT, shape: dims(...shape) } } });

const single = <T>(x: T | T[], layer: string): T => {
  if (Array.isArray(x)) {
    if (x.length !== 1) throw new OnnxExportError(layer, `has ${x.length} inputs; the exporter handles chains of single-input layers`);
    return x[0]!;
  }
  return x;
};

/**
 * The ONNX model of a zoo model (opset 17, IR version 8): NCHW float32 input `input` of any batch, output
 * `logits` (or `embedding` for a model built with `features: 'embedding'`). Built from each layer's block
 * config and weights — BatchNorm folded into the convolutions, ReLU6 as Clip, hard-swish and hard-sigmoid
 * as ONNX's own ops, squeeze-excite as pool / conv / conv / scale, residuals as Add, the classifier as Gemm.
 * A layer it has no form for is an OnnxExportError naming it.
 */
export async function exportOnnx(model: tfl.LayersModel, options: ExportOnnxOptions = {}): Promise<Uint8Array> {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new OnnxExportError(model.name, `has ${model.inputs.length} inputs and ${model.outputs.length} outputs; one of each exports (not features: 'stages')`);
  }
  const [, height, width, channels] = model.inputs[0]!.shape;
  if (channels !== 3 || !height || !width) throw new OnnxExportError(model.name, `input shape [${model.inputs[0]!.shape.join(', ')}] is not [batch, height, width, 3]`);
  const g = new GraphBuilder(options.quantize ?? 'float32');
  const ex = new Exporter(g);
  const weights = await readWeights(model);
  /** ONNX value of each symbolic tensor, by its id. */
  const values = new Map<number, string>([[model.inputs[0]!.id, INPUT_NAME]]);
  let embedding: string | undefined;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const input = single(layer.input, layer.name);
    const x = values.get(input.id);
    if (x === undefined) throw new OnnxExportError(layer.name, 'its input comes from a layer the exporter has not seen');
    const w = weights.get(layer)!;
    const inShape = input.shape;
    let y: string;
    const config = layer.getConfig();
    const plan = typeof config.type === 'string' ? blockPlan(config as unknown as BlockConfig) : null;
    if (plan) {
      y = ex.block(w, plan, x);
    } else if (className === 'GlobalAveragePooling2D') {
      y = g.node('Flatten', [g.node('GlobalAveragePool', [x], `${layer.name}/pool`)], layer.name, { axis: 1 });
    } else if (className === 'Reshape' && inShape.length === 2 && String(config.targetShape) === String([1, 1, inShape[1]])) {
      y = g.node('Unsqueeze', [x, g.int64(`${layer.name}/axes`, [2, 3])], layer.name); // [N, C] → [N, C, 1, 1]
    } else if (className === 'Flatten' && inShape.length === 4 && inShape[1] === 1 && inShape[2] === 1) {
      y = g.node('Flatten', [x], layer.name, { axis: 1 }); // 1×1 maps: NCHW and NHWC flatten alike
    } else if (className === 'Dropout') {
      y = x;
    } else if (className === 'Dense' && config.activation === 'linear') {
      embedding = x;
      const kernel = w.take('kernel');
      const [n, units] = kernel.shape as [number, number];
      const transposed = new Float32Array(kernel.values.length);
      for (let i = 0; i < n; i++) for (let o = 0; o < units; o++) transposed[o * n + i] = kernel.values[i * units + o]!;
      const inputs = [x, g.weight(`${layer.name}/weight`, [units, n], transposed, true)];
      const bias = w.maybe('bias');
      if (bias) inputs.push(g.weight(`${layer.name}/bias`, [units], bias.values, false));
      y = g.node('Gemm', inputs, layer.name, { transB: 1 });
    } else {
      throw new OnnxExportError(layer.name, `no ONNX form for a ${className} layer${plan === null && typeof config.type === 'string' ? ` (block type ${config.type})` : ''}`);
    }
    w.done();
    values.set(single(layer.output, layer.name).id, y);
  }
  const output = model.outputs[0]!;
  const last = values.get(output.id)!;
  const isLogits = model.layers.at(-1)!.getClassName() === 'Dense';
  const outputs = [valueInfo(isLogits ? LOGITS_NAME : EMBEDDING_NAME, ['batch', output.shape[1]!])];
  g.rename(last, outputs[0]!.name);
  if (options.embedding && isLogits) {
    if (embedding === undefined || embedding === INPUT_NAME) throw new OnnxExportError(model.name, 'has no embedding before its classifier');
    const features = single(model.layers.at(-1)!.input, 'classifier').shape[1]!;
    g.rename(embedding, EMBEDDING_NAME);
    outputs.push(valueInfo(EMBEDDING_NAME, ['batch', features]));
  }
  const onnx: ModelProto = {
    irVersion: IR_VERSION,
    producerName: '@mobilenets/infer',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(INPUT_NAME, ['batch', 3, height, width])],
      output: outputs,
    },
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return encodeModel(onnx);
}
