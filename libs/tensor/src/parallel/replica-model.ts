import { NasxError, type Json } from '@nasx/contracts';
import type * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';
import { buildNetwork } from '../network/builders';
import { BN_MOMENTUM } from '../nn/layers';
import type { ReplicaModelSpec } from './replica-protocol';

/**
 * What one data-parallel replica trains. The built-in model is a network of nasx's builders; a
 * supernet brings its own through a module exporting `createReplicaModel(options)`, and reads the
 * step's `args` (the path sampled for the step, the same on every replica) in `forward`.
 */
export interface ReplicaModel {
  /** Trainable parameters by name (the same names, shapes and order on every replica). */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  /**
   * Running statistics updated by exponential moving averages with {@link bufferMomentum} during
   * training-mode forward passes (batch norm), at most once per forward pass.
   */
  readonly buffers: ReadonlyMap<string, tf.Variable>;
  /** The momentum of those averages (default PyTorch's batch-norm momentum, 0.1). */
  readonly bufferMomentum?: number;
  /** Classes of the logits. */
  readonly numClasses: number;
  /** Logits `[N, classes]` of an NCHW batch in training mode; `args` are the step's arguments. */
  forward(x: tf.Tensor4D, args: Json | undefined): tf.Tensor2D;
  dispose(): void;
}

/** The export a `module` model spec names. */
export type CreateReplicaModel = (options: Json) => ReplicaModel | Promise<ReplicaModel>;

/** Builds a replica's model from its spec (inside the replica thread). */
export async function createReplicaModel(spec: ReplicaModelSpec): Promise<ReplicaModel> {
  if (spec.kind === 'network') {
    const net = buildNetwork(spec.arch, spec.options);
    return {
      parameters: net.parameters,
      buffers: net.buffers,
      bufferMomentum: BN_MOMENTUM,
      numClasses: net.plan.numClasses,
      forward: (x) => net.forward(x, { training: true }),
      dispose: () => net.dispose(),
    };
  }
  let factory: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    factory = (require(spec.module) as { createReplicaModel?: unknown }).createReplicaModel;
  } catch (e) {
    throw new NasxError('usage', `the replica model module ${spec.module} could not be loaded: ${e instanceof Error ? e.message : String(e)}`, {
      pkg: TENSOR_PACKAGE,
      fix: 'give the absolute path of a built JavaScript module (or an installed package name) that exports createReplicaModel(options)',
    });
  }
  if (typeof factory !== 'function') {
    throw new NasxError('usage', `the replica model module ${spec.module} does not export a function createReplicaModel`, {
      pkg: TENSOR_PACKAGE,
      fix: 'export createReplicaModel(options) returning a ReplicaModel from that module',
    });
  }
  return (factory as CreateReplicaModel)(spec.options);
}
