import { tf } from '@nasx/tensor';
import { proxySchema } from '../common/proxy.schema';
import { crossEntropy } from '@nasx/tensor';
import { defineProxyEstimator, prunableWeights, type ProxyInputs } from '../common/proxy-estimator';

/**
 * ∂L/∂W for the conv and linear weights on the mini-batch (training-mode batch norm). Weights the
 * loss does not depend on (an op whose output no path uses, e.g. behind a `none` edge) get zeros,
 * as PyTorch leaves their `.grad` at zero in NASLib's implementation.
 */
function weightGradients({ net, batch }: ProxyInputs): { weights: tf.Variable[]; grads: tf.Tensor[] } {
  const weights = prunableWeights(net);
  const { value, grads } = tf.variableGrads(() => crossEntropy(net.forward(batch!.x, { training: true }), batch!.y), weights);
  value.dispose();
  return { weights, grads: weights.map((w) => grads[w.name] ?? tf.zerosLike(w)) };
}

/** SNIP (Lee et al., ICLR 2019): Σ |θ ⊙ ∂L/∂θ| over conv and linear weights. */
export function snipScore(inputs: ProxyInputs): number {
  return tf.tidy(() => {
    const { weights, grads } = weightGradients(inputs);
    return tf.addN(weights.map((w, i) => tf.sum(tf.abs(tf.mul(w, grads[i] as tf.Tensor))))).dataSync()[0] as number;
  });
}

/** grad_norm (Abdelfattah et al., ICLR 2021): Σ over layers of ‖∂L/∂W‖₂. */
export function gradNormScore(inputs: ProxyInputs): number {
  return tf.tidy(() => {
    const { grads } = weightGradients(inputs);
    return tf.addN(grads.map((g) => tf.sqrt(tf.sum(tf.square(g))))).dataSync()[0] as number;
  });
}

/**
 * GraSP (Wang, Zhang & Grosse, ICLR 2020), as Abdelfattah et al. compute it: −Σ θ ⊙ (H g), where g
 * is ∂L/∂θ held constant and H g the Hessian-gradient product ∂(g_θ · g)/∂θ (second-order).
 */
export function graspScore({ net, batch }: ProxyInputs): number {
  return tf.tidy(() => {
    const weights = prunableWeights(net);
    const loss = (): tf.Scalar => crossEntropy(net.forward(batch!.x, { training: true, secondOrder: true }), batch!.y, { secondOrder: true });
    const first = tf.variableGrads(loss, weights).grads;
    const g = weights.map((w) => tf.keep(first[w.name] ?? tf.zerosLike(w)));
    const hg = tf.variableGrads(() => {
      const inner = tf.variableGrads(loss, weights).grads;
      return tf.addN(weights.map((w, i) => tf.sum(tf.mul(inner[w.name] ?? tf.zerosLike(w), g[i] as tf.Tensor)))) as tf.Scalar;
    }, weights).grads;
    return -(tf.addN(weights.map((w) => tf.sum(tf.mul(w, hg[w.name] ?? tf.zerosLike(w))))).dataSync()[0] as number);
  });
}

/** Weights feeding one output channel of layer `name`: Cin·kh·kw (conv `[KH, KW, Cin, Cout]`) or the input width (linear `[in, out]`). */
function fanInOf(net: ProxyInputs['net'], name: string): number {
  const shape = net.parameters.get(`${name}.weight`)?.shape;
  if (!shape) throw new Error(`@nasx/estimator-zero-cost: layer "${name}" has no weight (a network builder bug)`);
  return shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/**
 * Fisher (Theis et al. 2018, as Turner et al. 2020 and Abdelfattah et al. 2021 use it): for each
 * conv and linear layer with output activation a and gradient g = ∂L/∂a on the mini-batch, the
 * per-channel saliency ½·mean_n (Σ_spatial a·g)². Abdelfattah et al. then give every weight of an
 * output channel that channel's saliency and sum over weights, so a channel counts once per
 * weight feeding it: the score is Σ_layers fanIn · Σ_channels saliency (fanIn = Cin·kh·kw, or the
 * input width of a linear layer). Every conv and linear output passes through an identity whose
 * backward pass reads (a, g) and adds the layer's term, so one forward and one backward pass score
 * the whole network. A layer no path to the loss uses gets no gradient and adds nothing, as
 * NASLib's hooks never fire for it.
 */
export function fisherScore({ net, batch }: ProxyInputs): number {
  const saliencies: tf.Tensor[] = [];
  const probe = (fanIn: number) =>
    tf.customGrad((a, save) => {
      (save as tf.GradSaveFunc)([a as tf.Tensor]);
      return {
        value: tf.clone(a as tf.Tensor),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const act = saved[0] as tf.Tensor;
          const prod = tf.mul(act, dy as tf.Tensor);
          const gnk = act.rank > 2 ? tf.sum(prod, [1, 2]) : prod; // NHWC: Σ over H, W → [N, C]
          saliencies.push(tf.keep(tf.mul(tf.sum(tf.mean(tf.square(gnk), 0)), 0.5 * fanIn)));
          return dy as tf.Tensor;
        },
      };
    });
  try {
    tf.tidy(() => {
      const weights = prunableWeights(net);
      const tap = (name: string, t: tf.Tensor, kind: string): tf.Tensor | undefined =>
        kind === 'conv-out' || kind === 'linear-out' ? probe(fanInOf(net, name))(t) : undefined;
      const { value } = tf.variableGrads(() => crossEntropy(net.forward(batch!.x, { training: true, tap }), batch!.y), weights);
      value.dispose();
    });
    return saliencies.length === 0 ? 0 : (tf.tidy(() => tf.addN(saliencies).dataSync()[0]) as number);
  } finally {
    tf.dispose(saliencies);
  }
}

