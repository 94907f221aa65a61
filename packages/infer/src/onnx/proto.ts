import protobuf from 'protobufjs/light.js';
import schema from './onnx-schema.json';

/**
 * The ONNX protobuf messages, from the official onnx.proto (Debian's python3-onnx 1.12: IR version 8, opsets up
 * to 17) through protobufjs; `fixtures/onnx-schema.mjs` turns the .proto into the JSON descriptor read here.
 * Field names are protobufjs' camelCase (`rawData` for `raw_data`).
 */
const root = protobuf.Root.fromJSON(schema as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');

export const IR_VERSION = 8;
/** HardSwish needs 14; 17 is the newest the schema's checker knows. */
export const OPSET = 17;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT64: 7, FLOAT16: 10 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];
/** Bytes per element of each data type used here. */
export const ELEMENT_BYTES: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.UINT8]: 1, [DataType.INT64]: 8, [DataType.FLOAT16]: 2 };
const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int64Data?: number[];
  int32Data?: number[];
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  ints?: number[];
}

export interface NodeProto {
  name: string;
  opType: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

export interface ValueInfoProto {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}

export interface ModelProto {
  irVersion: number;
  producerName: string;
  opsetImport: { domain: string; version: number }[];
  graph: GraphProto;
  metadataProps?: { key: string; value: string }[];
}

export type AttributeValue = number | number[] | { float: number };

/** An attribute from a plain value: an integer, a list of integers, or `{ float }`. */
export function attribute(name: string, value: AttributeValue): AttributeProto {
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

export function encodeModel(model: ModelProto): Uint8Array {
  const message = ModelProto.fromObject(model as unknown as Record<string, unknown>);
  return ModelProto.encode(message).finish();
}

/** A model file read back, with 64-bit integers as numbers and bytes as Uint8Array. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false, arrays: true }) as unknown as ModelProto;
}
