/**
 * Weighted sparse propagation, the core of message passing: for every edge `e` (`src[e] → dst[e]`)
 * and head `h`, `out[dst[e], h, :] += w[e, h] · x[src[e], h, :]`. The same op multiplies sparse
 * (CSR) node features by a weight matrix (edges = stored entries, `w` = their values). It is one
 * pass over the edges in each direction, with its gradient written from the derivative:
 * `dx[src[e], h, :] += w[e, h] · dy[dst[e], h, :]` and `dw[e, h] = dy[dst[e], h, :] · x[src[e], h, :]`.
 * Composing it from gather, multiply and segment sum costs three kernels and two `[E, H·C]`
 * intermediates per call (and wasm's gather alone is tens of ms on Cora).
 */
import { tf } from '../tf';

/**
 * The values of `t` without a copy where the backend allows: a view of the wasm heap (valid only
 * until the next tensor allocation, so read it at once), the cpu backend's own array, else a copy.
 */
export function valuesOf(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?: (info: { shape: number[]; dtype: string; dataId: object }) => Float32Array };
  if (typeof backend.typedArrayFromHeap === 'function' && t.dtype === 'float32') return backend.typedArrayFromHeap(t as never);
  return t.dataSync() as Float32Array;
}

/** Edges of a propagation: `src → dst`, `rows` destinations. */
export interface PropagationEdges {
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly rows: number;
}

function forwardValues(x: Float32Array, w: Float32Array, edges: PropagationEdges, heads: number, width: number): Float32Array {
  const c = width / heads;
  const out = new Float32Array(edges.rows * width);
  const { src, dst } = edges;
  for (let e = 0; e < src.length; e++) {
    const from = src[e]! * width;
    const to = dst[e]! * width;
    for (let h = 0; h < heads; h++) {
      const a = w[e * heads + h]!;
      if (a === 0) continue;
      const o = h * c;
      for (let k = o; k < o + c; k++) out[to + k] = out[to + k]! + a * x[from + k]!;
    }
  }
  return out;
}

/**
 * `x` is `[M, heads·C]`, `w` is `[E, heads]` (or `[E, 1]` broadcast over heads); the result is
 * `[edges.rows, heads·C]`. Differentiable in `x` and `w` (with `constantWeights`, `w`'s gradient is
 * reported as 0 and not computed).
 */
export function propagate(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  edges: PropagationEdges,
  heads: number,
  options: { readonly constantWeights?: boolean } = {},
): tf.Tensor2D {
  const width = x.shape[1];
  const count = edges.src.length;
  if (w.shape[0] !== count) throw new Error(`@nasx/tensor: propagate got ${w.shape[0]} edge weights for ${count} edges`);
  const wHeads = w.shape[1];
  // Weights that are data (sparse feature values, GCN's normalisation) need no gradient: half the work.
  const constant = options.constantWeights === true;
  const op = tf.customGrad(((xs: tf.Tensor, ws: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xs, ws]);
    const xv = valuesOf(xs);
    const wv = expandHeads(valuesOf(ws), count, wHeads, heads);
    return {
      value: tf.tensor2d(forwardValues(xv, wv, edges, heads, width), [edges.rows, width]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        // Views of the heap: nothing is allocated until the loops are done.
        const dyv = valuesOf(dy);
        const xv2 = valuesOf(saved[0]!);
        const wv2 = expandHeads(valuesOf(saved[1]!), count, wHeads, heads);
        const c = width / heads;
        const dx = new Float32Array(xv2.length);
        const dw = new Float32Array(count * wHeads);
        const { src, dst } = edges;
        for (let e = 0; e < count; e++) {
          const from = src[e]! * width;
          const to = dst[e]! * width;
          for (let h = 0; h < heads; h++) {
            const a = wv2[e * heads + h]!;
            const o = h * c;
            if (constant) {
              if (a !== 0) for (let k = o; k < o + c; k++) dx[from + k] = dx[from + k]! + a * dyv[to + k]!;
              continue;
            }
            let dot = 0;
            for (let k = o; k < o + c; k++) {
              const g = dyv[to + k]!;
              dx[from + k] = dx[from + k]! + a * g;
              dot += g * xv2[from + k]!;
            }
            dw[e * wHeads + (wHeads === 1 ? 0 : h)] = dw[e * wHeads + (wHeads === 1 ? 0 : h)]! + dot;
          }
        }
        return [tf.tensor2d(dx, saved[0]!.shape as [number, number]), tf.tensor2d(dw, [count, wHeads])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, w) as tf.Tensor2D;
}

function expandHeads(w: Float32Array, count: number, wHeads: number, heads: number): Float32Array {
  if (wHeads === heads) return w;
  if (wHeads !== 1) throw new Error(`@nasx/tensor: propagate weights have ${wHeads} heads for ${heads}`);
  const out = new Float32Array(count * heads);
  for (let e = 0; e < count; e++) out.fill(w[e]!, e * heads, (e + 1) * heads);
  return out;
}