/**
 * SynFlow (Tanaka et al., NeurIPS 2020), as Abdelfattah et al.: weights replaced by |θ|, an all-ones
 * input, R = Σ f(1), score Σ θ ⊙ ∂R/∂θ over conv and linear weights. Batch norm runs in inference
 * mode with its initial statistics (mean 0, variance 1, weight 1, bias 0), which is the identity up
 * to 1/√(1+ε); NASLib removes batch norm, which differs by that constant only.
 *
 * NASLib computes in float64; TensorFlow.js has only float32, where the product of absolute
 * weights over 15+ cells overflows. With positive weights and input every ReLU is active, so the
 * network is linear in each cell's input: dividing a cell's output by a constant s divides R, and
 * every weight gradient, by s. The forward pass therefore divides each cell's output by its maximum
 * (a constant to autodiff) and the score is log S = log S' + Σ log s, exact up to rounding. Reported
 * as the natural log, since S grows exponentially with depth.
 */
export function synflowScore({ net, inputShape }: ProxyInputs): number {
  for (const v of net.parameters.values()) {
    // assign() shares the new tensor's data with the variable; the tensor object must still be
    // disposed, or every cell leaks one tensor per parameter (found by the 15,625-cell memory run).
    const abs = tf.tidy(() => tf.abs(v));
    v.assign(abs);
    abs.dispose();
  }
  return tf.tidy(() => {
    const weights = prunableWeights(net);
    const ones = tf.ones([1, ...inputShape] as [number, number, number, number]) as tf.Tensor4D;
    let logScale = 0;
    const rescale = (_name: string, t: tf.Tensor, kind: string): tf.Tensor | undefined => {
      if (kind !== 'cell-out') return undefined;
      const s = tf.max(t).dataSync()[0] as number;
      if (!(s > 0)) return undefined;
      logScale += Math.log(s);
      return tf.div(t, s);
    };
    const { grads, value } = tf.variableGrads(() => tf.sum(net.forward(ones, { training: false, tap: rescale })), weights);
    value.dispose();
    const total = tf.addN(weights.map((w) => tf.sum(tf.mul(w, grads[w.name] ?? tf.zerosLike(w))))).dataSync()[0] as number;
    return Math.log(total) + logScale;
  });
}

/** The `snip` estimator contribution. */
export const snipEstimator = defineProxyEstimator({
  id: 'snip',
  title: 'SNIP',
  description: 'Lee et al. 2019: sum of |θ·∂L/∂θ| over conv and linear weights on one mini-batch.',
  optionsSchema: proxySchema,
  needsData: true,
  score: snipScore,
});

/** The `grad-norm` estimator contribution. */
export const gradNormEstimator = defineProxyEstimator({
  id: 'grad-norm',
  title: 'Gradient norm',
  description: 'Sum over conv and linear layers of the L2 norm of ∂L/∂W on one mini-batch (Abdelfattah et al. 2021).',
  optionsSchema: proxySchema,
  needsData: true,
  score: gradNormScore,
});

/** The `fisher` estimator contribution. */
export const fisherEstimator = defineProxyEstimator({
  id: 'fisher',
  title: 'Fisher',
  description:
    'Theis et al. 2018 / Turner et al. 2020: sum over conv and linear layers of ½·mean over the batch of (Σ activation·gradient)² per channel, on one mini-batch.',
  optionsSchema: proxySchema,
  needsData: true,
  score: fisherScore,
});

/** The `grasp` estimator contribution. */
export const graspEstimator = defineProxyEstimator({
  id: 'grasp',
  title: 'GraSP',
  description: 'Wang et al. 2020: −θ·(H g) summed over conv and linear weights, a Hessian-gradient product on one mini-batch.',
  optionsSchema: proxySchema,
  needsData: true,
  score: graspScore,
});

/** The `synflow` estimator contribution. */
export const synflowEstimator = defineProxyEstimator({
  id: 'synflow',
  title: 'SynFlow',
  description: 'Tanaka et al. 2020: synaptic flow of |weights| with an all-ones input (data-free), as in Abdelfattah et al. 2021.',
  optionsSchema: proxySchema,
  needsData: false,
  score: synflowScore,
});
