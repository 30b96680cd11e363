import type { Architecture } from '@nasx/contracts';
import type * as tf from '@tensorflow/tfjs-core';
import type { InitScheme, TapFn } from '../network/network';

/**
 * A path through a supernet: one choice index per decision, `path[d] ∈ [0, choices[d])`. For
 * NB201 the 6 cell edges are the decisions and the 5 operations their choices, so a path is the
 * genotype's op list, shared by every cell of the network.
 */
export type SupernetPath = readonly number[];

/** Options for building a supernet for a task (the skeleton as {@link NetworkOptions} has it). */
export interface SupernetOptions {
  /** Classes of the classifier head. */
  readonly numClasses: number;
  /** Per-sample input shape, channels first (`[3, 32, 32]`). */
  readonly inputShape: readonly number[];
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
  /** Weight initialisation (default `pytorch`). */
  readonly init?: InitScheme;
  /** Skeleton settings the builder documents (NB201: `channels`, `cellsPerStage`). */
  readonly macro?: { readonly [name: string]: number };
}

/** Options of one supernet forward pass. */
export interface SupernetForwardOptions {
  /** Training mode: batch statistics (and running-statistics updates, see `bnMomentum`). */
  readonly training: boolean;
  /**
   * Weight of the batch statistics in the running-statistics update of a training-mode pass
   * (default 0.1; 1/(k+1) on the k-th recalibration batch gives their exact mean; 0 keeps them).
   */
  readonly bnMomentum?: number;
  /** Observer of intermediate activations, as {@link TapFn}. */
  readonly tap?: TapFn;
}

/**
 * A weight-sharing supernet: every decision of the space holds all its candidates, and a forward
 * pass runs one {@link SupernetPath} (single-path one-shot, Guo et al. 2020), touching only that
 * path's weights. A training step through a path gives gradients to its parameters only, so SGD
 * updates only them (PyTorch skips parameters without `.grad`; so do nasx's optimisers).
 */
export interface Supernet {
  /** Search-space id of the architectures whose paths it runs. */
  readonly space: string;
  readonly options: SupernetOptions;
  /** Number of choices of each decision. */
  readonly choices: readonly number[];
  /** A label per decision, for messages (`edge 1←0`). */
  readonly decisionNames: readonly string[];
  /** A label per choice of each decision (`nor_conv_3x3`). */
  readonly choiceNames: readonly (readonly string[])[];
  /** Trainable parameters by name (all paths'). */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  /** Batch-norm running statistics by name. */
  readonly buffers: ReadonlyMap<string, tf.Variable>;
  readonly numClasses: number;
  /** Trainable parameters of the whole supernet. */
  readonly paramCount: number;
  /** The path of an architecture of the space; a `NasxError` for one of another space. */
  pathOf(arch: Architecture): number[];
  /** Logits `[N, classes]` of an NCHW batch through `path`. Differentiable. */
  forward(x: tf.Tensor4D, path: SupernetPath, options: SupernetForwardOptions): tf.Tensor2D;
  /**
   * The continuous relaxation of the supernet (DARTS, Liu et al. 2019): logits of an NCHW batch
   * where every decision's output is the weighted sum of all its choices' outputs,
   * `Σ_o weights[d, o] · choice_o(x)`; `weights` is `[decisions, choices]` (the softmax of the
   * architecture parameters α, per row). Differentiable in the inputs, the parameters and the
   * weights. Absent where the space's supernet has no relaxation.
   */
  forwardMixed?(x: tf.Tensor4D, weights: tf.Tensor2D, options: SupernetForwardOptions): tf.Tensor2D;
  /** Names of the trainable parameters a forward pass through `path` uses. */
  pathParameters(path: SupernetPath): string[];
  /** Names of the buffers (batch-norm statistics) a forward pass through `path` uses. */
  pathBuffers(path: SupernetPath): string[];
  /**
   * The weight vector of `path` that RLNAS's angle metric compares (Zhang et al., ICCV 2021,
   * after ABS, Hu et al. 2020): the path's weights, read from `weights`, concatenated in a fixed
   * order, parameter-free operations given their fixed weights. `undefined` when no input reaches
   * the output (the angle is then 0, as the reference code returns).
   */
  angleVector(path: SupernetPath, weights: ReadonlyMap<string, ArrayLike<number>>): Float32Array | undefined;
  dispose(): void;
  readonly disposed: boolean;
}

/** Builds the supernets of one search space. */
export interface SupernetBuilder {
  /** The `Architecture.space` whose paths it runs. */
  readonly space: string;
  readonly description: string;
  /** A label per decision of a path (the same as a built supernet's `decisionNames`). */
  readonly decisions: readonly string[];
  /** Allocates and initialises a supernet. Needs an initialised backend. */
  build(options: SupernetOptions): Supernet;
}

/**
 * RLNAS's angle between the initial and the trained weights of `path` (radians, in [0, π]):
 * `acos(cos(v₀, v))` over {@link Supernet.angleVector}. Larger is better: paths whose weights moved
 * further from their initialisation rank higher. 0 for a path with no connection.
 */
export function pathAngle(
  supernet: Supernet,
  path: SupernetPath,
  initial: ReadonlyMap<string, ArrayLike<number>>,
  trained: ReadonlyMap<string, ArrayLike<number>>,
): number {
  const a = supernet.angleVector(path, initial);
  const b = supernet.angleVector(path, trained);
  if (!a || !b) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  // PyTorch's CosineSimilarity clamps each norm at eps 1e-8.
  const cos = dot / (Math.max(Math.sqrt(na), 1e-8) * Math.max(Math.sqrt(nb), 1e-8));
  return Math.acos(Math.min(1, Math.max(-1, cos)));
}
