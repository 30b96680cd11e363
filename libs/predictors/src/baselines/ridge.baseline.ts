import type { Architecture, LabelledArchitecture, SearchSpace } from '@nasx/contracts';
import { predictorError } from '../predictor-error';
import type { BaselinePredictor } from './baseline';

/**
 * Ridge regression in closed form: w = (XcᵀXc + λI)⁻¹ Xcᵀ(y − ȳ) on centred features Xc, with an
 * unpenalised intercept ȳ − x̄ᵀw (scikit-learn's `Ridge(alpha=λ)`). Solved by Cholesky in float64.
 */
export class RidgeRegression {
  private weights: Float64Array | undefined;
  private intercept = 0;

  constructor(readonly lambda = 1) {
    if (!(lambda >= 0)) throw predictorError('usage', `ridge λ must be ≥ 0, got ${lambda}`, 'pass a non-negative λ');
  }

  fit(x: readonly ArrayLike<number>[], y: readonly number[]): this {
    const [fitted] = RidgeRegression.fitTargets(x, [y], this.lambda);
    this.weights = fitted!.weights;
    this.intercept = fitted!.intercept;
    return this;
  }

  /**
   * One fitted model per target column, all on the same rows: the Gram matrix XcᵀXc + λI and its
   * Cholesky factor are computed once and shared, so k targets cost one factorisation instead of
   * k (the per-objective surrogates of a multi-objective searcher). Each model equals
   * `new RidgeRegression(lambda).fit(x, ys[i])`.
   */
  static fitTargets(x: readonly ArrayLike<number>[], ys: readonly (readonly number[])[], lambda = 1): RidgeRegression[] {
    const models = ys.map(() => new RidgeRegression(lambda));
    const n = x.length;
    if (n === 0 || ys.some((y) => y.length !== n))
      throw predictorError(
        'usage',
        `ridge regression needs as many targets as rows (got ${n} rows, ${ys.map((y) => y.length).join('/')} targets, at least 1)`,
        'pass one target per feature vector',
      );
    const d = x[0]!.length;
    const mx = new Float64Array(d);
    for (const row of x) for (let j = 0; j < d; j++) mx[j]! += row[j]! / n;
    const nonZero = x.map((row) => {
      const nz: number[] = [];
      for (let j = 0; j < d; j++) if (row[j] !== 0) nz.push(j);
      return nz;
    });
    if (lambda > 0 && n < d) {
      fitDual(x, nonZero, mx, ys, lambda).forEach((f, t) => {
        models[t]!.weights = f.weights;
        models[t]!.intercept = f.intercept;
      });
      return models;
    }
    const a = new Float64Array(d * d);
    if (nonZero.reduce((s, nz) => s + nz.length, 0) <= 0.25 * n * d) {
      // Sparse rows (a one-hot encoding and its pairwise products): A = XcᵀXc = XᵀX − n·x̄x̄ᵀ,
      // XᵀX summed over each row's non-zeros, n·nnz² instead of n·d² (exact enough in float64 for
      // such bounded features; dense rows take the centred sum below, which has no cancellation).
      x.forEach((row, i) => {
        const nz = nonZero[i]!;
        for (let p = 0; p < nz.length; p++) {
          const j = nz[p]!;
          for (let q = 0; q <= p; q++) a[j * d + nz[q]!]! += row[j]! * row[nz[q]!]!;
        }
      });
      for (let j = 0; j < d; j++) for (let k = 0; k <= j; k++) a[j * d + k]! -= n * mx[j]! * mx[k]!;
    } else {
      const c = new Float64Array(d);
      for (const row of x) {
        for (let j = 0; j < d; j++) c[j] = row[j]! - mx[j]!;
        for (let j = 0; j < d; j++) for (let k = 0; k <= j; k++) a[j * d + k]! += c[j]! * c[k]!;
      }
    }
    // A tiny jitter keeps λ = 0 solvable when features are collinear (one-hot blocks always are).
    for (let j = 0; j < d; j++) a[j * d + j]! += lambda + 1e-10;
    const l = cholesky(a, d);
    ys.forEach((y, t) => {
      const my = y.reduce((s, v) => s + v, 0) / n;
      // b = Xcᵀ(y − ȳ) = Xᵀ(y − ȳ), since the centred targets sum to 0.
      const b = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const row = x[i]!;
        const yi = y[i]! - my;
        for (const j of nonZero[i]!) b[j]! += row[j]! * yi;
      }
      const w = choleskySolve(l, b, d);
      const m = models[t]!;
      m.weights = w;
      m.intercept = my - w.reduce((s, wj, j) => s + wj * mx[j]!, 0);
    });
    return models;
  }

  predict(x: readonly ArrayLike<number>[]): Float64Array {
    const w = this.weights;
    if (!w) throw predictorError('usage', 'ridge regression has not been fitted', 'call fit() first');
    return Float64Array.from(x, (row) => {
      let s = this.intercept;
      for (let j = 0; j < w.length; j++) s += w[j]! * row[j]!;
      return s;
    });
  }
}

