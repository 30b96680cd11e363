/**
 * DARTS (Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search", ICLR 2019) over a
 * supernet's continuous relaxation ({@link Supernet.forwardMixed}): architecture parameters α, one
 * row per decision and one column per choice, weight each choice by `softmax(α)` of its row; the
 * weights w and α are trained alternately, w on training batches (SGD), α on validation batches
 * (Adam), and the architecture is decoded by the argmax of each row.
 *
 * The architecture gradient, first order: `∇α L_val(w, α)`. Second order (the paper's eq. 7–8):
 * the gradient of `L_val(w', α)` after one virtual step `w' = w − ξ ∇w L_train(w, α)`,
 *
 *   ∇α L_val(w', α) − ξ · [∇α L_train(w⁺, α) − ∇α L_train(w⁻, α)] / (2ε),
 *   w± = w ± ε ∇w' L_val(w', α),   ε = 0.01 / ‖∇w' L_val(w', α)‖,
 *
 * the Hessian-vector product by central differences. With `virtual` the virtual step is the one
 * SGD would take, as the reference code computes it: `w' = w − ξ (μ·b + ∇w L_train + λ w)` with the
 * optimizer's momentum buffer b, momentum μ and weight decay λ; without it, eq. 6 as written. Batch
 * norm runs on batch statistics, as DARTS's search network does; the passes of the architecture
 * gradient leave the running statistics alone.
 *
 * Few-shot NAS (Zhao et al., ICML 2021) splits the relaxation into sub-supernets by fixing one edge's
 * operation: `fixed[d] = k` pins decision d to choice k (its mixing weights one-hot, its α without
 * gradient).
 */
import { NasxError } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';
import type { Supernet } from '../supernet/supernet';
import { correctCount, crossEntropySum } from '../train/losses';
import type { SgdOptimizer } from '../train/sgd.optimizer';

/** A batch as tensors: NCHW inputs and int32 class ids. */
export interface DartsBatch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor1D;
}

/** Decisions pinned to one choice (a few-shot sub-supernet): `fixed[d] = k`, or undefined where free. */
export type FixedChoices = readonly (number | undefined)[];

/** The mixing weights of α: a softmax over each row; a row of `fixed` is one-hot on its choice. */
export function archWeights(alpha: tf.Tensor2D, fixed?: FixedChoices): tf.Tensor2D {
  if (!fixed || fixed.every((f) => f === undefined)) return tf.softmax(alpha, -1);
  return tf.tidy(() => {
    const [rows, cols] = alpha.shape;
    const pinned = new Float32Array(rows * cols);
    const keep = new Float32Array(rows * cols).fill(1);
    fixed.forEach((k, d) => {
      if (k === undefined) return;
      keep.fill(0, d * cols, (d + 1) * cols);
      pinned[d * cols + k] = 1;
    });
    return tf.add(tf.mul(tf.softmax(alpha, -1), tf.tensor2d(keep, [rows, cols])), tf.tensor2d(pinned, [rows, cols])) as tf.Tensor2D;
  });
}

function mixedForward(supernet: Supernet): NonNullable<Supernet['forwardMixed']> {
  const f = supernet.forwardMixed;
  if (!f) {
    throw new NasxError('usage', `the ${supernet.space} supernet has no continuous relaxation (forwardMixed), which DARTS needs`, {
      pkg: TENSOR_PACKAGE,
      contribution: supernet.space,
      fix: 'search a space whose supernet builder implements forwardMixed (nb201), or use a sampling searcher',
    });
  }
  return f.bind(supernet);
}

/** Mean cross-entropy of the relaxed network on `batch` (training-mode batch norm; running statistics kept when `bnMomentum` is 0). */
export function mixedLoss(supernet: Supernet, alpha: tf.Tensor2D, batch: DartsBatch, bnMomentum = 0, fixed?: FixedChoices): tf.Scalar {
  return tf.tidy(() => {
    const logits = mixedForward(supernet)(batch.x, archWeights(alpha, fixed), { training: true, bnMomentum });
    return tf.div(crossEntropySum(logits, batch.y, supernet.numClasses), batch.x.shape[0]) as tf.Scalar;
  });
}

