/**
 * Small dense linear algebra in float64 for proxy scores: log-determinants of kernel matrices
 * (NASWOT v2) and eigenvalues of correlation matrices (NASWOT v1 / jacob_cov). Matrices are
 * row-major `Float64Array`s of n × n; n is a mini-batch size (≤ a few hundred).
 */

/** `log |det A|` and the sign of det A, by LU decomposition with partial pivoting. */
export function slogdet(a: Float64Array, n: number): { sign: number; logAbsDet: number } {
  const m = Float64Array.from(a);
  let sign = 1;
  let logAbsDet = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    let max = Math.abs(m[k * n + k] as number);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(m[i * n + k] as number);
      if (v > max) {
        max = v;
        p = i;
      }
    }
    if (max === 0) return { sign: 0, logAbsDet: -Infinity };
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = m[k * n + j] as number;
        m[k * n + j] = m[p * n + j] as number;
        m[p * n + j] = t;
      }
      sign = -sign;
    }
    const pivot = m[k * n + k] as number;
    if (pivot < 0) sign = -sign;
    logAbsDet += Math.log(Math.abs(pivot));
    for (let i = k + 1; i < n; i++) {
      const f = (m[i * n + k] as number) / pivot;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) m[i * n + j] = (m[i * n + j] as number) - f * (m[k * n + j] as number);
    }
  }
  return { sign, logAbsDet };
}

/** Eigenvalues of a symmetric matrix (cyclic Jacobi rotations; accurate to ~1e-12 relative). */
export function symmetricEigenvalues(a: Float64Array, n: number, maxSweeps = 100): Float64Array {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += (m[i * n + j] as number) ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[p * n + p] as number;
        const aqq = m[q * n + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p] as number;
          const akq = m[k * n + q] as number;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k] as number;
          const aqk = m[q * n + k] as number;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = m[i * n + i] as number;
  return out;
}

/** Pearson correlation matrix of the rows of `x` (n rows × d columns), as numpy's corrcoef. */
export function rowCorrelation(x: Float64Array | Float32Array, n: number, d: number): Float64Array {
  const centred = new Float64Array(n * d);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let k = 0; k < d; k++) mean += x[i * d + k] as number;
    mean /= d;
    let ss = 0;
    for (let k = 0; k < d; k++) {
      const v = (x[i * d + k] as number) - mean;
      centred[i * d + k] = v;
      ss += v * v;
    }
    norms[i] = Math.sqrt(ss);
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += (centred[i * d + k] as number) * (centred[j * d + k] as number);
      const denom = (norms[i] as number) * (norms[j] as number);
      const r = denom > 0 ? dot / denom : i === j ? 1 : 0;
      out[i * n + j] = r;
      out[j * n + i] = r;
    }
  }
  return out;
}
