/** Value at quantile q (0..1) of the samples, linearly interpolated between order statistics (numpy's default). */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new RangeError('quantile of no samples');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);
export const p90 = (samples: readonly number[]): number => quantile(samples, 0.9);

/** value / baseline, or null when there is no baseline to compare with. */
export function ratio(value: number, baseline: number | null | undefined): number | null {
  if (baseline == null || !(baseline > 0) || !Number.isFinite(value)) return null;
  return value / baseline;
}
