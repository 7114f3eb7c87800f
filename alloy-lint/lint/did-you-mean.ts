/** "Did you mean": the candidate nearest to a misspelt name, when it is near enough to be the one meant. */

/**
 * Edit distance with adjacent transpositions (optimal string alignment: `levle` is one edit from `level`), with an
 * early exit once every path exceeds `limit`.
 */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        current[j] = Math.min(current[j], beforePrevious[j - 2] + 1);
      }
      best = Math.min(best, current[j]);
    }
    if (best > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length];
}

/** The nearest candidate within a third of the name's length (at least 1, at most 3 edits). */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let found: string | undefined;
  let best = limit + 1;
  for (const c of candidates) {
    const d = distance(name, c, limit);
    if (d < best) {
      best = d;
      found = c;
    }
  }
  return found;
}
