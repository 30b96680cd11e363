/** Ranks with ties averaged (1-based), as scipy.stats.rankdata. */
export function ranks(x: readonly number[]): number[] {
  const idx = x.map((v, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number));
  const r = new Array<number>(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1] as number] === x[idx[i] as number]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k] as number] = avg;
    i = j + 1;
  }
  return r;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] as number) - ma;
    const y = (b[i] as number) - mb;
    num += x * y;
    da += x * x;
    db += y * y;
  }
  return num / Math.sqrt(da * db);
}

/** Spearman's ρ (Pearson correlation of average ranks). Non-finite pairs are dropped. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const keep = a.map((v, i) => Number.isFinite(v) && Number.isFinite(b[i] as number));
  const x = a.filter((_, i) => keep[i]);
  const y = b.filter((_, i) => keep[i]);
  return pearson(ranks(x), ranks(y));
}

/** Kendall's τ-b (handles ties), O(n²). Non-finite pairs are dropped. */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  const keep = a.map((v, i) => Number.isFinite(v) && Number.isFinite(b[i] as number));
  const x = a.filter((_, i) => keep[i]);
  const y = b.filter((_, i) => keep[i]);
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign((x[i] as number) - (x[j] as number));
      const dy = Math.sign((y[i] as number) - (y[j] as number));
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  return (concordant - discordant) / Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
}
