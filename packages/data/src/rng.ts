/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes integers into one 32-bit seed (so every (seed, epoch, sample) gets its own stream). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return h >>> 0;
}

/** The random stream of one sample in one epoch. */
export function sampleRng(seed: number, epoch: number, index: number): Rng {
  return mulberry32(mixSeed(seed, epoch, index));
}

/** An integer in [low, high). */
export function randomInt(rng: Rng, low: number, high: number): number {
  return low + Math.floor(rng() * (high - low));
}

/** Fisher–Yates shuffle of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(rng, 0, i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}
