import { readFileSync } from 'node:fs';
import type { BlockConfig } from '../config.js';

interface Values {
  shape: number[];
  values: number[];
}

/** One PyTorch reference case made by fixtures/make_fixtures.py or fixtures/make_v4_fixtures.py. */
export interface BlockFixture {
  config: BlockConfig;
  /** PyTorch's trainable parameter count for the same block. */
  params: number;
  /** Keyed by the layer's weight names (unit/weight), in NHWC layouts. */
  weights: Record<string, Values>;
  input: Values;
  evalOutput: Values;
  trainOutput: Values;
  runningAfterTrain: Record<string, number[]>;
}

/** torchvision's and the seeds' blocks (make_fixtures.py), then timm's MobileNetV4 blocks (make_v4_fixtures.py). */
export function loadBlockFixtures(): BlockFixture[] {
  return ['blocks.json', 'blocks-v4.json'].flatMap((name) => {
    const file = new URL(`../__fixtures__/${name}`, import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { cases: BlockFixture[] }).cases;
  });
}

/** Where PyTorch's block outputs NaN for one NaN input element (fixtures/make_nan_fixtures.py). */
export interface NaNFixture {
  config: BlockConfig;
  /** [image, row, column, channel] of the NaN in the fixture's input. */
  nanAt: [number, number, number, number];
  /** Flat NHWC indices of the NaN outputs in eval and in train mode. */
  evalNaN: number[];
  trainNaN: number[];
}

/** In the order of loadBlockFixtures: blocks.json's cases, then blocks-v4.json's. */
export function loadNaNFixtures(): NaNFixture[] {
  return ['nan.json', 'nan-v4.json'].flatMap((name) => {
    const file = new URL(`../__fixtures__/${name}`, import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { cases: NaNFixture[] }).cases;
  });
}
