import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { makeDivisible } from '@mobilenets/ops';
import { TRAINING_BACKENDS, relativeError, useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockConfig } from './config.js';
import { createBlock } from './create-block.js';
import { type BlockFixture, loadBlockFixtures, loadNaNFixtures } from './node/fixtures.js';
import { roundHalfEven } from './inverted-residual.js';
import { sandglassHidden } from './sandglass.js';
import { defaultSqueezeChannels } from './se-unit.js';

const FIXTURES = loadBlockFixtures();
const name = (f: BlockFixture) => `${f.config.type} ${JSON.stringify(f.config).replace(/"type":"\w+",?/, '')}`;

/** The parameter count derived by hand from each paper's layer list (BatchNorm: γ and β). */
function closedFormParams(c: BlockConfig): number {
  const conv = (i: number, o: number, k: number, groups = 1, bias = false) => k * k * (i / groups) * o + (bias ? o : 0) + 2 * o;
  const se = (ch: number) => 2 * ch * defaultSqueezeChannels(ch) + defaultSqueezeChannels(ch) + ch;
  switch (c.type) {
    case 'ConvNormAct':
      return conv(c.inChannels, c.outChannels, c.kernel, c.groups, c.bias);
    case 'SqueezeExcite':
      return se(c.channels);
    case 'DepthwiseSeparable':
      return conv(c.inChannels, c.inChannels, 3, c.inChannels) + conv(c.inChannels, c.outChannels, 1);
    case 'InvertedResidual': {
      const h = roundHalfEven(c.inChannels * c.expandRatio);
      const b = c.bias ?? false;
      const shortcut = c.shortcut === 'conv1x1' && (c.stride ?? 1) === 1 ? conv(c.inChannels, c.outChannels, 1, 1, b) : 0;
      return (c.expandRatio === 1 && !c.forceExpand ? 0 : conv(c.inChannels, h, 1, 1, b)) + conv(h, h, 3, h, b) + conv(h, c.outChannels, 1, 1, b) + shortcut;
    }
    case 'Bneck': {
      const e = c.expandChannels;
      return (e === c.inChannels ? 0 : conv(c.inChannels, e, 1)) + conv(e, e, c.kernel, e) + (c.se ? se(e) : 0) + conv(e, c.outChannels, 1);
    }
    case 'Sandglass': {
      const h = sandglassHidden(c.inChannels, c.outChannels, c.reduction);
      const pw = conv(c.inChannels, h, 1) + conv(h, c.outChannels, 1);
      const dwIn = conv(c.inChannels, c.inChannels, 3, c.inChannels);
      const dwOut = conv(c.outChannels, c.outChannels, 3, c.outChannels);
      if (c.reduction === 2) return dwIn + pw + dwOut;
      if (c.inChannels !== c.outChannels && !c.keep3x3) return pw + ((c.stride ?? 1) === 2 ? dwOut : 0);
      return dwIn + pw + dwOut;
    }
    case 'UniversalInvertedBottleneck': {
      const h = makeDivisible(c.inChannels * c.expandRatio, 8);
      const [start, middle, end] = [c.startKernel ?? 0, c.middleKernel ?? 3, c.endKernel ?? 0];
      const dw = (ch: number, k: number) => (k ? conv(ch, ch, k, ch) : 0);
      const scale = c.layerScale ? c.outChannels : 0;
      return dw(c.inChannels, start) + conv(c.inChannels, h, 1) + dw(h, middle) + (c.se ? se(h) : 0) + conv(h, c.outChannels, 1) + dw(c.outChannels, end) + scale;
    }
    case 'FusedInvertedBottleneck': {
      const h = makeDivisible(c.inChannels * c.expandRatio, 8);
      return conv(c.inChannels, h, c.kernel ?? 3) + (c.se ? se(h) : 0) + conv(h, c.outChannels, 1);
    }
    case 'MobileMQA': {
      const [cin, kd, vd] = [c.inChannels, c.keyDim, c.valueDim ?? c.keyDim];
      const bare = (i: number, o: number) => i * o; // 1×1 projections: no BatchNorm, no bias
      const down = (c.kvStride ?? 1) > 1 ? 2 * conv(cin, cin, c.kvKernel ?? 3, cin) : 0;
      return 2 * cin + bare(cin, c.heads * kd) + bare(cin, kd) + bare(cin, vd) + down + bare(c.heads * vd, c.outChannels) + (c.layerScale ? c.outChannels : 0);
    }
  }
}

/** A block built on the fixture's input, holding the fixture's weights. */
function buildWithFixtureWeights(f: BlockFixture, config: BlockConfig = f.config) {
  const layer = createBlock(config);
  layer.build(f.input.shape);
  const byName = new Map(layer.weights.map((w) => [w.originalName, w]));
  expect([...byName.keys()].sort()).toEqual(Object.keys(f.weights).sort());
  const values = layer.weights.map((w) => tf.tensor(f.weights[w.originalName]!.values, f.weights[w.originalName]!.shape));
  layer.setWeights(values);
  tf.dispose(values);
  return layer;
}

