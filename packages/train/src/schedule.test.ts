import { describe, expect, it } from 'vitest';
import reference from './__fixtures__/reference.json' with { type: 'json' };
import { checkSchedule, learningRate, type Schedule } from './schedule.js';

const R = reference.schedules;

describe('schedules', () => {
  it.each(R.cases.map((c) => [c.schedule.type, c] as const))('%s per epoch equals PyTorch', (_, c) => {
    const stepsPerEpoch = 7;
    c.lrs.forEach((expected, epoch) => {
      // Every step of an epoch gets the epoch's rate.
      for (const s of [0, 3, 6]) {
        expect(learningRate(c.schedule as Schedule, R.lr, { step: epoch * stepsPerEpoch + s, stepsPerEpoch, epochs: R.epochs })).toBeCloseTo(expected, 12);
      }
    });
  });

  it('per step: warm-up over 4 steps from 0, then cosine over the remaining 6 (hand-computed)', () => {
    const s: Schedule = { type: 'warmup', length: 4, per: 'step', after: { type: 'cosine', per: 'step' } };
    const lrs = Array.from({ length: 10 }, (_, step) => learningRate(s, 1, { step, stepsPerEpoch: 5, epochs: 2 }));
    const expected = [0, 0.25, 0.5, 0.75, ...[0, 1, 2, 3, 4, 5].map((t) => (1 + Math.cos((Math.PI * t) / 6)) / 2)];
    lrs.forEach((lr, i) => {
      expect(lr).toBeCloseTo(expected[i]!, 12);
    });
  });

  it('a warm-up in epochs before a per-step cosine counts the cosine from the warm-up end', () => {
    const s: Schedule = { type: 'warmup', length: 1, after: { type: 'cosine', per: 'step' } };
    // 4 steps per epoch, 3 epochs: warm-up is epoch 0 (rate 0 all through, per epoch), cosine over steps 4..11.
    expect(learningRate(s, 1, { step: 3, stepsPerEpoch: 4, epochs: 3 })).toBe(0);
    expect(learningRate(s, 1, { step: 4, stepsPerEpoch: 4, epochs: 3 })).toBeCloseTo(1, 12);
    expect(learningRate(s, 1, { step: 8, stepsPerEpoch: 4, epochs: 3 })).toBeCloseTo(0.5, 12);
  });

  it('step decay per step', () => {
    const s: Schedule = { type: 'step', every: 2, gamma: 0.1, per: 'step' };
    expect([0, 1, 2, 3, 4].map((step) => learningRate(s, 1, { step, stepsPerEpoch: 100, epochs: 1 }))).toEqual([1, 1, 0.1, 0.1, 0.1 ** 2]);
  });

  it('bad fields are TrainConfigErrors naming the field', () => {
    expect(() => checkSchedule({ type: 'step', every: 0 })).toThrow(/schedule\.every: must be a positive number, got 0/);
    expect(() => checkSchedule({ type: 'warmup', length: 2, after: { type: 'exponential', gamma: -1 } })).toThrow(/schedule\.after\.gamma/);
    expect(() => checkSchedule({ type: 'poly' } as unknown as Schedule)).toThrow(/schedule\.type: .*'poly'/);
  });
});
