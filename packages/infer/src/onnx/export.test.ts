import * as tfl from '@tensorflow/tfjs-layers';
import { relativeError, seeded, useBackend } from '@mobilenets/ops/testing';
import { createModel, listModels } from '@mobilenets/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomizeWeights, tinyModel, tinyV4Model } from '../__fixtures__/models.js';
import { OnnxExportError } from '../errors.js';
import { loadOnnxRuntime, type OnnxRuntime, toNchw } from '../runtime/onnxruntime.js';
import { checkOnnx } from './check.js';
import { exportOnnx } from './export.js';
import { decodeModel, encodeModel, type ModelProto } from './proto.js';

let ort: OnnxRuntime;
beforeAll(async () => {
  await useBackend('wasm');
  ort = await loadOnnxRuntime();
});

/** tfjs' logits and onnxruntime's on the exported file, for the same seeded NHWC input. */
async function bothOutputs(model: tfl.LayersModel, onnx: Uint8Array, batch = 2) {
  const size = model.inputs[0]!.shape[1]!;
  const x = seeded([batch, size, size, 3], 7);
  const y = model.predict(x) as tf.Tensor;
  const expected = (await y.data()) as Float32Array;
  const input = toNchw((await x.data()) as Float32Array, batch, size);
  tf.dispose([x, y]);
  const session = await ort.InferenceSession.create(onnx);
  const out = await session.run({ input: new ort.Tensor('float32', input, [batch, 3, size, size]) });
  await session.release();
  return { expected, actual: out.logits!.data as Float32Array };
}

/**
 * Every registered model at a small input. Of the V4s, conv_small and hybrid_medium at full width (between them
 * every V4 block, LayerScale included); conv_medium, conv_large and hybrid_large (10, 33 and 38 M parameters,
 * whose copying dominates their export) at width 0.25: the same blocks, hybrid_large's GELU among them.
 */
const QUARTER_WIDTH = ['mobilenetv4_conv_medium', 'mobilenetv4_conv_large', 'mobilenetv4_hybrid_large'];
const options = (name: string) => ({ numClasses: 10, inputSize: name.includes('cifar') ? 32 : 64, ...(QUARTER_WIDTH.includes(name) && { widthMultiplier: 0.25 }) });

/** The export of a model with seeded weights, checked: structure, then onnxruntime's logits against tfjs'. */
async function expectSameLogits(model: tfl.LayersModel): Promise<void> {
  randomizeWeights(model, 3);
  const onnx = await exportOnnx(model);
  expect(checkOnnx(onnx)).toEqual([]);
  const { expected, actual } = await bothOutputs(model, onnx);
  expect(actual.length).toBe(expected.length);
  expect(relativeError(actual, expected)).toBeLessThanOrEqual(1e-4);
}

