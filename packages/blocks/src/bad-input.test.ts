import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seeded, useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockConfig } from './config.js';
import { createBlock } from './create-block.js';
import { BlockConfigError, BlockInputError } from './errors.js';

/** One block of each kind, with the channels it takes. */
const BLOCKS: [BlockConfig, number][] = [
  [{ type: 'ConvNormAct', inChannels: 8, outChannels: 8, kernel: 3 }, 8],
  [{ type: 'SqueezeExcite', channels: 8 }, 8],
  [{ type: 'DepthwiseSeparable', inChannels: 8, outChannels: 16 }, 8],
  [{ type: 'InvertedResidual', inChannels: 8, outChannels: 8, expandRatio: 6 }, 8],
  [{ type: 'Bneck', inChannels: 16, outChannels: 16, expandChannels: 64, kernel: 3, se: true, activation: 'hardSwish' }, 16],
  [{ type: 'Sandglass', inChannels: 24, outChannels: 24, reduction: 6 }, 24],
];

function disposed(shape: number[]): tf.Tensor {
  const t = tf.zeros(shape);
  t.dispose();
  return t;
}

/** What users get wrong, and how the error names what was received. */
const BAD = (c: number): [string, () => unknown, string][] => [
  ['rank 3 (no batch axis)', () => tf.zeros([8, 8, c]), `float32 [8, 8, ${c}]`],
  ['NCHW', () => tf.zeros([1, c, 8, 9]), `float32 [1, ${c}, 8, 9]`],
  ['wrong channels', () => tf.zeros([1, 8, 8, c + 1]), `float32 [1, 8, 8, ${c + 1}]`],
  ['int32', () => tf.zeros([1, 8, 8, c], 'int32'), `int32 [1, 8, 8, ${c}]`],
  ['empty batch', () => tf.zeros([0, 8, 8, c]), `float32 [0, 8, 8, ${c}]`],
  ['disposed', () => disposed([1, 8, 8, c]), `a disposed tensor [1, 8, 8, ${c}]`],
];

/** The error a call gives, with the tensors it left behind. */
function failure(f: () => unknown): { error: unknown; leaked: number } {
  const before = tf.memory().numTensors;
  try {
    f();
  } catch (error) {
    return { error, leaked: tf.memory().numTensors - before };
  }
  throw new Error('expected the call to throw');
}

function freeWeights(layer: ReturnType<typeof createBlock>): void {
  layer.releaseInferenceCache();
  for (const w of layer.weights) w.dispose();
}

beforeAll(() => useBackend('wasm'));

describe.each(BLOCKS)('%j', (config, c) => {
  it.each(BAD(c))('%s, to a built block: a BlockInputError naming the layer, nothing leaked, the next call as before', async (_, make, received) => {
    const block = createBlock({ ...config, name: 'b' });
    const x = seeded([2, 8, 8, c], 3);
    const y0 = block.apply(x) as tf.Tensor;
    const bad = make() as tf.Tensor;
    for (const training of [false, true]) {
      const { error, leaked } = failure(() => block.apply(bad, { training }));
      expect(error).toBeInstanceOf(BlockInputError);
      expect(error).toMatchObject({ layer: `b (${config.type})`, expected: `a float32 NHWC tensor [batch, height, width, ${c}]`, received });
      expect(leaked).toBe(0);
    }
    const y1 = block.apply(x) as tf.Tensor;
    expect(Array.from(await y1.data())).toEqual(Array.from(await y0.data()));
    tf.dispose([x, y0, y1, bad]);
    freeWeights(block);
  });

  it.each(BAD(c))('%s, to a fresh block: a BlockInputError; the block allocates nothing, disposes, and works afterwards', (_, make, received) => {
    const before = tf.memory().numTensors;
    const block = createBlock({ ...config, name: 'fresh' });
    const bad = make() as tf.Tensor;
    const { error } = failure(() => block.apply(bad));
    expect(error).toBeInstanceOf(BlockInputError);
    expect((error as BlockInputError).message).toBe(`fresh (${config.type}): expected a float32 NHWC tensor [batch, height, width, ${c}], got ${received}`);
    expect(block.built).toBe(false);
    expect(tf.memory().numTensors - before).toBe(bad.isDisposed ? 0 : 1); // the bad input only
    expect(() => block.dispose()).not.toThrow(); // was "Cannot dispose Layer … because it has not been built yet"
    expect(() => createBlock(config).dispose()).not.toThrow();
    const x = tf.zeros([1, 8, 8, c]);
    const y = block.apply(x) as tf.Tensor;
    expect(y.rank).toBe(4);
    tf.dispose([x, y, bad]);
    freeWeights(block);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('wired to a symbolic input of the wrong width: a BlockInputError naming its shape', () => {
    const { error } = failure(() => createBlock({ ...config, name: 's' }).apply(tfl.input({ shape: [8, 8, c + 1] })));
    expect(error).toMatchObject({ name: 'BlockInputError', received: `shape [null, 8, 8, ${c + 1}]` });
  });
});

describe('a build that fails part-way', () => {
  it('frees the weights it made (an allocation failing on the third weight), and builds later', () => {
    const before = tf.memory().numTensors;
    const block = createBlock({ type: 'InvertedResidual', inChannels: 8, outChannels: 8, expandRatio: 6 });
    const layer = block as unknown as { addWeight: (...args: unknown[]) => unknown };
    const addWeight = layer.addWeight.bind(block);
    let made = 0;
    layer.addWeight = (...args: unknown[]) => {
      if (++made === 3) throw new RangeError('Array buffer allocation failed');
      return addWeight(...args);
    };
    expect(() => block.build([1, 8, 8, 8])).toThrow(RangeError);
    expect(block.weights).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    block.build([1, 8, 8, 8]);
    expect(block.weights.length).toBe(15);
    freeWeights(block);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an expansion that rounds to zero channels (e0.01) is refused before anything is allocated', () => {
    const before = tf.memory().numTensors;
    const { error } = failure(() => createBlock({ type: 'InvertedResidual', inChannels: 16, outChannels: 16, expandRatio: 0.01 }));
    expect(error).toBeInstanceOf(BlockConfigError);
    expect((error as Error).message).toBe('InvertedResidual: expandRatio 0.01 leaves round(16 · 0.01) = 0 hidden channels');
    expect(tf.memory().numTensors).toBe(before);
  });
});
