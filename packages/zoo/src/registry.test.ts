import { readFileSync } from 'node:fs';
import { useBackend } from '@mobilenets/ops/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelConfigError } from './errors.js';
import { createModel, listModels, registerModel } from './registry.js';
import { formatSummary, summarize } from './summary.js';

/** ../shared/reference/figures.md: exact parameter counts and MACs (M) at 224×224, 1000 classes. */
const PUBLISHED_PARAMS: Record<string, number> = {
  mobilenetv2_100: 3_504_872, // torchvision
  mobilenetv3_large_100: 5_483_032, // torchvision
  mobilenetv3_small_100: 2_542_856, // torchvision
  mobilenetv1_100: 4_231_976, // TF-slim (Keras total 4,253,864 less BatchNorm's running statistics)
  mobilenetv1_cifar: 2_142_026, // seed 000
};
const PUBLISHED_MACS: Record<string, number> = {
  mobilenetv2_100: 300.77, // torchvision
  mobilenetv3_large_100: 216.59,
  mobilenetv3_small_100: 56.51,
  mobilenetv1_100: 568.7, // TF-slim
  mobilenetv1_075: 325,
  mobilenetv1_050: 150,
  mobilenetv1_025: 41,
  mobilenetv2_140: 582, // TF-slim width table
  mobilenetv2_130: 509,
  mobilenetv2_075: 209,
  mobilenetv2_050: 97,
  mobilenetv2_035: 59,
};
const fixture = <T>(file: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${file}`, import.meta.url), 'utf8')) as T;
/** torchvision's and seed 004's own code at every width (fixtures/reference_counts.py). */
const REFERENCE = fixture<{ params: Record<string, number> }>('reference-counts.json');
/** The official MobileNeXt code at every width, keyed by width (fixtures/mobilenext_official.py). */
const MOBILENEXT = fixture<{ params: Record<string, number>; macs: Record<string, number> }>('mobilenext-official.json');

beforeAll(() => useBackend('cpu'));

describe('the registry', () => {
  it('holds every variant the zoo promises', () => {
    const expected = [
      ...['100', '075', '050', '025'].map((w) => `mobilenetv1_${w}`),
      'mobilenetv1_cifar',
      ...['035', '050', '075', '100', '130', '140'].map((w) => `mobilenetv2_${w}`),
      'mobilenetv2_100_conv1x1shortcut',
      ...['large', 'small'].flatMap((s) => [`mobilenetv3_${s}_075`, `mobilenetv3_${s}_100`, `mobilenetv3_${s}_minimal_100`]),
      ...['035', '050', '075', '100', '140'].map((w) => `mobilenext_${w}`),
      ...['conv_small', 'conv_medium', 'conv_large', 'hybrid_medium', 'hybrid_large'].map((v) => `mobilenetv4_${v}`),
    ];
    expect(listModels()).toEqual([...expected].sort());
    expect(listModels('mobilenext')).toHaveLength(5);
  });

  it('names the registered models when asked for an unknown one, and refuses a second registration', () => {
    expect(() => createModel('mobilenetv5_100')).toThrow(/unknown model 'mobilenetv5_100'; registered: mobilenetv1_025/);
    expect(() => registerModel('mobilenetv2_100', () => createModel('mobilenetv2_050'))).toThrow(ModelConfigError);
  });

  it('rejects options it cannot build', () => {
    expect(() => createModel('mobilenetv2_100', { numClasses: 0 })).toThrow(/numClasses must be a positive integer/);
    expect(() => createModel('mobilenetv2_100', { widthMultiplier: -1 })).toThrow(/widthMultiplier must be in \(0, 4\], got -1/);
    expect(() => createModel('mobilenetv3_small_100', { block: 'sandglass' })).toThrow(/is a V3 bneck/);
    expect(() => createModel('mobilenetv4_conv_small', { block: 'sandglass' })).toThrow(/'uir_r1_a5_k5_s2_e3_c96_nre' is a MobileNetV4 block/);
  });
});

describe('parameter counts and MACs', () => {
  it.each(Object.entries(PUBLISHED_PARAMS))('%s has exactly the published %i trainable parameters', (name, params) => {
    const model = createModel(name);
    expect(model.countParams() - nonTrainable(model)).toBe(params);
    model.dispose();
  });

  it.each(Object.entries(REFERENCE.params))('%s: summary = weights created = the reference implementation (%i)', (name, params) => {
    const model = createModel(name);
    const summary = summarize(model);
    expect(summary.totals.trainableParams).toBe(params);
    expect(model.countParams() - nonTrainable(model)).toBe(params);
    model.dispose();
  });

  it.each(Object.keys(MOBILENEXT.params))('MobileNeXt at width %s: the params and MACs of the official code, to the integer', (width) => {
    const w = Number(width);
    const registered = `mobilenext_${String(Math.round(w * 100)).padStart(3, '0')}`;
    const name = listModels().includes(registered) ? registered : 'mobilenext_100';
    const model = createModel(name, { widthMultiplier: w });
    const summary = summarize(model);
    expect(summary.totals.trainableParams).toBe(MOBILENEXT.params[width]);
    expect(model.countParams() - nonTrainable(model)).toBe(MOBILENEXT.params[width]);
    expect(summary.totals.macs).toBe(MOBILENEXT.macs[width]);
    model.dispose();
  });

  it.each(Object.entries(PUBLISHED_MACS))('%s: MACs within 0.5%% of the published %f M', (name, macs) => {
    expect(Math.abs(summarize(name).totals.macs / 1e6 / macs - 1)).toBeLessThan(0.005);
  });

  it('formats the summary like torchsummary', () => {
    const text = formatSummary(summarize('mobilenetv2_100'));
    expect(text).toMatch(/stem \(ConvNormAct\)\s+\[-1, 112, 112, 32\]\s+928\s+10,838,016/);
    expect(text).toContain('Trainable params: 3,504,872');
    expect(text).toContain('Non-trainable params: 34,112');
    expect(text).toContain('MACs: 300,774,272 (300.77 M)');
  });

  it('widens the layer column to the longest label', () => {
    const lines = formatSummary(summarize('mobilenetv4_conv_small')).split('\n');
    // 'blocks_2_0 (UniversalInvertedBottleneck)' is 40 characters, 2 more than the usual 38: rules of 102, rows of 100.
    expect(lines[0]).toBe('-'.repeat(102));
    const rows = lines.slice(3, lines.indexOf('='.repeat(102), 3));
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.filter((r) => r.length !== 100)).toEqual([]);
  });
});

function nonTrainable(model: { nonTrainableWeights: { shape: (number | null)[] }[] }): number {
  return model.nonTrainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
