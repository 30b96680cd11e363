/** Helpers shared by the tasks' `score`: raw network outputs → the arrays the metrics take. */

/** The arg-max class of each row of `[n, k]` scores (the first maximum on ties). */
export function argmaxRows(outputs: Float32Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (outputs[i * k + c]! > outputs[i * k + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** 0-1 error in percent of predicted class ids against true ones. */
export function zeroOneErrorPercent(pred: Int32Array, truth: ArrayLike<number>): number {
  let wrong = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] !== truth[i]) wrong++;
  return pred.length ? (100 * wrong) / pred.length : NaN;
}

/** Relative ℓ2 error ‖pred − y‖₂ / ‖y‖₂ of each of `n` samples, averaged (FNO's `LpLoss`). */
export function relativeL2(pred: Float32Array, truth: Float32Array, n: number, d: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let diff = 0;
    let norm = 0;
    for (let j = i * d; j < (i + 1) * d; j++) {
      diff += (pred[j]! - truth[j]!) ** 2;
      norm += truth[j]! ** 2;
    }
    total += Math.sqrt(diff) / Math.sqrt(norm);
  }
  return n ? total / n : NaN;
}
