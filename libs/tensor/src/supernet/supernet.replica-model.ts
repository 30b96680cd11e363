// The supernet as a data-parallel replica model: each replica thread builds the same supernet and
// runs, in every step, the path the coordinator sampled for it (the step's args `{ path }`).
import { NasxError, type Json } from '@nasx/contracts';
import type * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';
import { BN_MOMENTUM } from '../nn/layers';
import type { ReplicaModel } from '../parallel/replica-model';
import { buildSupernet } from './supernet-registry';
import type { SupernetOptions } from './supernet';

/** The options a replica builds its supernet from. */
export interface SupernetReplicaOptions {
  readonly space: string;
  readonly supernet: SupernetOptions;
}

/** `createReplicaModel` of the supernet module (see `ReplicaModelSpec` kind `module`). */
export function createReplicaModel(options: Json): ReplicaModel {
  const { space, supernet: supernetOptions } = options as unknown as SupernetReplicaOptions;
  const supernet = buildSupernet(space, supernetOptions);
  return {
    parameters: supernet.parameters,
    buffers: supernet.buffers,
    bufferMomentum: BN_MOMENTUM,
    numClasses: supernet.numClasses,
    forward(x: tf.Tensor4D, args: Json | undefined): tf.Tensor2D {
      const path = (args as { path?: unknown } | undefined)?.path;
      if (!Array.isArray(path)) {
        throw new NasxError('usage', 'a supernet replica step needs args { path: number[] }', {
          pkg: TENSOR_PACKAGE,
          fix: 'pass the sampled path in the step args',
        });
      }
      return supernet.forward(x, path as number[], { training: true });
    },
    dispose: () => supernet.dispose(),
  };
}