describe.each(listModels().map((name) => [name, options(name)] as const))('%s %o exported to ONNX', (name, o) => {
  it('passes the structural checks, loads in onnxruntime-node and gives the tfjs logits to 1e-4 (relative to the largest)', async () => {
    const before = tf.memory().numTensors;
    const model = createModel(name, o);
    await expectSameLogits(model);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

it('the V4 block options no registered model uses (strides on the start / end depthwise, SE, GELU, attention without down-sampling or residual) export alike', async () => {
  const before = tf.memory().numTensors;
  const model = tinyV4Model();
  await expectSameLogits(model);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

describe('the exported graph', () => {
  const ops = (m: ModelProto) => new Set(m.graph.node.map((n) => n.opType));

  it('V2: NCHW input named input, any batch; BatchNorm folded away; ReLU6 as Clip with bounds as inputs; opset 17', async () => {
    const model = createModel('mobilenetv2_035', { numClasses: 10, inputSize: 64 });
    const m = decodeModel(await exportOnnx(model));
    model.dispose();
    expect(m.opsetImport).toEqual([{ domain: '', version: 17 }]);
    expect(m.graph.input.map((i) => [i.name, i.type.tensorType.shape.dim])).toEqual([['input', [{ dimParam: 'batch' }, { dimValue: 3 }, { dimValue: 64 }, { dimValue: 64 }]]]);
    expect(m.graph.output.map((o) => o.name)).toEqual(['logits']);
    const used = ops(m);
    expect(used.has('BatchNormalization')).toBe(false);
    expect([...used].sort()).toEqual(['Add', 'Clip', 'Conv', 'Flatten', 'Gemm', 'GlobalAveragePool']);
    expect(m.graph.node.filter((n) => n.opType === 'Clip').every((n) => n.input.length === 3)).toBe(true);
  });

  it('V3: HardSwish, HardSigmoid (alpha 1/6, beta 0.5) and squeeze-excite as pool → conv → relu → conv → hard-sigmoid → mul', async () => {
    const model = tinyModel();
    const m = decodeModel(await exportOnnx(model, { embedding: true }));
    model.dispose();
    expect([...ops(m)].sort()).toEqual(['Add', 'Conv', 'Flatten', 'Gemm', 'GlobalAveragePool', 'HardSigmoid', 'HardSwish', 'Mul', 'Relu', 'Unsqueeze']);
    const sigmoid = m.graph.node.find((n) => n.opType === 'HardSigmoid')!;
    expect(sigmoid.attribute.map((a) => [a.name, a.f])).toEqual([['alpha', Math.fround(1 / 6)], ['beta', 0.5]]);
    const se = m.graph.node.filter((n) => n.name.startsWith('blocks_0_0/se/')).map((n) => n.opType);
    expect(se).toEqual(['GlobalAveragePool', 'Conv', 'Relu', 'Conv', 'HardSigmoid', 'Mul']);
    expect(m.graph.output.map((o) => [o.name, o.type.tensorType.shape.dim])).toEqual([
      ['logits', [{ dimParam: 'batch' }, { dimValue: 5 }]],
      ['embedding', [{ dimParam: 'batch' }, { dimValue: 16 }]],
    ]);
  });

  it('V4: GELU as 0.5·x·(1 + Erf(x/√2)) (opset 17), LayerScale as Mul by a [C, 1, 1] initializer, Mobile MQA as convs, MatMul, Softmax, MatMul', async () => {
    const model = tinyV4Model();
    const m = decodeModel(await exportOnnx(model));
    model.dispose();
    expect(ops(m).has('BatchNormalization')).toBe(false);
    expect(ops(m).has('Gelu')).toBe(false);
    const block = (prefix: string) => m.graph.node.filter((n) => n.name.startsWith(prefix)).map((n) => n.opType);
    expect(block('hidden/conv/gelu')).toEqual(['Mul', 'Erf', 'Add', 'Mul', 'Mul']);
    const gamma = m.graph.initializer.find((t) => t.name === 'blocks_1_2/layer_scale/gamma')!;
    expect(gamma.dims).toEqual([24, 1, 1]);
    // BatchNorm as a per-channel affine; queries scaled by 1/√keyDim; keys and values down-sampled (kv stride 2).
    expect(block('blocks_1_2/')).toEqual([
      ...['Mul', 'Add', 'Conv', 'Mul', 'Reshape'],
      ...['Conv', 'Conv', 'Reshape', 'Transpose', 'Conv', 'Conv', 'Reshape'],
      ...['MatMul', 'Softmax', 'MatMul', 'Reshape', 'Conv', 'Mul', 'Add'],
    ]);
    expect(m.graph.node.find((n) => n.name === 'blocks_1_2/softmax')!.attribute.map((a) => [a.name, a.i])).toEqual([['axis', 2]]);
    // In 24, out 32, no LayerScale, no down-sampling: no residual Add.
    expect(block('blocks_1_3/')).toEqual(['Mul', 'Add', 'Conv', 'Mul', 'Reshape', 'Conv', 'Reshape', 'Transpose', 'Conv', 'Reshape', 'MatMul', 'Softmax', 'MatMul', 'Reshape', 'Conv']);
  });

  it('a layer with no ONNX form is an OnnxExportError naming it', async () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'plain_conv' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: conv });
    await expect(exportOnnx(model)).rejects.toThrow(OnnxExportError);
    await expect(exportOnnx(model)).rejects.toThrow(/^plain_conv: no ONNX form for a Conv2D layer/);
    model.dispose();
  });
});

describe('checkOnnx', () => {
  it('finds every structural fault of a broken file, one message each (a duplicated node is two: its name and its output)', async () => {
    const model = tinyModel();
    const good = decodeModel(await exportOnnx(model));
    model.dispose();
    const broken: ModelProto = structuredClone(good);
    broken.opsetImport = [];
    broken.graph.node[1]!.input[0] = 'nowhere';
    broken.graph.node.push(structuredClone(broken.graph.node.at(-1)!));
    broken.graph.initializer[0]!.dims = [...broken.graph.initializer[0]!.dims, 2];
    broken.graph.output[0]!.name = 'ghost';
    const problems = checkOnnx(encodeModel(broken));
    expect(problems, problems.join('\n')).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/no opset_import/);
    expect(problems.join('\n')).toMatch(/input 'nowhere' is not a graph input/);
    expect(problems.join('\n')).toMatch(/'logits' is defined twice/);
    expect(problems.join('\n')).toMatch(/the node name is used twice/);
    expect(problems.join('\n')).toMatch(/hold \d+ elements, the data \d+/);
    expect(problems.join('\n')).toMatch(/graph output 'ghost' is produced by no node/);
    expect(checkOnnx(Uint8Array.of(1, 2, 3))).toHaveLength(1);
  });
});
