import { quantizeUint8, toFloat16, type WeightStorage } from '../quantize/codecs.js';
import { type AttributeValue, attribute, DataType, type NodeProto, type TensorProto } from './proto.js';

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Nodes and initializers of an ONNX graph in the making, every name unique. Weights are stored as `storage`
 * says: float16 initializers behind a Cast, or uint8 with per-output-channel scales behind a DequantizeLinear;
 * the graph computes in float32 either way.
 */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly taken = new Set<string>();

  constructor(private readonly storage: WeightStorage = 'float32') {}

  /** `base`, or `base_1`, `base_2`, … when taken. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** One node with one output, named after the node; returns the output's name. */
  node(opType: string, inputs: string[], name: string, attributes: Record<string, AttributeValue> = {}): string {
    const output = this.unique(name);
    this.nodes.push({ name: output, opType, input: inputs, output: [output], attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)) });
    return output;
  }

  private initializer(name: string, dims: number[], dataType: number, data: ArrayBufferView): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, dataType, rawData: bytes(data) });
    return unique;
  }

  /** A float32 constant (never quantized: activation bounds, masks). */
  constant(name: string, dims: number[], values: Float32Array): string {
    return this.initializer(name, dims, DataType.FLOAT, values);
  }

  /** An int64 constant (shapes, axes). */
  int64(name: string, values: number[]): string {
    return this.initializer(name, [values.length], DataType.INT64, BigInt64Array.from(values, BigInt));
  }

  /**
   * A learned tensor, stored as the builder's storage says. `perChannel`: a weight matrix or kernel whose
   * leading axis is the output channel (8-bit storage quantizes it per channel; biases stay float32 then).
   */
  weight(name: string, dims: number[], values: Float32Array, perChannel: boolean): string {
    if (this.storage === 'float16') {
      const half = this.initializer(`${name}_fp16`, dims, DataType.FLOAT16, toFloat16(values));
      return this.node('Cast', [half], name, { to: DataType.FLOAT });
    }
    if (this.storage === 'uint8' && perChannel) {
      const q = quantizeUint8(values, dims[0]!);
      const inputs = [
        this.initializer(`${name}_quantized`, dims, DataType.UINT8, q.values),
        this.initializer(`${name}_scale`, [dims[0]!], DataType.FLOAT, q.scale),
        this.initializer(`${name}_zero_point`, [dims[0]!], DataType.UINT8, q.zeroPoint),
      ];
      return this.node('DequantizeLinear', inputs, name, { axis: 0 });
    }
    return this.initializer(name, dims, DataType.FLOAT, values);
  }

  /** Renames a value everywhere it appears (to give graph outputs their public names). */
  rename(from: string, to: string): void {
    this.taken.add(to);
    for (const n of this.nodes) {
      n.input = n.input.map((v) => (v === from ? to : v));
      n.output = n.output.map((v) => (v === from ? to : v));
    }
  }
}
