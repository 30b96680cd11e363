/**
 * Running networks on parameters a GHN predicted, and GHN-2's meta-training step (Knyazev et al.
 * 2021, Sec. 3, eq. 1): for a meta-batch of architectures, predict all their parameters, run each
 * network on the same image batch with those parameters, and descend the mean cross-entropy in
 * the GHN's parameters (Adam with L2 weight decay, gradients clipped to global norm 5, as the
 * reference `experiments/train_ghn.py` with `ppuda/utils/trainer.py`).
 */
import { NasxError, type Architecture } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';
import { findNetworkBuilder, type BuildNetworkOptions } from '../network/builders';
import type { NetworkGraph, NetworkPlan } from '../network/network';
import { initialValues } from '../init/initializers';
import { Layers, eagerOps } from '../nn/layers';
import { traceNetwork, type ComputeGraph } from './compute-graph';
import type { Ghn, GhnBatch } from './ghn.model';

/** An architecture's network as a GHN sees it: plan, forward description and traced graph. */
export interface GhnNetwork {
  readonly arch: Architecture;
  readonly plan: NetworkPlan;
  readonly graph: NetworkGraph;
  readonly compute: ComputeGraph;
}

/**
 * The {@link GhnNetwork} of `arch` for a task's shapes. Any space whose builder describes its
 * forward pass (`NetworkBuilder.graph`: nb201, nb101, mnas, wrn, deepnets) works.
 */
export function ghnNetwork(arch: Architecture, options: BuildNetworkOptions): GhnNetwork {
  const builder = findNetworkBuilder(arch.space, options.builders);
  if (!builder.graph) {
    throw new NasxError('architecture', `the ${arch.space} network builder does not describe its forward pass, so a GHN cannot read its graph`, {
      pkg: TENSOR_PACKAGE,
      fix: 'implement NetworkBuilder.graph for the space (nb201, nb101, mnas, wrn and deepnets have it)',
    });
  }
  const plan = builder.plan(arch, options);
  const graph = builder.graph(arch, options);
  return { arch, plan, graph, compute: traceNetwork(graph, plan) };
}

/**
 * Logits `[N, classes]` of a network run on `params` (name → tensor, e.g. a GHN's prediction) for
 * NCHW images `x`. Batch norm uses the batch's statistics (predicted parameters have no running
 * statistics; GHN-2 evaluates the same way). Differentiable in `params`.
 */
export function forwardWithParameters(net: GhnNetwork, params: Readonly<Record<string, tf.Tensor>>, x: tf.Tensor4D): tf.Tensor2D {
  const L = new Layers(new Map(Object.entries(params)), new Map(), true, undefined, false, 0);
  try {
    const nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
    return net.graph<tf.Tensor>(nhwc, eagerOps(L)) as tf.Tensor2D;
  } finally {
    L.release();
  }
}

/** Options of {@link metaTrainStep}: the reference's defaults. */
export interface MetaTrainOptions {
  /** L2 weight decay added to the gradients (PyTorch Adam's `weight_decay`; reference 1e-5). */
  readonly weightDecay: number;
  /** Global gradient-norm clip (reference 5; 0 = none). */
  readonly gradClip: number;
}

/** Mean softmax cross-entropy of logits `[N, K]` against integer labels. */
function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const onehot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
  return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
}

/**
 * One meta-training step on a prepared meta-batch (`ghn.prepare(nets.map(n => n.compute))`):
 * returns the mean cross-entropy before the update and the gradient norm.
 */
export function metaTrainStep(
  ghn: Ghn,
  optimizer: tf.Optimizer,
  nets: readonly GhnNetwork[],
  batch: GhnBatch,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: MetaTrainOptions,
): { loss: number; gradNorm: number } {
  const vars = [...ghn.variables.values()];
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const params = ghn.predict(batch);
      const losses = nets.map((net, b) => crossEntropy(forwardWithParameters(net, params[b]!, x), labels));
      return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
    }, vars);
    // Every variable, in the GHN's order, with zeros where a meta-batch did not reach one: tfjs's
    // Adam keeps its moments by position in this map, so a missing entry would shift them.
    const norm = Math.sqrt(vars.reduce((s, v) => s + (grads[v.name] ? tf.sum(tf.square(grads[v.name]!)).dataSync()[0]! : 0), 0));
    const scale = options.gradClip > 0 && norm > options.gradClip ? options.gradClip / norm : 1;
    const named: tf.NamedTensorMap = {};
    for (const v of vars) {
      let g = grads[v.name] ?? tf.zerosLike(v);
      if (scale !== 1) g = tf.mul(g, scale);
      if (options.weightDecay > 0) g = tf.add(g, tf.mul(v, options.weightDecay));
      named[v.name] = g;
    }
    optimizer.applyGradients(named);
    return { loss: value.dataSync()[0]!, gradNorm: norm };
  });
}

