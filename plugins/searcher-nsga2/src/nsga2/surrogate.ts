import type { Architecture, SearchSpace } from '@nasx/contracts';
import { fitTargetTransform, RidgeRegression } from '@nasx/predictors';
import { hypervolume, nonDominatedSort } from '@nasx/stats';

/** The surrogate's inputs (the `surrogate` option after `auto` is resolved). */
export type SurrogateKind = 'linear' | 'quadratic' | 'none';

/** Above this encoding length `auto` takes linear features (the quadratic map grows as d²/2). */
export const QUADRATIC_MAX_ENCODING = 64;

/** Ridge penalty λ of every per-objective model (on 0/1 features; tuned on NB201 seeds 1000+, not the reported seeds). */
export const SURROGATE_RIDGE_LAMBDA = 1;

/** What each model regresses on: the objective itself, or its rank-Gauss scores (`quantile-normal`). */
export type SurrogateTargets = 'quantile-normal' | 'raw';

/** Points at the ends of the training labels used for the slope that extrapolates beyond them. */
const TAIL_POINTS = 5;

/**
 * A monotone map between an objective's values and their rank-Gauss scores, either way:
 * piecewise linear through the training pairs (from, to), sorted, and linear beyond the ends with
 * the slope over the last {@link TAIL_POINTS} steps, so a candidate predicted better than every
 * result told so far maps beyond the best one (what a hypervolume improvement needs).
 */
export class MonotoneMap {
  private readonly z: number[] = [];
  private readonly y: number[] = [];

  constructor(scores: ArrayLike<number>, labels: ArrayLike<number>) {
    const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
    for (const i of order) {
      const zi = scores[i] as number;
      const yi = labels[i] as number;
      // Ties share a score (mid-ranks) and a label: keep one point per `from` value.
      if (this.z.length > 0 && zi === this.z[this.z.length - 1]) continue;
      this.z.push(zi);
      this.y.push(yi);
    }
  }

  map(score: number): number {
    const { z, y } = this;
    const n = z.length;
    if (n === 1) return y[0] as number;
    const k = Math.min(TAIL_POINTS, n - 1);
    if (score <= (z[0] as number))
      return (y[0] as number) + (score - (z[0] as number)) * (((y[k] as number) - (y[0] as number)) / ((z[k] as number) - (z[0] as number)));
    if (score >= (z[n - 1] as number)) {
      const slope = ((y[n - 1] as number) - (y[n - 1 - k] as number)) / ((z[n - 1] as number) - (z[n - 1 - k] as number));
      return (y[n - 1] as number) + (score - (z[n - 1] as number)) * slope;
    }
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((z[mid] as number) <= score) lo = mid;
      else hi = mid;
    }
    const t = (score - (z[lo] as number)) / ((z[hi] as number) - (z[lo] as number));
    return (y[lo] as number) + t * ((y[hi] as number) - (y[lo] as number));
  }
}

/** `auto` → quadratic features where the space's encoding is short (NB201: 30 → 465 features), else linear. */
export function resolveSurrogate(option: 'auto' | SurrogateKind, encodingLength: number): SurrogateKind {
  if (option !== 'auto') return option;
  return encodingLength <= QUADRATIC_MAX_ENCODING ? 'quadratic' : 'linear';
}

/**
 * The surrogate's feature vector of an encoding x: x itself (linear), or x followed by every
 * product xᵢ·xⱼ, i < j (quadratic: on a one-hot encoding, the pairs of choices made together,
 * so a model of these can learn that two ops interact, e.g. a convolution feeding a convolution).
 */
export function surrogateFeatures(x: ArrayLike<number>, kind: Exclude<SurrogateKind, 'none'>): Float64Array {
  const d = x.length;
  if (kind === 'linear') return Float64Array.from(x);
  const out = new Float64Array(d + (d * (d - 1)) / 2);
  let k = 0;
  for (let i = 0; i < d; i++) out[k++] = x[i] as number;
  for (let i = 0; i < d; i++) {
    const xi = x[i] as number;
    for (let j = i + 1; j < d; j++) out[k++] = xi * (x[j] as number);
  }
  return out;
}

/**
 * One ridge-regression model per objective component (`RidgeRegression` of `@nasx/predictors`),
 * fitted on the run's own evaluated results only: the space's `encode` (linear or quadratic
 * features) → each component of the objective vector.
 */
export class ObjectiveSurrogate {
  private models: RidgeRegression[] = [];
  private kindValue: Exclude<SurrogateKind, 'none'> | 'auto';
  /** Feature vectors of architectures already encoded (every told result is refitted on again and again). */
  private readonly cache = new WeakMap<Architecture, Float64Array>();
  /** Indices of the features that varied in the last fit's data (the others are dropped). */
  private active: number[] = [];
  /** How many results the models were last fitted on (0: never fitted). */
  fittedOn = 0;
  /** Maps from each model's scale back to the objective's units, and from the units to the scale (rank-Gauss targets only). */
  private back: MonotoneMap[] = [];
  private forth: MonotoneMap[] = [];
  /** Root-mean-square residual of each component's model on the data it was fitted on (on the model's scale). */
  residualRms: number[] = [];

  constructor(
    private readonly space: SearchSpace,
    kind: Exclude<SurrogateKind, 'none'> | 'auto',
    private readonly dimensions: number,
    private readonly targets: SurrogateTargets = 'quantile-normal',
    private readonly lambda = SURROGATE_RIDGE_LAMBDA,
  ) {
    this.kindValue = kind === 'auto' && space.encodingLength !== undefined ? (resolveSurrogate(kind, space.encodingLength) as 'linear' | 'quadratic') : kind;
  }

