import { ParameterSet, addDense, dense, matMul, propagate, type GcnGraphEncoder } from '@nasx/predictors';
import { tf } from '@nasx/tensor';

/** Shape of the Neural Architecture Comparator. */
export interface NacArchitecture {
  /** Graph convolution layers of the shared encoder (CTNAS reference code: 2). */
  readonly layers: number;
  /** Embedding width (CTNAS reference code: 128). */
  readonly hidden: number;
  /** Hidden width of the pair MLP; 0 = one linear layer (CTNAS reference code). */
  readonly mlpHidden: number;
  /** Score pairs antisymmetrically: logit(a, b) = m([e_a, e_b]) − m([e_b, e_a]). */
  readonly antisymmetric: boolean;
}

/**
 * The NAC of CTNAS (Chen et al., CVPR 2021, Sec. 3.2, Fig. 2b): one GCN encoder shared by both
 * architectures, each graph mean-pooled to an embedding e, the two embeddings concatenated and an
 * MLP m with a sigmoid giving P(a better than b) = σ(m([e_a, e_b])).
 *
 * The graph convolution is the directed one of `@nasx/estimator-gcn` (Wen et al. 2020), built from
 * the shared `GcnGraphEncoder` inputs: H⁽ˡ⁺¹⁾ = ½·(ReLU(P_in H W_in) + ReLU(P_out H W_out)).
 * With `antisymmetric`, the logit is m([e_a, e_b]) − m([e_b, e_a]) (see the README).
 */
export class NacNetwork {
  readonly parameters: ParameterSet;

  constructor(
    private readonly encoder: GcnGraphEncoder,
    readonly arch: NacArchitecture,
    seed: number,
  ) {
    const params = new ParameterSet(seed);
    let width = encoder.featureWidth;
    for (let l = 0; l < arch.layers; l++) {
      for (const dir of ['in', 'out'] as const)
        params.add(`gc${l}.${dir}.weight`, [width, arch.hidden], { kind: 'glorot-uniform', fanIn: width, fanOut: arch.hidden });
      width = arch.hidden;
    }
    if (arch.mlpHidden > 0) {
      addDense(params, 'head.fc1', 2 * arch.hidden, arch.mlpHidden);
      addDense(params, 'head.fc2', arch.mlpHidden, 1);
    } else {
      addDense(params, 'head.fc2', 2 * arch.hidden, 1);
    }
    this.parameters = params;
  }

  /** Embeddings `[B, hidden]` of encoded graphs (inputs by name, `[B, ...shape]`). Differentiable. */
  embed(inputs: { readonly [name: string]: tf.Tensor }): tf.Tensor2D {
    const x = inputs['features'] as tf.Tensor3D;
    const pIn = inputs['incoming'] as tf.Tensor3D;
    const pOut = inputs['outgoing'] as tf.Tensor3D;
    const mask = inputs['mask'] as tf.Tensor3D;
    const [B, N, F] = x.shape;
    let h = x;
    let d = F;
    for (let l = 0; l < this.arch.layers; l++) {
      const conv = (p: tf.Tensor3D, dir: 'in' | 'out') =>
        tf.relu(matMul(tf.reshape(propagate(p, h), [B * N, d]) as tf.Tensor2D, this.parameters.get(`gc${l}.${dir}.weight`) as tf.Tensor2D));
      const next = tf.mul(tf.add(conv(pIn, 'in'), conv(pOut, 'out')), 0.5);
      d = this.arch.hidden;
      h = tf.reshape(next, [B, N, d]) as tf.Tensor3D;
    }
    // Mean over the real nodes (the reference NAC's `.mean(dim=1)`, without the padding).
    const pool = tf.div(tf.transpose(mask, [0, 2, 1]), tf.sum(mask, 1, true)) as tf.Tensor3D;
    return tf.reshape(propagate(pool, h), [B, d]) as tf.Tensor2D;
  }

  /** Logits `[P]` of P(a better than b) for paired embedding rows `ea[k]`, `eb[k]`. Differentiable. */
  pairLogits(ea: tf.Tensor2D, eb: tf.Tensor2D): tf.Tensor1D {
    const m = (x: tf.Tensor2D): tf.Tensor1D => {
      const z = this.arch.mlpHidden > 0 ? tf.relu(dense(this.parameters, 'head.fc1', x)) : x;
      return tf.reshape(dense(this.parameters, 'head.fc2', z), [x.shape[0]]);
    };
    const forward = m(tf.concat([ea, eb], 1));
    return this.arch.antisymmetric ? tf.sub(forward, m(tf.concat([eb, ea], 1))) : forward;
  }

  /** The encoder the network was built for. */
  get graphEncoder(): GcnGraphEncoder {
    return this.encoder;
  }
}
