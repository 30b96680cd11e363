import type { ArchGraph, Json } from '@nasx/contracts';
import type { tf } from '@nasx/tensor';
import type { ParameterSet } from './parameter-set';
import type { TargetTransform } from './target-transform';

/** One named input of a batch: `size` samples of `shape` each, row-major in `data`. */
export interface EncodedInput {
  /** Per-sample shape (no batch dimension). */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Graphs encoded for a network: named inputs of `size` samples each. */
export interface EncodedBatch {
  readonly size: number;
  readonly inputs: { readonly [name: string]: EncodedInput };
}

/**
 * Turns graphs into a network's inputs. Fitted on the training graphs (vocabulary, padded size,
 * feature scaling) and saved with the model, so a reloaded predictor encodes exactly as it did.
 */
export interface GraphEncoder {
  /** Per-sample shape of each input, by name. */
  readonly inputShapes: { readonly [name: string]: readonly number[] };
  /** Encodes graphs; a graph the encoder cannot take (too many nodes) is an `architecture` error. */
  encode(graphs: readonly ArchGraph[]): EncodedBatch;
  /** The saved form. */
  toJSON(): Json;
}

/** Options of one forward pass. */
export interface ForwardMode {
  /** Training mode: dropout on, batch norm with batch statistics. */
  readonly training: boolean;
  /** Seed of this pass's dropout masks (training only). */
  readonly dropoutSeed?: number;
}

/** A predictor's network: variables plus a forward pass from inputs to one score per sample. */
export interface PredictorNetwork {
  readonly parameters: ParameterSet;
  /** Scores `[B]` for a batch of inputs `[B, ...shape]` by name. Differentiable. */
  forward(inputs: { readonly [name: string]: tf.Tensor }, mode: ForwardMode): tf.Tensor1D;
}

/** The training objective: mean squared or absolute error on standardised targets, or a pairwise ranking loss. */
export type PredictorLoss = 'mse' | 'l1' | 'pairwise-logistic' | 'pairwise-hinge';

/** How a predictor is trained (Adam; see {@link trainPredictorNetwork}). */
export interface PredictorTraining {
  readonly loss: PredictorLoss;
  /** How labels become targets for the `mse` and `l1` losses (ranking losses use the labels' order as it is). */
  readonly targets?: TargetTransform;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** L2 penalty added to the gradient, `g + λ·w` (PyTorch `Adam(weight_decay=λ)`). */
  readonly weightDecay: number;
  /** Learning rate over epochs: constant, or cosine annealing to 0 (PyTorch `CosineAnnealingLR`, T_max = epochs). */
  readonly schedule: 'constant' | 'cosine';
  /**
   * Drop the last incomplete batch of an epoch (PyTorch `drop_last`), as the reference GCN
   * predictor does; never drops when that would leave no batch.
   */
  readonly dropLast?: boolean;
}

/**
 * A model kind: how to encode graphs, which network to build, how to train it. A plugin supplies
 * one (GCN, ReNAS); {@link GraphPredictor} and `definePredictorEstimator` do the rest.
 */
export interface GraphModelDefinition {
  /** Model kind, saved with the state and checked on reload (e.g. `gcn`). */
  readonly kind: string;
  /** Fits an encoder on the training graphs. */
  fitEncoder(graphs: readonly ArchGraph[]): GraphEncoder;
  /** Restores an encoder from {@link GraphEncoder.toJSON}. */
  restoreEncoder(state: Json): GraphEncoder;
  /** Allocates a freshly initialised network for an encoder's inputs. */
  createNetwork(encoder: GraphEncoder, seed: number): PredictorNetwork;
  readonly training: PredictorTraining;
}