/** Options of {@link archGradient}. */
export interface ArchGradientOptions {
  /** 1: first order (ξ = 0); 2: the unrolled second-order approximation. */
  readonly order: 1 | 2;
  /** Step of the virtual weight update (the paper: the weights' learning rate). */
  readonly xi: number;
  /** Norm of the weight perturbation of the finite-difference Hessian-vector product (DARTS: 0.01). */
  readonly epsilon?: number;
  /** The virtual step as SGD takes it (see the file header): its momentum buffers, by weight, and settings. */
  readonly virtual?: { readonly momentum: number; readonly weightDecay: number; readonly buffers: readonly (tf.Tensor | undefined)[] };
  /** Decisions pinned to a choice (a few-shot sub-supernet). */
  readonly fixed?: FixedChoices;
}

/** The architecture gradient and the validation loss it was taken at (`L_val(w', α)` in second order). */
export interface ArchGradient {
  readonly grad: tf.Tensor2D;
  readonly valLoss: number;
}

/**
 * DARTS's architecture gradient (see the file header) over the supernet's relaxation. The
 * supernet's weights are the same after the call as before (the virtual steps are undone). The
 * caller disposes `grad`.
 */
export function archGradient(
  supernet: Supernet,
  alpha: tf.Variable,
  train: DartsBatch,
  val: DartsBatch,
  options: ArchGradientOptions & { readonly sgd?: SgdOptimizer },
): ArchGradient {
  const names = [...supernet.parameters.keys()];
  const weights = names.map((n) => supernet.parameters.get(n)!);
  const sgd = options.sgd;
  const virtual = sgd ? { ...sgd.settings, buffers: names.map((n) => sgd.bufferOf(n)) } : options.virtual;
  return unrolledArchGradient((a, batch) => mixedLoss(supernet, a, batch, 0, options.fixed), weights, alpha, train, val, {
    ...options,
    ...(virtual ? { virtual } : {}),
  });
}

/**
 * The architecture gradient of any bilevel problem whose loss on a batch is `loss(α, batch)` with
 * trainable `weights` (see the file header): first order `∇α L_val(w, α)`; second order the
 * gradient of `L_val(w − ξ ∇w L_train(w, α), α)`, its Hessian-vector product by central
 * differences. `weights` hold their values again when it returns.
 */
