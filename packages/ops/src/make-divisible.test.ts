import { describe, expect, it } from 'vitest';
import { makeDivisible } from './make-divisible.js';

describe('makeDivisible', () => {
  it.each([
    // [value, divisor, minValue, expected] — worked by hand from max(min, floor(v + d/2) / d * d), +d if < 0.9 v
    [32, 8, undefined, 32],
    [32 * 0.35, 8, undefined, 16], // 11.2 → 8, below 10.08 → 16
    [24 * 0.75, 8, undefined, 24], // 18 → 16, below 16.2 → 24
    [96 * 0.35, 8, undefined, 32], // 33.6 → 32, not below 30.24
    [1280 * 1.4, 8, undefined, 1792],
    [3, 8, undefined, 8],
    [12, 8, undefined, 16], // 12 + 4 = 16 → 16
    [11.9, 8, undefined, 8 + 8], // 15.9 → 8, below 10.71 → 16
    [20, 16, undefined, 32], // 28 → 16, below 18 → 32
    [5, 8, 4, 8], // 9 → 8 ≥ 4.5
    [2, 8, 1, 9], // 6 → 0, raised to the minimum 1, below 1.8 → 1 + 8
  ] as const)('makeDivisible(%s, %s, %s) = %s', (v, d, min, want) => {
    expect(makeDivisible(v, d, min)).toBe(want);
  });

  it('rejects a non-positive value or divisor', () => {
    expect(() => makeDivisible(0)).toThrow(/value must be positive/);
    expect(() => makeDivisible(10, 0)).toThrow(/divisor a positive integer/);
  });
});
