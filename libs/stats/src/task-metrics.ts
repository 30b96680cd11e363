/**
 * The metrics of the NAS-Bench-360 tasks (Tu et al., NeurIPS 2022), computed as its code computes
 * them (scikit-learn's definitions; PDNET's MAE₈ for PSICOV): 0-1 error, macro F1, average precision
 * and its mean over labels (mAP), ROC AUC averaged per label or pooled, relative ℓ2, MAE₈.
 * Inputs are flat row-major arrays (`[n, k]` scores: sample i, label j at `i·k + j`).
 */
import { NasxError } from '@nasx/contracts';

const PKG = '@nasx/stats';

function usage(message: string, fix: string): NasxError {
  return new NasxError('usage', message, { pkg: PKG, fix });
}

function checkSizes(what: string, a: ArrayLike<number>, b: ArrayLike<number>, expected?: number): void {
  if (a.length === 0 || b.length === 0) throw usage(`${what}: no values to score`, 'score at least one sample');
  if (a.length !== b.length || (expected !== undefined && a.length < expected)) {
    throw usage(
      `${what}: ${a.length} values against ${b.length}${expected !== undefined ? ` (expected ${expected})` : ''}`,
      'pass predictions and targets of the same samples, flattened in the same order',
    );
  }
}

/** 0-1 error in percent: the share of `pred` different from `truth`. */
export function zeroOneError(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkSizes('zeroOneError', truth, pred);
  let wrong = 0;
  for (let i = 0; i < truth.length; i++) if (pred[i] !== truth[i]) wrong++;
  return (100 * wrong) / truth.length;
}

/** The arg-max column of each row of `[n, k]` scores (the first maximum on ties, as NumPy's argmax). */
export function argmaxRows(scores: ArrayLike<number>, n: number, k: number): Int32Array {
  if (scores.length < n * k) throw usage(`argmaxRows: ${scores.length} scores for ${n} × ${k}`, 'pass n rows of k scores');
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c]! > scores[i * k + best]!) best = c;
    out[i] = best;
  }
  return out;
}

export interface MacroF1Options {
  /** Classes `0 … classes − 1` to average over (scikit-learn's `labels=range(classes)`). */
  readonly classes: number;
  /**
   * A class neither present nor predicted: `zero` counts it with F1 = 0 (scikit-learn with `labels`
   * given, `zero_division=0`; NAS-Bench-360's ECG), `skip` leaves it out of the mean.
   */
  readonly absentClasses?: 'zero' | 'skip';
}

/**
 * Per-class true positives, false positives and false negatives of `pred` against `truth` for
 * classes `0 … k − 1`; `scoredTruthOnly` leaves out samples whose truth is not a class (segmentation's
 * void pixels), so their predictions are not false positives either.
 */
function confusionCounts(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  k: number,
  scoredTruthOnly: boolean,
): { tp: Float64Array; fp: Float64Array; fn: Float64Array } {
  const tp = new Float64Array(k);
  const fp = new Float64Array(k);
  const fn = new Float64Array(k);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = pred[i]!;
    const scored = Number.isInteger(t) && t >= 0 && t < k;
    if (scoredTruthOnly && !scored) continue;
    if (t === p) {
      if (scored) tp[t] = tp[t]! + 1;
    } else {
      if (p >= 0 && p < k) fp[p] = fp[p]! + 1;
      if (scored) fn[t] = fn[t]! + 1;
    }
  }
  return { tp, fp, fn };
}

/** Macro F1: the F1 of each class (0 when it has no true positive), averaged over the classes. */
export function macroF1(truth: ArrayLike<number>, pred: ArrayLike<number>, options: MacroF1Options): number {
  checkSizes('macroF1', truth, pred);
  const k = options.classes;
  const { tp, fp, fn } = confusionCounts(truth, pred, k, false);
  let total = 0;
  let counted = 0;
  for (let c = 0; c < k; c++) {
    const denominator = 2 * tp[c]! + fp[c]! + fn[c]!;
    if (denominator === 0 && options.absentClasses === 'skip') continue;
    total += denominator === 0 ? 0 : (2 * tp[c]!) / denominator;
    counted++;
  }
  return counted ? total / counted : NaN;
}

/** Indices of `scores` by decreasing score (stable). */
function byScoreDesc(scores: ArrayLike<number>, from: number, n: number, stride: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  return order.sort((a, b) => scores[from + b * stride]! - scores[from + a * stride]! || a - b);
}

/**
 * Average precision of one binary label, as scikit-learn's `average_precision_score`:
 * Σₙ (Rₙ − Rₙ₋₁) Pₙ over the distinct score thresholds. NaN when there is no positive
 * (scikit-learn returns 0 with a warning; {@link meanAveragePrecision} decides how to count it).
 */
export function averagePrecision(truth01: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkSizes('averagePrecision', truth01, scores);
  return apColumn(truth01, scores, 0, truth01.length, 1);
}