  /** `linear` or `quadratic`; `auto` until the encoding length is known (the space's `encodingLength`, else the first encoded architecture). */
  get kind(): Exclude<SurrogateKind, 'none'> | 'auto' {
    return this.kindValue;
  }

  features(arch: Architecture): Float64Array {
    const cached = this.cache.get(arch);
    if (cached) return cached;
    const x = this.space.encode(arch);
    if (this.kindValue === 'auto') this.kindValue = resolveSurrogate('auto', x.length) as 'linear' | 'quadratic';
    const f = surrogateFeatures(x, this.kindValue);
    this.cache.set(arch, f);
    return f;
  }

  /**
   * Fits one model per component on `data` (architectures and their objective vectors). Features
   * that are constant over `data` are left out (they carry no information, and on a one-hot
   * encoding the products of two choices of one decision are always 0: NB201 keeps 405 of 465);
   * the components share one factorisation (`RidgeRegression.fitTargets`).
   */
  fit(data: readonly { readonly arch: Architecture; readonly objective: readonly number[] }[]): void {
    const full = data.map((d) => this.features(d.arch));
    const first = full[0] as Float64Array;
    this.active = Array.from(first.keys()).filter((j) => full.some((row) => row[j] !== first[j]));
    const x = full.map((row) => this.project(row));
    const labels = Array.from({ length: this.dimensions }, (_, c) => data.map((d) => d.objective[c] as number));
    // Rank-Gauss targets: only the order of each objective matters, so NB201's tail of 10 %-accuracy
    // cells does not dominate the squared error that separates the good ones.
    const ys = labels.map((y) => (this.targets === 'raw' ? y : Array.from(fitTargetTransform('quantile-normal', y).targets)));
    this.models = RidgeRegression.fitTargets(x, ys, this.lambda);
    this.back = this.targets === 'raw' ? [] : ys.map((z, c) => new MonotoneMap(z, labels[c] as number[]));
    this.forth = this.targets === 'raw' ? [] : ys.map((z, c) => new MonotoneMap(labels[c] as number[], z));
    this.fittedOn = data.length;
    this.residualRms = this.models.map((m, c) => {
      const fitted = m.predict(x);
      const y = ys[c] as number[];
      return Math.sqrt(y.reduce((sum, v, i) => sum + (v - (fitted[i] as number)) ** 2, 0) / y.length);
    });
  }

  /**
   * Predicted objective vectors (larger is better in every component), one per architecture,
   * with `optimism` residual standard deviations added on the model's own scale: in the
   * objectives' units (`scale: objectives`), or on the models' scale (`scale: scores`: the
   * rank-Gauss scores with quantile-normal targets, the units with raw ones).
   */
  predict(archs: readonly Architecture[], optimism = 0, scale: 'objectives' | 'scores' = 'objectives'): number[][] {
    const x = archs.map((a) => this.project(this.features(a)));
    const columns = this.models.map((m, c) => {
      const raw = m.predict(x);
      const shift = optimism * (this.residualRms[c] as number);
      const back = scale === 'objectives' ? this.back[c] : undefined;
      return Array.from(raw, (v) => (back ? back.map(v + shift) : v + shift));
    });
    return archs.map((_, i) => columns.map((col) => col[i] as number));
  }

  /** An objective vector on the models' scale (its rank-Gauss scores by the last fit; itself with raw targets). */
  toScale(objective: readonly number[]): number[] {
    return objective.map((v, c) => this.forth[c]?.map(v) ?? v);
  }

  private project(row: Float64Array): Float64Array {
    const out = new Float64Array(this.active.length);
    for (let k = 0; k < out.length; k++) out[k] = row[this.active[k] as number] as number;
    return out;
  }
}

/**
 * The order in which candidates are worth evaluating, given their predicted objective vectors
 * and the points already known (the evaluated non-dominated set plus the predictions of proposals
 * still in flight): first by predicted hypervolume improvement over the known points (larger
 * first; the reference point is `reference`), then, for candidates predicted to be dominated, by
 * their non-dominated rank among known ∪ candidates (lower first), then in pool order. This is
 * the infill criterion of surrogate-assisted EMO (Emmerich, Giannakoglou & Naujoks, IEEE TEC
 * 2006: expected/predicted hypervolume improvement) and the predicted ranking MSuNAS (Lu et al.,
 * ECCV 2020) uses to pick which offspring to evaluate. Returns candidate indices.
 */
export function rankByPredictedImprovement(
  predicted: readonly (readonly number[])[],
  known: readonly (readonly number[])[],
  reference: readonly number[],
): number[] {
  const base = hypervolume(known, reference);
  // Differences below round-off (a dominated candidate's union volume recomputed) count as no gain.
  const tolerance = 1e-9 * Math.max(1, base);
  const gain = predicted.map((p) => {
    const g = hypervolume([...known, p], reference) - base;
    return g > tolerance ? g : 0;
  });
  const rank = new Array<number>(predicted.length).fill(0);
  nonDominatedSort([...known, ...predicted]).forEach((front, r) => {
    for (const i of front) if (i >= known.length) rank[i - known.length] = r;
  });
  return predicted.map((_, i) => i).sort((a, b) => (gain[b] as number) - (gain[a] as number) || (rank[a] as number) - (rank[b] as number) || a - b);
}
