import { describe, expect, it } from 'vitest';
import { median, p90, quantile, ratio } from './stats.js';

describe('statistics', () => {
  it('median of odd and even counts, unsorted input left untouched', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('p90 interpolates between order statistics as numpy does', () => {
    // numpy.percentile([1..10], 90) = 9.1
    expect(p90([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toBeCloseTo(9.1, 12);
    expect(p90([7])).toBe(7);
    expect(quantile([1, 2], 0)).toBe(1);
    expect(quantile([1, 2], 1)).toBe(2);
  });

  it('rejects empty samples and a quantile outside [0, 1]', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('ratio to a baseline, null without one', () => {
    expect(ratio(50, 200)).toBe(0.25);
    expect(ratio(50, null)).toBeNull();
    expect(ratio(50, 0)).toBeNull();
  });
});