/** Layer.dispose() only works for layers wired into a model; these were applied to tensors directly. */
function disposeWeights(layer: tfl.layers.Layer): void {
  (layer as ReturnType<typeof createBlock>).releaseInferenceCache();
  for (const w of layer.weights) w.dispose();
}

async function run(layer: tfl.layers.Layer, f: BlockFixture, training: boolean): Promise<{ shape: number[]; values: Float32Array }> {
  const x = tf.tensor(f.input.values, f.input.shape);
  const y = layer.apply(x, { training }) as tf.Tensor;
  const out = { shape: y.shape, values: (await y.data()) as Float32Array };
  tf.dispose([x, y]);
  return out;
}

describe('parameter counts', () => {
  beforeAll(() => useBackend('cpu'));

  it.each(FIXTURES.map((f) => [name(f), f] as const))('%s: cost = closed form = PyTorch = weights created', (_, f) => {
    const layer = createBlock(f.config);
    layer.build(f.input.shape);
    const created = layer.trainableWeights.reduce((n, w) => n + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
    const cost = layer.cost([f.input.shape[1]!, f.input.shape[2]!]);
    expect(cost.params).toBe(f.params);
    expect(closedFormParams(f.config)).toBe(f.params);
    expect(created).toBe(f.params);
    expect(cost.outputSize).toEqual(f.evalOutput.shape.slice(1, 3));
    disposeWeights(layer);
  });
});

describe.each(TRAINING_BACKENDS)('on %s, blocks match PyTorch', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(FIXTURES.map((f) => [name(f), f] as const))('%s', async (_, f) => {
    const before = tf.memory().numTensors;
    const layer = buildWithFixtureWeights(f);
    const afterBuild = tf.memory().numTensors;

    // Inference mode: running statistics.
    const evalOut = await run(layer, f, false);
    expect(evalOut.shape).toEqual(f.evalOutput.shape);
    expect(layer.computeOutputShape(f.input.shape)).toEqual(f.evalOutput.shape);
    expect(relativeError(evalOut.values, f.evalOutput.values)).toBeLessThanOrEqual(1e-4);

    // Training mode: batch statistics, and the running statistics move as PyTorch's do.
    const trainOut = await run(layer, f, true);
    expect(relativeError(trainOut.values, f.trainOutput.values)).toBeLessThanOrEqual(1e-4);
    for (const w of layer.nonTrainableWeights) {
      const got = await w.read().data();
      expect(relativeError(got, f.runningAfterTrain[w.originalName]!), w.originalName).toBeLessThanOrEqual(1e-5);
    }

    // Every trainable weight receives a gradient.
    const x = tf.tensor(f.input.values, f.input.shape);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
    for (const v of vars) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      const largest = tf.tidy(() => tf.max(tf.abs(g!)));
      expect((await largest.data())[0], `gradient of ${v.name}`).toBeGreaterThan(0);
      largest.dispose();
    }
    tf.dispose([x, value, ...Object.values(grads)]);

    layer.releaseInferenceCache(); // inference kept folded weights; they are freed with the layer
    expect(tf.memory().numTensors).toBe(afterBuild);
    disposeWeights(layer);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(TRAINING_BACKENDS)('on %s, NaN goes where it goes in PyTorch', (backend) => {
  beforeAll(() => useBackend(backend));
  const NAN_FIXTURES = loadNaNFixtures();

  it.each(FIXTURES.map((f, i) => [name(f), f, NAN_FIXTURES[i]!] as const))('%s', async (_, f, nan) => {
    expect(nan.config).toEqual(f.config);
    const before = tf.memory().numTensors;
    const layer = buildWithFixtureWeights(f);
    const [n, h, w, c] = f.input.shape as [number, number, number, number];
    const values = Float32Array.from(f.input.values);
    const [i, y, x, ch] = nan.nanAt;
    values[((i * h + y) * w + x) * c + ch] = NaN;
    const nanIndices = async (training: boolean) => {
      const out = await run(layer, { ...f, input: { shape: [n, h, w, c], values: Array.from(values) } }, training);
      return Array.from(out.values).flatMap((v, k) => (Number.isNaN(v) ? [k] : []));
    };
    // Inference first (folded kernels, running statistics), then training mode (batch statistics).
    expect(await nanIndices(false)).toEqual(nan.evalNaN);
    expect(await nanIndices(true)).toEqual(nan.trainNaN);
    disposeWeights(layer);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(TRAINING_BACKENDS)('on %s, one NaN image in a training batch of a small MobileNetV2', (backend) => {
  beforeAll(() => useBackend(backend));

  it('makes every logit and the loss NaN, and the model NaN in eval mode afterwards (running statistics), as PyTorch', async () => {
    const before = tf.memory().numTensors;
    const model = tfl.sequential({
      layers: [
        createBlock({ type: 'ConvNormAct', inChannels: 3, outChannels: 16, kernel: 3, stride: 2, inputShape: [16, 16, 3] } as BlockConfig),
        createBlock({ type: 'InvertedResidual', inChannels: 16, outChannels: 24, stride: 2, expandRatio: 6 }),
        createBlock({ type: 'InvertedResidual', inChannels: 24, outChannels: 24, expandRatio: 6 }),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dense({ units: 10 }),
      ],
    });
    const values = new Float32Array(2 * 16 * 16 * 3).map((_, i) => Math.sin(i));
    values[16 * 16 * 3 + 100] = NaN; // one element of image 1
    const [x, clean] = [tf.tensor4d(values, [2, 16, 16, 3]), tf.ones([2, 16, 16, 3])];
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10));
    const optimizer = tf.train.sgd(0.1);
    let logits: tf.Tensor | undefined;
    const loss = optimizer.minimize(() => {
      logits = tf.keep(model.apply(x, { training: true }) as tf.Tensor);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    }, true)!;
    const evalLogits = model.predict(clean) as tf.Tensor;
    const [l, train, inference] = await Promise.all([loss.data(), logits!.data(), evalLogits.data()]);
    tf.dispose([x, clean, y, loss, logits!, evalLogits]);
    optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(l[0]).toBeNaN();
    expect(Array.from(train).every(Number.isNaN)).toBe(true);
    expect(Array.from(inference).every(Number.isNaN)).toBe(true);
  });
});

describe('serialization', () => {
  beforeAll(() => useBackend('cpu'));

  it.each(FIXTURES.map((f) => [name(f), f] as const))('%s: getConfig → fromConfig gives the same block and output', async (_, f) => {
    const layer = buildWithFixtureWeights(f);
    const config = layer.getConfig();
    const json = JSON.parse(JSON.stringify(config)) as tf.serialization.ConfigDict;
    const cls = layer.constructor as unknown as tf.serialization.SerializableConstructor<tfl.layers.Layer>;
    const copy = tfl.layers.Layer.fromConfig(cls, json) as unknown as ReturnType<typeof createBlock>;
    expect(copy.getConfig()).toEqual(config);
    copy.build(f.input.shape);
    copy.setWeights(layer.getWeights()); // the layer's own variables: not to be disposed here
    const [a, b] = [await run(layer, f, false), await run(copy, f, false)];
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    disposeWeights(layer);
    disposeWeights(copy);
  });

  it('a model of blocks survives toJSON → modelFromJSON', async () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const stem = createBlock({ type: 'ConvNormAct', inChannels: 3, outChannels: 16, kernel: 3, stride: 2 });
    const block = createBlock({ type: 'Sandglass', inChannels: 16, outChannels: 16, reduction: 6 });
    const model = tfl.model({ inputs: input, outputs: block.apply(stem.apply(input)) as tfl.SymbolicTensor });
    const restored = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
    restored.setWeights(model.getWeights());
    const x = tf.randomNormal([2, 8, 8, 3]);
    const [a, b] = [model.predict(x) as tf.Tensor, restored.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    expect(restored.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'ConvNormAct', 'Sandglass']);
    tf.dispose([x, a, b]);
    model.dispose();
    restored.dispose();
  });
});

describe('folded inference weights', () => {
  beforeAll(() => useBackend('wasm'));

  it('follow weight changes, and give what the unfolded computation gives', async () => {
    const f = FIXTURES.find((c) => c.config.type === 'InvertedResidual' && c.config.expandRatio === 6 && c.config.stride === 1)!;
    const layer = buildWithFixtureWeights(f);
    await run(layer, f, false); // folds and keeps the folded weights
    // New running statistics (as a training step would write): the next inference must use them.
    for (const w of layer.nonTrainableWeights) w.write(tf.tidy(() => tf.add(w.read(), 0.5)));
    const fresh = buildWithFixtureWeights(f);
    for (const [i, w] of fresh.nonTrainableWeights.entries()) w.write(tf.tidy(() => tf.add(layer.nonTrainableWeights[i]!.read(), 0)));
    const [changed, expected] = [await run(layer, f, false), await run(fresh, f, false)];
    expect(relativeError(changed.values, expected.values)).toBeLessThanOrEqual(1e-6);
    expect(relativeError(changed.values, f.evalOutput.values)).toBeGreaterThan(1e-2);
    // Under a gradient tape the unfolded path runs: the same numbers.
    const x = tf.tensor(f.input.values, f.input.shape);
    const taped = tf.grad((t: tf.Tensor) => {
      const y = layer.apply(t, { training: false }) as tf.Tensor;
      expect(relativeError(y.dataSync(), expected.values)).toBeLessThanOrEqual(1e-5);
      return tf.sum(y);
    })(x);
    tf.dispose([x, taped]);
    disposeWeights(layer);
    disposeWeights(fresh);
  });
});
