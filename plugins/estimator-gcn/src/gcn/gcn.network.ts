import {
  ParameterSet,
  addDense,
  dense,
  dropout,
  dropoutStream,
  matMul,
  propagate,
  type ForwardMode,
  type GcnGraphEncoder,
  type PredictorNetwork,
  type SeededRandom,
} from '@nasx/predictors';
import { tf } from '@nasx/tensor';

/** Shape of the GCN predictor (Wen et al., ECCV 2020, Sec. 3.2 and Appendix). */
export interface GcnArchitecture {
  /** Graph convolution layers (Wen et al.: 3). */
  readonly layers: number;
  /** Width of each graph convolution (Wen et al.: 144). */
  readonly hidden: number;
  /** Width of the hidden layer of the MLP head (the reference implementation: 128). */
  readonly mlpHidden: number;
  /** Dropout after each graph convolution and in the head (the reference implementation: 0.1). */
  readonly dropout: number;
}

/**
 * The GCN predictor of Wen et al. ("Neural Predictor for Neural Architecture Search", ECCV 2020):
 *
 *   H⁽ˡ⁺¹⁾ = ½·( ReLU(P_in H⁽ˡ⁾ W_inˡ) + ReLU(P_out H⁽ˡ⁾ W_outˡ) ),  H⁽⁰⁾ = node features,
 *
 * a directed graph convolution that uses both directions of the edges with separate weights
 * (P_in = D⁻¹(I + Aᵀ) averages a node with its predecessors, P_out = D⁻¹(I + A) with its
 * successors), then the mean of H over the real nodes (global mean pooling), then an MLP
 * `hidden → mlpHidden → 1` with a ReLU between (the reference implementation has no
 * non-linearity there). Graph convolution weights start Glorot-uniform, the head PyTorch's default.
 *
 * Two ways to compute the same function: when every graph of a batch has the same propagation
 * matrices (NAS-Bench-201: one topology for all cells, ops on the nodes), nodes-major layout and
 * plain 2-D products (P·[H₁ … H_B]); otherwise batched products per graph, which the wasm backend
 * runs about five times slower (0.6 vs 10 GMAC/s).
 */
export function createGcnNetwork(encoder: GcnGraphEncoder, arch: GcnArchitecture, seed: number): PredictorNetwork {
  const params = new ParameterSet(seed);
  let width = encoder.featureWidth;
  for (let l = 0; l < arch.layers; l++) {
    for (const dir of ['in', 'out'] as const)
      params.add(`gc${l}.${dir}.weight`, [width, arch.hidden], { kind: 'glorot-uniform', fanIn: width, fanOut: arch.hidden });
    width = arch.hidden;
  }
  addDense(params, 'head.fc1', width, arch.mlpHidden);
  addDense(params, 'head.fc2', arch.mlpHidden, 1);

  /** ½·(ReLU(G_in·W_in) + ReLU(G_out·W_out)) on rows of propagated features `[rows, d]`. */
  const combine = (l: number, gIn: tf.Tensor2D, gOut: tf.Tensor2D): tf.Tensor2D => {
    const conv = (g: tf.Tensor2D, dir: 'in' | 'out') => tf.relu(matMul(g, params.get(`gc${l}.${dir}.weight`) as tf.Tensor2D));
    return tf.mul(tf.add(conv(gIn, 'in'), conv(gOut, 'out')), 0.5) as tf.Tensor2D;
  };

  const head = (pooled: tf.Tensor2D, drop: SeededRandom | undefined): tf.Tensor1D => {
    let z = tf.relu(dense(params, 'head.fc1', pooled));
    if (drop) z = dropout(z, arch.dropout, drop);
    return tf.reshape(dense(params, 'head.fc2', z), [pooled.shape[0]]);
  };

  /** One topology for the batch: H kept nodes-major `[N, B·d]`, so P·H is one 2-D product. */
  function sharedForward(x: tf.Tensor3D, pIn: tf.Tensor2D, pOut: tf.Tensor2D, pool: tf.Tensor2D, drop: SeededRandom | undefined): tf.Tensor1D {
    const [B, N, F] = x.shape;
    let h = tf.reshape(tf.transpose(x, [1, 0, 2]), [N, B * F]) as tf.Tensor2D;
    let d = F;
    for (let l = 0; l < arch.layers; l++) {
      const g = (p: tf.Tensor2D) => tf.reshape(propagate(p, h), [N * B, d]) as tf.Tensor2D;
      let next = combine(l, g(pIn), g(pOut));
      if (drop) next = dropout(next, arch.dropout, drop);
      d = arch.hidden;
      h = tf.reshape(next, [N, B * d]) as tf.Tensor2D;
    }
    return head(tf.reshape(propagate(pool, h), [B, d]) as tf.Tensor2D, drop);
  }

  /** Graphs of different topologies: batched products `[B, N, N]·[B, N, d]`. */
  function batchedForward(x: tf.Tensor3D, pIn: tf.Tensor3D, pOut: tf.Tensor3D, pool: tf.Tensor3D, drop: SeededRandom | undefined): tf.Tensor1D {
    const [B, N, F] = x.shape;
    let h = x;
    let d = F;
    for (let l = 0; l < arch.layers; l++) {
      const g = (p: tf.Tensor3D) => tf.reshape(propagate(p, h), [B * N, d]) as tf.Tensor2D;
      let next = combine(l, g(pIn), g(pOut));
      if (drop) next = dropout(next, arch.dropout, drop);
      d = arch.hidden;
      h = tf.reshape(next, [B, N, d]) as tf.Tensor3D;
    }
    return head(tf.reshape(propagate(pool, h), [B, d]) as tf.Tensor2D, drop);
  }

  return {
    parameters: params,
    forward(inputs, mode: ForwardMode): tf.Tensor1D {
      const x = inputs['features'] as tf.Tensor3D;
      const pIn = inputs['incoming'] as tf.Tensor3D;
      const pOut = inputs['outgoing'] as tf.Tensor3D;
      const mask = inputs['mask'] as tf.Tensor3D;
      const drop = dropoutStream(mode, arch.dropout);
      // Global mean pooling over the real nodes, as a product with weights mask/count [B, 1, N].
      const pool = tf.div(tf.transpose(mask, [0, 2, 1]), tf.sum(mask, 1, true)) as tf.Tensor3D;
      if (sameForAll(pIn) && sameForAll(pOut) && sameForAll(pool)) {
        const first = (t: tf.Tensor3D) => tf.reshape(tf.slice(t, [0, 0, 0], [1, t.shape[1], t.shape[2]]), [t.shape[1], t.shape[2]]) as tf.Tensor2D;
        return sharedForward(x, first(pIn), first(pOut), first(pool), drop);
      }
      return batchedForward(x, pIn, pOut, pool, drop);
    },
  };
}

/** True when every sample of a `[B, r, c]` data tensor equals the first (read back once; inputs are small). */
function sameForAll(t: tf.Tensor3D): boolean {
  const v = t.dataSync();
  const per = t.shape[1] * t.shape[2];
  for (let b = 1; b < t.shape[0]; b++) for (let k = 0; k < per; k++) if (v[b * per + k] !== v[k]) return false;
  return true;
}
