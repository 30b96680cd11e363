import type { Json } from '@nasx/contracts';

/**
 * How training labels become regression targets:
 * - `quantile-normal`: each label replaced by the standard normal quantile of its mid-rank,
 *   Φ⁻¹((rank − ½)/n) (ties share their average rank): a rank-based standardisation
 *   ("rank-Gauss"). Only the order of the labels matters, so a long tail of bad architectures
 *   (NB201's 10 %-accuracy cells) cannot dominate the squared error. Predictions are on that scale.
 * - `standardize`: (y − mean)/std; predictions are mapped back to the labels' units.
 */
export type TargetTransform = 'quantile-normal' | 'standardize';

/** A fitted target transform (saved with the model). */
export type FittedTargetTransform =
  { readonly kind: 'quantile-normal' } | { readonly kind: 'standardize'; readonly mean: number; readonly std: number } | { readonly kind: 'none' };

/** Fits `kind` on the labels and returns the targets to train on. */
export function fitTargetTransform(kind: TargetTransform | 'none', labels: readonly number[]): { transform: FittedTargetTransform; targets: Float32Array } {
  const n = labels.length;
  if (kind === 'none') return { transform: { kind }, targets: Float32Array.from(labels) };
  if (kind === 'standardize') {
    const mean = labels.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(labels.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    const std = sd > 0 ? sd : 1;
    return { transform: { kind, mean, std }, targets: Float32Array.from(labels, (v) => (v - mean) / std) };
  }
  const ranks = midRanks(labels);
  return { transform: { kind }, targets: Float32Array.from(ranks, (r) => inverseNormalCdf((r + 0.5) / n)) };
}

/** Maps a model's outputs back to label units where the transform allows (in place). */
export function invertTargetTransform(t: FittedTargetTransform, out: Float32Array): Float32Array {
  if (t.kind === 'standardize') for (let i = 0; i < out.length; i++) out[i] = out[i]! * t.std + t.mean;
  return out;
}

/** Checks a saved transform. */
export function isFittedTargetTransform(x: Json | undefined): boolean {
  const t = x as { kind?: unknown; mean?: unknown; std?: unknown } | undefined;
  if (!t || typeof t !== 'object') return false;
  if (t.kind === 'standardize') return typeof t.mean === 'number' && typeof t.std === 'number';
  return t.kind === 'quantile-normal' || t.kind === 'none';
}

/** 0-based ranks with ties sharing their average rank. */
export function midRanks(x: readonly number[]): Float64Array {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Float64Array(x.length);
  for (let k = 0; k < order.length;) {
    let e = k;
    while (e + 1 < order.length && order[e + 1]![0] === order[k]![0]) e++;
    for (let m = k; m <= e; m++) r[order[m]![1]] = (k + e) / 2;
    k = e + 1;
  }
  return r;
}

/**
 * Φ⁻¹(p), the standard normal quantile, by P. J. Acklam's rational approximation (relative error
 * below 1.2e-9 on (0, 1)).
 */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) return p <= 0 ? -Infinity : Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