export function unrolledArchGradient<B>(
  loss: (alpha: tf.Tensor2D, batch: B) => tf.Scalar,
  weights: readonly tf.Variable[],
  alpha: tf.Variable,
  train: B,
  val: B,
  options: ArchGradientOptions,
): ArchGradient {
  const gradsOf = (batch: B, vars: tf.Variable[]) => tf.variableGrads(() => loss(alpha as tf.Tensor2D, batch), vars);
  if (options.order === 1) {
    const { value, grads } = gradsOf(val, [alpha]);
    const valLoss = value.dataSync()[0]!;
    value.dispose();
    return { grad: grads[alpha.name] as tf.Tensor2D, valLoss };
  }
  const xi = options.xi;
  const saved = weights.map((w) => tf.clone(w));
  try {
    // w' = w − ξ ∇w L_train(w, α), or − ξ (μ·b + ∇w L_train + λ w) as SGD would step
    {
      const { value, grads } = gradsOf(train, [...weights]);
      value.dispose();
      const v = options.virtual;
      tf.tidy(() =>
        weights.forEach((w, k) => {
          let d: tf.Tensor = grads[w.name]!;
          if (v && v.weightDecay !== 0) d = tf.add(d, tf.mul(w, v.weightDecay));
          const b = v?.buffers[k];
          if (v && b && v.momentum !== 0) d = tf.add(d, tf.mul(b, v.momentum));
          w.assign(tf.sub(w, tf.mul(d, xi)));
        }),
      );
      tf.dispose(Object.values(grads));
    }
    // ∇α L_val(w', α) and ∇w' L_val(w', α)
    const { value, grads } = gradsOf(val, [alpha, ...weights]);
    const valLoss = value.dataSync()[0]!;
    value.dispose();
    const gAlpha = grads[alpha.name] as tf.Tensor2D;
    const dw = weights.map((w) => grads[w.name]!);
    const norm = tf.tidy(() => tf.sqrt(tf.addN(dw.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
    const eps = (options.epsilon ?? 0.01) / Math.max(norm, 1e-12);
    const alphaGradAt = (sign: 1 | -1): tf.Tensor => {
      tf.tidy(() => weights.forEach((w, k) => w.assign(tf.add(saved[k]!, tf.mul(dw[k]!, sign * eps)))));
      const r = gradsOf(train, [alpha]);
      r.value.dispose();
      return r.grads[alpha.name]!;
    };
    const gPlus = alphaGradAt(1);
    const gMinus = alphaGradAt(-1);
    const grad = tf.tidy(() => tf.sub(gAlpha, tf.mul(tf.sub(gPlus, gMinus), xi / (2 * eps)))) as tf.Tensor2D;
    tf.dispose([gAlpha, gPlus, gMinus, ...dw]);
    return { grad, valLoss };
  } finally {
    tf.tidy(() => weights.forEach((w, k) => w.assign(saved[k]!)));
    tf.dispose(saved);
  }
}

/** Result of a {@link weightStep}. */
export interface WeightStepResult {
  /** Σ loss over the batch's samples. */
  readonly loss: number;
  readonly correct: number;
  readonly n: number;
}

/**
 * One SGD step of the supernet's weights on `batch` through the relaxation at the current α (α is
 * not updated), the gradient clipped to a global norm of `clip` (DARTS: 5). Batch-norm running
 * statistics are updated.
 */
export function weightStep(
  supernet: Supernet,
  alpha: tf.Variable,
  batch: DartsBatch,
  sgd: SgdOptimizer,
  lr: number,
  clip = 5,
  fixed?: FixedChoices,
): WeightStepResult {
  const names = [...supernet.parameters.keys()];
  const weights = names.map((n) => supernet.parameters.get(n)!);
  const byVariable = new Map(names.map((n) => [supernet.parameters.get(n)!.name, n]));
  let hits: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(
    () =>
      tf.tidy(() => {
        const logits = mixedForward(supernet)(batch.x, archWeights(alpha as tf.Tensor2D, fixed), { training: true });
        hits = tf.keep(correctCount(logits, batch.y));
        return tf.div(crossEntropySum(logits, batch.y, supernet.numClasses), batch.x.shape[0]) as tf.Scalar;
      }),
    weights,
  );
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
  const scale = clip > 0 && norm > clip ? clip / (norm + 1e-6) : 1;
  const named = new Map(Object.entries(grads).map(([v, g]) => [byVariable.get(v)!, scale === 1 ? g : tf.mul(g, scale)]));
  sgd.step(named, lr);
  const loss = value.dataSync()[0]! * batch.x.shape[0];
  const correct = hits!.dataSync()[0]!;
  tf.dispose([value, hits!, ...Object.values(grads), ...(scale === 1 ? [] : [...named.values()])]);
  return { loss, correct, n: batch.x.shape[0] };
}

/** Σ correct and Σ loss of the relaxed network on `batch` (batch statistics, running statistics kept): its validation accuracy. */
export function mixedAccuracy(supernet: Supernet, alpha: tf.Tensor2D, batch: DartsBatch, fixed?: FixedChoices): { correct: number; loss: number; n: number } {
  return tf.tidy(() => {
    const logits = mixedForward(supernet)(batch.x, archWeights(alpha, fixed), { training: true, bnMomentum: 0 });
    return {
      correct: correctCount(logits, batch.y).dataSync()[0]!,
      loss: crossEntropySum(logits, batch.y, supernet.numClasses).dataSync()[0]!,
      n: batch.x.shape[0],
    };
  });
}

/** The discrete architecture of α: the argmax of each row (a choice index per decision), as DARTS's NB201 code decodes (`none` included). */
export function decodeArgmax(alpha: tf.Tensor2D, fixed?: FixedChoices): number[] {
  const [rows, cols] = alpha.shape;
  const v = alpha.dataSync();
  return Array.from({ length: rows }, (_, r) => {
    if (fixed?.[r] !== undefined) return fixed[r]!;
    let best = 0;
    for (let c = 1; c < cols; c++) if (v[r * cols + c]! > v[r * cols + best]!) best = c;
    return best;
  });
}
