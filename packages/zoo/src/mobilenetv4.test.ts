import { readFileSync } from 'node:fs';
import { useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultPreprocessing } from './io/metadata.js';
import { createModel, modelSpec } from './registry.js';
import { summarize } from './summary.js';

interface Reference {
  params: number;
  macs: number;
  inputSize: number;
  cropPct: number;
  interpolation: string;
  mean: number[];
  std: number[];
  featureChannels: number[];
}
/** timm's counts and default pretrained configs (fixtures/timm_mobilenetv4.py). */
const REFERENCE = JSON.parse(readFileSync(new URL('./__fixtures__/mobilenetv4-reference.json', import.meta.url), 'utf8')) as {
  models: Record<string, Reference>;
};

beforeAll(() => useBackend('cpu'));

describe.each(Object.entries(REFERENCE.models))('%s against timm', (name, ref) => {
  it("at its default input: timm's parameter count to the integer, and its MACs", () => {
    const model = createModel(name);
    expect(model.inputs[0]!.shape).toEqual([null, ref.inputSize, ref.inputSize, 3]);
    const summary = summarize(model);
    const created = model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
    expect(summary.totals.trainableParams).toBe(ref.params);
    expect(created).toBe(ref.params);
    expect(summary.totals.macs).toBe(ref.macs);
    model.dispose();
  });

  it("features: 'stages' gives timm's feature maps (features_only=True)", () => {
    const model = createModel(name, { features: 'stages' });
    expect(model.outputs.map((o) => o.shape.slice(1))).toEqual(
      ref.featureChannels.map((c, i) => [Math.ceil(ref.inputSize / 2 ** (i + 1)), Math.ceil(ref.inputSize / 2 ** (i + 1)), c]),
    );
    model.dispose();
  });

  it("saves timm's pretrained preprocessing", () => {
    const spec = modelSpec(name)!;
    // timm's eval transform: the shorter side to floor(size / crop_pct), then a center crop of the size.
    expect(spec.preprocessing).toEqual({ resize: Math.floor(ref.inputSize / ref.cropPct), crop: ref.inputSize, interpolation: ref.interpolation, mean: ref.mean, std: ref.std });
    const recipe = { name, numClasses: 1000, inputSize: ref.inputSize, widthMultiplier: 1, dropout: 0, block: null, features: 'logits' as const };
    expect(defaultPreprocessing(recipe)).toMatchObject({
      resize: Math.floor(ref.inputSize / ref.cropPct),
      crop: ref.inputSize,
      interpolation: ref.interpolation,
      mean: ref.mean,
      std: ref.std,
    });
  });
});
