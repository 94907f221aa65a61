import { decodeModel, ELEMENT_BYTES, type ModelProto, type TensorProto } from './proto.js';

/**
 * The structural rules of ONNX's checker that need no operator schemas: an IR version and a default-domain
 * opset import; a graph with inputs and outputs; unique value and node names; nodes in topological order
 * (every input a graph input, an initializer or an earlier node's output); every graph output produced;
 * every initializer's data as long as its dims say. Returns the problems found (none: the file passes).
 */
export function checkOnnx(bytes: Uint8Array): string[] {
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    return [`not an ONNX ModelProto (${(err as Error).message})`];
  }
  const problems: string[] = [];
  if (!(model.irVersion >= 3)) problems.push(`ir_version ${model.irVersion ?? 'missing'}`);
  const opset = model.opsetImport?.find((o) => (o.domain ?? '') === '');
  if (!opset || !(opset.version >= 1)) problems.push('no opset_import for the default domain');
  const graph = model.graph;
  if (!graph) return [...problems, 'no graph'];
  const inputs = graph.input ?? [];
  const outputs = graph.output ?? [];
  if (inputs.length === 0) problems.push('the graph has no inputs');
  if (outputs.length === 0) problems.push('the graph has no outputs');

  const defined = new Set<string>();
  const define = (name: string, what: string) => {
    if (!name) problems.push(`${what} without a name`);
    else if (defined.has(name)) problems.push(`'${name}' is defined twice (${what})`);
    defined.add(name);
  };
  for (const i of inputs) define(i.name, 'graph input');
  for (const t of graph.initializer ?? []) {
    define(t.name, 'initializer');
    const problem = initializerProblem(t);
    if (problem) problems.push(`initializer '${t.name}': ${problem}`);
  }
  const nodeNames = new Set<string>();
  for (const [index, node] of (graph.node ?? []).entries()) {
    const label = `node ${index} (${node.opType}${node.name ? ` '${node.name}'` : ''})`;
    if (!node.opType) problems.push(`${label} has no op_type`);
    if (node.name) {
      if (nodeNames.has(node.name)) problems.push(`${label}: the node name is used twice`);
      nodeNames.add(node.name);
    }
    for (const input of node.input ?? []) {
      if (input !== '' && !defined.has(input)) problems.push(`${label}: input '${input}' is not a graph input, an initializer or an earlier node's output`);
    }
    for (const output of node.output ?? []) define(output, `output of ${label}`);
  }
  for (const o of outputs) if (!defined.has(o.name)) problems.push(`graph output '${o.name}' is produced by no node`);
  return problems;
}

function initializerProblem(t: TensorProto): string | undefined {
  const dims = t.dims ?? [];
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) return `dims [${dims.join(', ')}]`;
  const count = dims.reduce((a, b) => a * b, 1);
  const bytes = ELEMENT_BYTES[t.dataType];
  let length: number;
  if (t.rawData && t.rawData.length > 0) {
    if (bytes === undefined) return `data type ${t.dataType} with raw data this checker cannot size`;
    if (t.rawData.length % bytes !== 0) return `${t.rawData.length} raw bytes for ${bytes}-byte elements`;
    length = t.rawData.length / bytes;
  } else {
    length = (t.floatData ?? t.int64Data ?? t.int32Data ?? []).length;
  }
  return length === count ? undefined : `dims [${dims.join(', ')}] hold ${count} elements, the data ${length}`;
}
