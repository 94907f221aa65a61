/** Levenshtein distance: insertions, deletions and substitutions. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate a misspelt `word` most likely meant (at most a third of its letters off, case aside), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const scored = candidates.map((c) => [c, distance(word.toLowerCase(), c.toLowerCase())] as const);
  const [best, d] = scored.reduce((a, b) => (b[1] < a[1] ? b : a));
  return d <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}
