/** Levenshtein distance (small strings: ids, option names). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min((prev[j] as number) + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

/** The candidates closest to `word` (within a third of its length, or one inside the other), best first. */
export function suggest(word: string, candidates: readonly string[], max = 3): string[] {
  const limit = Math.max(2, Math.ceil(word.length / 3));
  return candidates
    .map((c) => {
      const d = editDistance(word.toLowerCase(), c.toLowerCase());
      // One id inside the other counts as close, but after a true one-letter typo: for
      // "regularised-evolution", "regularized-evolution" comes before "evolution".
      return { c, d: c.includes(word) || word.includes(c) ? Math.min(d, 1.5) : d };
    })
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}
