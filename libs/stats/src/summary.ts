/** Arithmetic mean (NaN for an empty list). */
export function mean(x: readonly number[]): number {
  return x.reduce((a, b) => a + b, 0) / x.length;
}

/** Sample standard deviation (n − 1 in the denominator, as numpy's `std(ddof=1)`); NaN below 2 values. */
export function sampleStd(x: readonly number[]): number {
  const m = mean(x);
  return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
}