/**
 * The same models from the dual (kernel) form, for fewer rows than features (a surrogate's first
 * hundred evaluations over NB201's 465 quadratic features): w = Xcᵀ(XcXcᵀ + λI)⁻¹(y − ȳ), which
 * equals the primal solution for λ > 0, costs n²·d + n³ instead of n·d² + d³, and factorises the
 * n×n kernel once for every target. XcXcᵀ is assembled from the rows' non-zeros:
 * (xᵢ − x̄)·(xⱼ − x̄) = xᵢ·xⱼ − xᵢ·x̄ − xⱼ·x̄ + x̄·x̄.
 */
function fitDual(
  x: readonly ArrayLike<number>[],
  nonZero: readonly number[][],
  mx: Float64Array,
  ys: readonly (readonly number[])[],
  lambda: number,
): { weights: Float64Array; intercept: number }[] {
  const n = x.length;
  const d = mx.length;
  const u = new Float64Array(n);
  x.forEach((row, i) => {
    for (const j of nonZero[i]!) u[i]! += row[j]! * mx[j]!;
  });
  let mm = 0;
  for (let j = 0; j < d; j++) mm += mx[j]! * mx[j]!;
  const k = new Float64Array(n * n);
  const dense = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const ri = x[i]!;
    for (const j of nonZero[i]!) dense[j] = ri[j]!;
    for (let m = 0; m <= i; m++) {
      const rm = x[m]!;
      let dot = 0;
      for (const j of nonZero[m]!) dot += dense[j]! * rm[j]!;
      k[i * n + m] = dot - u[i]! - u[m]! + mm;
    }
    for (const j of nonZero[i]!) dense[j] = 0;
    k[i * n + i]! += lambda + 1e-10;
  }
  const l = cholesky(k, n);
  return ys.map((y) => {
    const my = y.reduce((s, v) => s + v, 0) / n;
    const alpha = choleskySolve(
      l,
      Float64Array.from(y, (v) => v - my),
      n,
    );
    // w = Xcᵀα = Xᵀα − x̄·Σα, and Σα = 0: the centred kernel's rows sum to 0, so 1ᵀ(K + λI) = λ1ᵀ
    // and 1ᵀα = 1ᵀ(y − ȳ)/λ = 0.
    const w = new Float64Array(d);
    x.forEach((row, i) => {
      const a = alpha[i]!;
      for (const j of nonZero[i]!) w[j]! += row[j]! * a;
    });
    return { weights: w, intercept: my - w.reduce((s, wj, j) => s + wj * mx[j]!, 0) };
  });
}

/** The lower Cholesky factor L of a symmetric positive definite A (lower triangle used): A = LLᵀ. */
function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j]!;
    for (let k = 0; k < j; k++) s -= l[j * d + k]! ** 2;
    if (!(s > 0)) throw predictorError('usage', 'ridge regression: the regularised Gram matrix is not positive definite', 'use λ > 0');
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j]!;
      for (let k = 0; k < j; k++) t -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = t / ljj;
    }
  }
  return l;
}

/** Solves LLᵀ·x = b by forward then back substitution. */
function choleskySolve(l: Float64Array, b: Float64Array, d: number): Float64Array {
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let t = b[i]!;
    for (let k = 0; k < i; k++) t -= l[i * d + k]! * z[k]!;
    z[i] = t / l[i * d + i]!;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let t = z[i]!;
    for (let k = i + 1; k < d; k++) t -= l[k * d + i]! * x[k]!;
    x[i] = t / l[i * d + i]!;
  }
  return x;
}

/** Ridge regression on the space's fixed-length encoding (`space.encode`, e.g. NB201's one-hot of 30). */
export class RidgeBaseline implements BaselinePredictor {
  private readonly ridge: RidgeRegression;

  constructor(
    private readonly space: SearchSpace,
    options: { readonly lambda?: number } = {},
  ) {
    this.ridge = new RidgeRegression(options.lambda ?? 1);
  }

  fit(data: readonly LabelledArchitecture[]): void {
    this.ridge.fit(
      data.map((d) => this.space.encode(d.arch)),
      data.map((d) => d.value),
    );
  }

  predict(archs: readonly Architecture[]): Float64Array {
    return this.ridge.predict(archs.map((a) => this.space.encode(a)));
  }
}
