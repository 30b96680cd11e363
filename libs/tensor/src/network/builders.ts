import { NasxError, type Architecture } from '@nasx/contracts';
import { TENSOR_PACKAGE } from '../backend/backend';
import { mnasNetworkBuilder } from '../mnas/mnas.network';
import { nb201NetworkBuilder } from '../nb201/nb201.network';
import { wrnNetworkBuilder } from '../wrn/wrn.network';
import type { Network, NetworkBuilder, NetworkOptions, NetworkPlan } from './network';

/** The builders nasx ships, one per search space, listed in one place. */
export const NETWORK_BUILDERS: readonly NetworkBuilder[] = [nb201NetworkBuilder, mnasNetworkBuilder, wrnNetworkBuilder];

/** {@link NetworkOptions} plus builders to consult before {@link NETWORK_BUILDERS}. */
export interface BuildNetworkOptions extends NetworkOptions {
  /** Extra builders (e.g. from a plugin for its own space); they win over the built-in ones. */
  readonly builders?: readonly NetworkBuilder[];
}

/** The builder for `space`, or a `NasxError` (kind `architecture`) naming the spaces that have one. */
export function findNetworkBuilder(space: string, extra: readonly NetworkBuilder[] = []): NetworkBuilder {
  const all = [...extra, ...NETWORK_BUILDERS];
  const found = all.find((b) => b.space === space);
  if (found) return found;
  throw new NasxError('architecture', `no network builder for search space "${space}"`, {
    pkg: TENSOR_PACKAGE,
    fix: `networks can be built for ${[...new Set(all.map((b) => b.space))].join(', ')}; for another space, implement NetworkBuilder and pass it in options.builders`,
  });
}

/**
 * Parameters, FLOPs and memory estimate of the network of `arch` for a task, without tensors.
 *
 * @example
 * planNetwork(arch, { numClasses: 10, inputShape: [3, 32, 32] }).paramCount   // 1531258 for the largest NB201 cell
 */
export function planNetwork(arch: Architecture, options: BuildNetworkOptions): NetworkPlan {
  return findNetworkBuilder(arch.space, options.builders).plan(arch, options);
}

/**
 * Builds the network of `arch` for a task: seeded weights, a functional forward pass over NCHW
 * batches. Needs `await initTensorBackend()` first; dispose the network when done.
 *
 * @example
 * await initTensorBackend();
 * const net = buildNetwork(arch, { numClasses: task.numClasses!, inputShape: task.inputShape, seed: 1 });
 * const logits = net.forward(x, { training: false });
 */
export function buildNetwork(arch: Architecture, options: BuildNetworkOptions): Network {
  return findNetworkBuilder(arch.space, options.builders).build(arch, options);
}