function apColumn(truth: ArrayLike<number>, scores: ArrayLike<number>, from: number, n: number, stride: number): number {
  let positives = 0;
  for (let i = 0; i < n; i++) if (truth[from + i * stride]! > 0) positives++;
  if (positives === 0) return NaN;
  const order = byScoreDesc(scores, from, n, stride);
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let r = 0; r < n;) {
    const s = scores[from + order[r]! * stride]!;
    while (r < n && scores[from + order[r]! * stride] === s) {
      if (truth[from + order[r]! * stride]! > 0) tp++;
      else fp++;
      r++;
    }
    const recall = tp / positives;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

/**
 * ROC AUC of one binary label, as scikit-learn's `roc_auc_score` (tied scores count one half):
 * NaN when only one class is present (scikit-learn raises).
 */
export function rocAuc(truth01: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkSizes('rocAuc', truth01, scores);
  return aucColumn(truth01, scores, 0, truth01.length, 1, undefined);
}

function aucColumn(truth: ArrayLike<number>, scores: ArrayLike<number>, from: number, n: number, stride: number, threshold: number | undefined): number {
  const score = threshold === undefined ? (i: number) => scores[from + i * stride]! : (i: number) => (scores[from + i * stride]! > threshold ? 1 : 0);
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => score(a) - score(b));
  let positives = 0;
  let rankSum = 0;
  for (let r = 0; r < n;) {
    const s = score(order[r]!);
    let end = r;
    let pos = 0;
    while (end < n && score(order[end]!) === s) {
      if (truth[from + order[end]! * stride]! > 0) pos++;
      end++;
    }
    rankSum += pos * ((r + 1 + end) / 2);
    positives += pos;
    r = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface MeanAveragePrecisionOptions {
  /**
   * A label without positives: `zero` counts its AP as 0 (scikit-learn's `average='macro'`, which
   * NAS-Bench-360's FSD50K evaluation calls; the default), `skip` leaves it out.
   */
  readonly noPositive?: 'zero' | 'skip';
}

/** mAP: the average precision of each of `k` labels of `[n, k]` targets and scores, averaged. */
export function meanAveragePrecision(
  truth01: ArrayLike<number>,
  scores: ArrayLike<number>,
  n: number,
  k: number,
  options: MeanAveragePrecisionOptions = {},
): number {
  checkSizes('meanAveragePrecision', truth01, scores, n * k);
  let total = 0;
  let counted = 0;
  for (let j = 0; j < k; j++) {
    const ap = apColumn(truth01, scores, j, n, k);
    if (Number.isNaN(ap)) {
      if (options.noPositive === 'skip') continue;
      counted++;
      continue;
    }
    total += ap;
    counted++;
  }
  return counted ? total / counted : NaN;
}

export interface AurocOptions {
  /**
   * `macro`: the ROC AUC of each label, averaged over the labels that have both classes (DeepSEA in
   * NAS-Bench-360: the mean of the per-label AUCs); `pooled`: one ROC AUC over every entry
   * flattened (Cosmic in NAS-Bench-360: all pixels of all images).
   */
  readonly average: 'macro' | 'pooled';
  /**
   * Score hard 0/1 predictions `score > threshold` instead of the scores (NAS-Bench-360's Cosmic
   * evaluation thresholds the network output at 0.5 before `roc_auc_score`).
   */
  readonly threshold?: number;
}

/** ROC AUC of `[n, k]` binary targets and scores, averaged as `options.average` says. */
export function auroc(truth01: ArrayLike<number>, scores: ArrayLike<number>, n: number, k: number, options: AurocOptions): number {
  checkSizes('auroc', truth01, scores, n * k);
  if (options.average === 'pooled') return aucColumn(truth01, scores, 0, n * k, 1, options.threshold);
  let total = 0;
  let counted = 0;
  for (let j = 0; j < k; j++) {
    const auc = aucColumn(truth01, scores, j, n, k, options.threshold);
    if (Number.isNaN(auc)) continue;
    total += auc;
    counted++;
  }
  return counted ? total / counted : NaN;
}

/**
 * Relative ℓ2 error ‖pred − truth‖₂ / ‖truth‖₂ of each of `n` samples of `d` values, averaged (the
 * Fourier Neural Operator's `LpLoss`, NAS-Bench-360's Darcy metric).
 */
export function relativeL2(pred: ArrayLike<number>, truth: ArrayLike<number>, n: number, d: number): number {
  checkSizes('relativeL2', pred, truth, n * d);
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
  return total / n;
}

export interface Mae8Options {
  /** True length L of each protein (its map is the top-left L × L of the `side × side` one). Default: `side`. */
  readonly lengths?: ArrayLike<number>;
  /** Pairs (p, q) with q − p ≥ this count (long range; default 24). */
  readonly minSeparation?: number;
  /** Pairs whose true distance is at most this many Å count (default 8). */
  readonly maxDistance?: number;
  /**
   * How the predicted map is made symmetric before scoring the upper triangle: `mean`:
   * (P[p,q] + P[q,p]) / 2; `nb360-eval`: as NAS-Bench-360's evaluation does it, which averages the
   * triangles in place first (P[p,q] ← (P[q,p] + P[p,q]) / 2, q ≥ p), clamps predictions below
   * 0.01, then averages again in `calculate_mae` — in effect ¾ P[q,p] + ¼ P[p,q].
   */
  readonly symmetrize?: 'mean' | 'nb360-eval';
}

/**
 * MAE₈ (PSICOV in NAS-Bench-360, PDNET's `calculate_mae`): per protein, the mean absolute error of
 * the predicted distance over the pairs with sequence separation ≥ 24 and true distance ≤ 8 Å
 * (true NaN entries skipped); the mean over the proteins that have such pairs. `pred` and `truth`
 * are `[n, side, side]` distance maps.
 */
export function mae8(pred: ArrayLike<number>, truth: ArrayLike<number>, n: number, side: number, options: Mae8Options = {}): number {
  checkSizes('mae8', pred, truth, n * side * side);
  const minSep = options.minSeparation ?? 24;
  const maxD = options.maxDistance ?? 8;
  const quirk = options.symmetrize === 'nb360-eval';
  let total = 0;
  let proteins = 0;
  for (let i = 0; i < n; i++) {
    const L = options.lengths ? options.lengths[i]! : side;
    if (!(Number.isInteger(L) && L >= 0 && L <= side))
      throw usage(`mae8: protein ${i} has length ${L}, outside 0 … ${side}`, "pass each protein's true length, at most the map size");
    const at = (p: number, q: number) => i * side * side + p * side + q;
    let sum = 0;
    let count = 0;
    for (let p = 0; p < L; p++) {
      for (let q = p + minSep; q < L; q++) {
        const y = truth[at(p, q)]!;
        if (Number.isNaN(y) || y > maxD) continue;
        let predicted: number;
        if (quirk) {
          const clamp = (v: number) => (v < 0.01 ? 0.01 : v);
          const upper = clamp((pred[at(q, p)]! + pred[at(p, q)]!) / 2);
          predicted = (clamp(pred[at(q, p)]!) + upper) / 2;
        } else {
          predicted = (pred[at(p, q)]! + pred[at(q, p)]!) / 2;
        }
        sum += Math.abs(y - predicted);
        count++;
      }
    }
    if (count > 0) {
      total += sum / count;
      proteins++;
    }
  }
  return proteins ? total / proteins : NaN;
}

export interface MeanIoUOptions {
  /** Classes `0 … classes − 1`; a truth label outside them (CamVid's void, 11) is not scored. */
  readonly classes: number;
}

/**
 * Mean intersection over union (%) of per-pixel class predictions, as semantic segmentation scores
 * (Auto-DeepLab's Cityscapes/CamVid mIoU): over the pixels whose truth is a class, a confusion matrix;
 * per class TP / (TP + FP + FN); the mean over the classes that occur in the truth or the
 * predictions of scored pixels (a class absent from both is left out rather than counted 0 or 1).
 */
export function meanIoU(truth: ArrayLike<number>, pred: ArrayLike<number>, options: MeanIoUOptions): number {
  checkSizes('meanIoU', truth, pred);
  const k = options.classes;
  const { tp, fp, fn } = confusionCounts(truth, pred, k, true);
  let sum = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    const union = tp[c]! + fp[c]! + fn[c]!;
    if (union === 0) continue;
    sum += tp[c]! / union;
    present++;
  }
  return present ? (100 * sum) / present : NaN;
}

/** The arg-max channel of each pixel of channel-first scores `[n, k, p]` (p pixels per sample): `[n, p]`. */
export function argmaxChannels(scores: ArrayLike<number>, n: number, k: number, p: number): Int32Array {
  if (scores.length < n * k * p) throw usage(`argmaxChannels: ${scores.length} scores for ${n} × ${k} × ${p}`, 'pass n samples of k channels of p pixels');
  const out = new Int32Array(n * p);
  for (let i = 0; i < n; i++) {
    const base = i * k * p;
    for (let q = 0; q < p; q++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (scores[base + c * p + q]! > scores[base + best * p + q]!) best = c;
      out[i * p + q] = best;
    }
  }
  return out;
}

/** What each metric measures and which way is better, and its form in NAS-Bench-360's tables. */
export const TASK_METRICS = {
  zeroOneError: { title: '0-1 error (%)', direction: 'minimize', paperForm: 'as is' },
  macroF1: { title: 'macro F1', direction: 'maximize', paperForm: '1 − F1' },
  meanAveragePrecision: { title: 'mAP', direction: 'maximize', paperForm: '1 − mAP' },
  auroc: { title: 'AUROC', direction: 'maximize', paperForm: '1 − AUROC' },
  relativeL2: { title: 'relative ℓ2', direction: 'minimize', paperForm: 'as is' },
  mae8: { title: 'MAE₈ (Å)', direction: 'minimize', paperForm: 'as is' },
  meanIoU: { title: 'mIoU (%)', direction: 'maximize', paperForm: 'as is' },
} as const;
