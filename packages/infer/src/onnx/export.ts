import type { BlockConfig } from '@mobilenets/blocks';
import type * as tfl from '@tensorflow/tfjs-layers';
import { OnnxExportError } from '../errors.js';
import type { Quantization } from '../quantize/codecs.js';
import { blockPlan } from './blocks.js';
import { Exporter, LayerWeights, type Weight } from './exporter.js';
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
 * as ONNX's own ops, GELU as its Erf form, squeeze-excite as pool / conv / conv / scale, LayerScale as Mul,
 * Mobile MQA as convs, MatMul, Softmax, MatMul, residuals as Add, the classifier as Gemm (see exporter.ts).
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
    if (plan?.kind === 'chain') {
      y = ex.chain(w, plan, x);
    } else if (plan?.kind === 'attention') {
      y = ex.attention(w, plan, x, inShape[1]!, inShape[2]!);
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