/** The parameters the GHN predicts for one network (kept: dispose them). */
export function predictParameters(ghn: Ghn, net: GhnNetwork): Record<string, tf.Tensor> {
  return tf.tidy(() => ghn.predict(ghn.prepare([net.compute]))[0]!);
}

/**
 * Accuracy (fraction correct) of `net` on the given batches with the parameters the GHN predicts
 * for it, without any training (GHN-2's evaluation).
 */
export function predictedAccuracy(ghn: Ghn, net: GhnNetwork, batches: readonly { readonly x: tf.Tensor4D; readonly labels: tf.Tensor1D }[]): number {
  const params = predictParameters(ghn, net);
  try {
    return accuracyWith(net, params, batches);
  } finally {
    tf.dispose(Object.values(params));
  }
}

/** Seeded random initial parameters of `net` (the `pytorch` scheme: what a network starts from without a GHN). */
export function initialParameters(net: GhnNetwork, seed: number): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const p of net.plan.parameters) out[p.name] = tf.tensor(initialValues(p, seed, 'pytorch'), p.shape as number[]);
  return out;
}

/** Options of {@link fineTune}. */
export interface FineTuneOptions {
  readonly steps: number;
  /** SGD learning rate. */
  readonly lr: number;
  /** SGD momentum (0.9 as the reference's fine-tuning). */
  readonly momentum: number;
  /** The next training batch (called once per step). */
  readonly nextBatch: () => Promise<{ readonly x: tf.Tensor4D; readonly labels: tf.Tensor1D }>;
  /** Called after steps listed in `at` (and after the last) with the current parameters; its return value is collected. */
  readonly evaluate?: (params: Readonly<Record<string, tf.Tensor>>, step: number) => number;
  readonly at?: readonly number[];
}

/**
 * Trains `net` from `start` (predicted or random parameters, not consumed) for `steps` SGD steps
 * with batch statistics in its batch norms, as GHN-2's fine-tuning experiment (Sec. 5.2) compares
 * predicted with random initialisation. Returns the evaluations made along the way.
 */
export async function fineTune(
  net: GhnNetwork,
  start: Readonly<Record<string, tf.Tensor>>,
  options: FineTuneOptions,
): Promise<{ step: number; value: number }[]> {
  const vars: Record<string, tf.Variable> = {};
  for (const [k, t] of Object.entries(start)) vars[k] = tf.variable(t, true);
  const optimizer: tf.Optimizer = tf.train.momentum(options.lr, options.momentum);
  const at = new Set(options.at ?? []);
  const curve: { step: number; value: number }[] = [];
  try {
    if (options.evaluate && at.has(0)) curve.push({ step: 0, value: options.evaluate(vars, 0) });
    for (let s = 1; s <= options.steps; s++) {
      const b = await options.nextBatch();
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => crossEntropy(forwardWithParameters(net, vars, b.x), b.labels), Object.values(vars));
        optimizer.applyGradients(grads);
      });
      tf.dispose([b.x, b.labels]);
      if (options.evaluate && (at.has(s) || s === options.steps)) curve.push({ step: s, value: options.evaluate(vars, s) });
    }
    if (options.evaluate && options.steps === 0 && !at.has(0)) curve.push({ step: 0, value: options.evaluate(vars, 0) });
    return curve;
  } finally {
    tf.dispose(Object.values(vars));
    optimizer.dispose();
  }
}

/** Accuracy (fraction correct) of `net` run on `params` over the batches, with batch statistics. */
export function accuracyWith(
  net: GhnNetwork,
  params: Readonly<Record<string, tf.Tensor>>,
  batches: readonly { readonly x: tf.Tensor4D; readonly labels: tf.Tensor1D }[],
): number {
  return evaluateWith(net, params, batches).accuracy;
}

/** Accuracy (fraction correct) and mean cross-entropy of `net` on `params` over the batches, in one pass. */
export function evaluateWith(
  net: GhnNetwork,
  params: Readonly<Record<string, tf.Tensor>>,
  batches: readonly { readonly x: tf.Tensor4D; readonly labels: tf.Tensor1D }[],
): { accuracy: number; loss: number } {
  let correct = 0;
  let loss = 0;
  let total = 0;
  for (const b of batches) {
    const [c, l] = tf.tidy(() => {
      const logits = forwardWithParameters(net, params, b.x);
      const labels = tf.cast(b.labels, 'int32');
      const right = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32'));
      const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits, undefined, undefined, tf.Reduction.SUM);
      return [right.dataSync()[0]!, ce.dataSync()[0]!];
    });
    correct += c!;
    loss += l!;
    total += b.labels.shape[0];
  }
  return total ? { accuracy: correct / total, loss: loss / total } : { accuracy: 0, loss: 0 };
}
