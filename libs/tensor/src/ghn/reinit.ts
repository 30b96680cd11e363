/**
 * Post-processing of a network's starting parameters before fine-tuning, after Knyazev,
 * "Pretraining a Neural Network before Knowing Its Architecture" (ICML 2022 workshop; the
 * reference's `ppuda/utils/init.py`, GHN-orth): GHN-2's predicted weight matrices lack diversity
 * (filters of a layer are nearly parallel, layers of one shape nearly equal), which SGD must undo
 * first; adding a little noise and orthogonalising each weight matrix keeps what was predicted
 * while making the filters of a layer orthonormal.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../init/seeded-random';
import type { GhnNetwork } from './ghn.train';

/** Options of {@link reinitializeParameters}. */
export interface ReinitOptions {
  /** Replace each transformed weight matrix by the Q of its QR decomposition (signs from R's diagonal). */
  readonly orthogonalize: boolean;
  /** β: Gaussian noise of standard deviation β · sd(correlations between the matrix's rows) added first (0: none; the reference uses 3e-5). */
  readonly noise: number;
  /** Transform only the weight layers from this one on (1-based, in forward order; the reference's `layer`). */
  readonly fromLayer: number;
  readonly seed: number;
}

/**
 * The columns-orthonormal Q of a thin Householder QR of `a` (`m × n` row-major, `m ≥ n`), with
 * each column's sign set so that R's diagonal is non-negative (as the reference multiplies by
 * `sign(diag(R))`; a zero diagonal keeps its sign +).
 */
export function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  if (m < n) throw new RangeError(`orthonormalColumns: ${m} × ${n} has more columns than rows`);
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m);
    const alpha = r[k * n + k]! >= 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k]!;
    v[k]! -= alpha;
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i]! ** 2;
    if (vn > 0) {
      // R ← (I − 2vvᵀ/vᵀv) R on columns k … n−1.
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i]! * r[i * n + j]!;
        const f = (2 * dot) / vn;
        for (let i = k; i < m; i++) r[i * n + j]! -= f * v[i]!;
      }
    }
    vs.push(vn > 0 ? v.map((x) => x / Math.sqrt(vn)) : v);
  }
  // Q = H_0 … H_{n−1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i]! * q[i * n + j]!;
      if (dot === 0) continue;
      for (let i = k; i < m; i++) q[i * n + j]! -= 2 * dot * v[i]!;
    }
  }
  for (let j = 0; j < n; j++) {
    if (r[j * n + j]! < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j]!;
  }
  return q;
}

/** Standard deviation (unbiased) of the entries of the row-correlation matrix of `a` (`rows × cols`), as `torch.corrcoef(a).std()`. */
function correlationSpread(a: Float64Array, rows: number, cols: number): number {
  const centred = new Float64Array(a.length);
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += a[i * cols + j]!;
    mean /= cols;
    let ss = 0;
    for (let j = 0; j < cols; j++) {
      const d = a[i * cols + j]! - mean;
      centred[i * cols + j] = d;
      ss += d * d;
    }
    norms[i] = Math.sqrt(ss);
  }
  const values: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < rows; k++) {
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += centred[i * cols + j]! * centred[k * cols + j]!;
      const c = norms[i]! > 0 && norms[k]! > 0 ? dot / (norms[i]! * norms[k]!) : 0;
      values.push(Math.max(-1, Math.min(1, c)));
    }
  }
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
}

/**
 * One weight in PyTorch's 2-D view `[out, in · kh · kw]` (the reference's `weights2mat`), from the
 * network's tfjs layout: conv `[KH, KW, Cin, Cout]`, depthwise `[KH, KW, C, 1]`, linear `[Cin, Cout]`.
 */
function torchMatrix(
  values: Float32Array,
  shape: readonly number[],
  depthwise: boolean,
): { mat: Float64Array; out: number; per: number; index: (o: number, j: number) => number } {
  if (shape.length === 2) {
    const [cin, cout] = shape as [number, number];
    const index = (o: number, j: number): number => j * cout + o;
    const mat = new Float64Array(cout * cin);
    for (let o = 0; o < cout; o++) for (let j = 0; j < cin; j++) mat[o * cin + j] = values[index(o, j)]!;
    return { mat, out: cout, per: cin, index };
  }
  const [kh, kw, cin, cm] = shape as [number, number, number, number];
  // Depthwise: out channel = input channel c (torch [C, 1, kh, kw]), kh · kw taps each.
  const out = depthwise ? cin : cm;
  const inner = depthwise ? 1 : cin;
  const per = inner * kh * kw;
  // torch [out, in, kh, kw] flattened: j = (i · kh + y) · kw + x.
  const index = (o: number, j: number): number => {
    const i = Math.floor(j / (kh * kw));
    const y = Math.floor((j % (kh * kw)) / kw);
    const x = j % kw;
    return depthwise ? (y * kw + x) * cin + o : ((y * kw + x) * cin + i) * cm + o;
  };
  const mat = new Float64Array(out * per);
  for (let o = 0; o < out; o++) for (let j = 0; j < per; j++) mat[o * per + j] = values[index(o, j)]!;
  return { mat, out, per, index };
}

/**
 * The parameters of `net` with its convolution, depthwise and linear weights transformed as
 * GHN-orth does (noise, then orthogonalisation), from weight layer `fromLayer` on; the classifier,
 * batch norms and biases are kept. Returns new tensors (dispose them); `params` is not consumed.
 */
export function reinitializeParameters(net: GhnNetwork, params: Readonly<Record<string, tf.Tensor>>, options: ReinitOptions): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(params)) out[k] = tf.clone(t);
  if (!options.orthogonalize && options.noise <= 0) return out;
  const random = new SeededRandom(options.seed, 'ghn-reinit');
  let layer = 0;
  for (const node of net.compute.nodes) {
    if (node.op !== 'conv' && node.op !== 'dw_conv' && node.op !== 'linear') continue;
    layer++;
    if (layer < options.fromLayer) continue;
    const name = node.param!.names[0]!;
    const t = out[name]!;
    const shape = t.shape;
    const values = t.dataSync() as Float32Array;
    const { mat, out: rows, per, index } = torchMatrix(values, shape, node.op === 'dw_conv');
    if (options.noise > 0) {
      const sd = options.noise * correlationSpread(mat, rows, per);
      const z = random.fork(name).fillNormal(new Float32Array(mat.length), 1);
      for (let i = 0; i < mat.length; i++) mat[i]! += sd * z[i]!;
    }
    let result = mat;
    if (options.orthogonalize) {
      if (rows >= per) result = orthonormalColumns(mat, rows, per);
      else {
        // Wide matrix: orthogonalise its transpose (orthonormal rows), as the reference does.
        const tr = new Float64Array(mat.length);
        for (let o = 0; o < rows; o++) for (let j = 0; j < per; j++) tr[j * rows + o] = mat[o * per + j]!;
        const q = orthonormalColumns(tr, per, rows);
        result = new Float64Array(mat.length);
        for (let o = 0; o < rows; o++) for (let j = 0; j < per; j++) result[o * per + j] = q[j * rows + o]!;
      }
    }
    const next = new Float32Array(values.length);
    for (let o = 0; o < rows; o++) for (let j = 0; j < per; j++) next[index(o, j)] = result[o * per + j]!;
    t.dispose();
    out[name] = tf.tensor(next, shape);
  }
  return out;
}
