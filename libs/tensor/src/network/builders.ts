import { NasxError, type Architecture } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';
import { autodeeplabNetworkBuilder } from '../autodeeplab/autodeeplab.network';
import { deepnetsNetworkBuilder } from '../deepnets/deepnets.network';
import { mnasNetworkBuilder } from '../mnas/mnas.network';
import { nb101NetworkBuilder } from '../nb101/nb101.network';
import { nb201NetworkBuilder } from '../nb201/nb201.network';
import { wrnNetworkBuilder } from '../wrn/wrn.network';
import type { Network, NetworkBuilder, NetworkOptions, NetworkPlan } from './network';

/** The builders nasx ships, one per search space, listed in one place. */
export const NETWORK_BUILDERS: readonly NetworkBuilder[] = [
  nb201NetworkBuilder,
  nb101NetworkBuilder,
  mnasNetworkBuilder,
  wrnNetworkBuilder,
  deepnetsNetworkBuilder,
  autodeeplabNetworkBuilder,
];

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
  return findNetworkBuilder(arch.space, options.builders).plan(arch, halvingShape(arch.space, options).options);
}

/** Spaces whose point-head networks halve the resolution twice (a stride-2 stage, then another). */
const HALVING_SPACES = new Set(['nb201', 'wrn']);

/**
 * The options a builder gets: for a point head of a space that halves the resolution twice, a
 * spatial size not divisible by 4 (FSD50K's 101 frames) is zero-padded at its end to the next
 * multiple of 4 — inside the network, so tasks keep their shapes. `pad` is the padding per spatial
 * axis (height, width; a sequence's length is the width), absent when none is needed.
 */
export function halvingShape(space: string, options: NetworkOptions): { options: NetworkOptions; pad?: readonly number[] } {
  const s = options.inputShape;
  const dense = (options.outputShape?.length ?? 1) > 1;
  if (!HALVING_SPACES.has(space) || dense || (s.length !== 2 && s.length !== 3) || !s.every((d) => Number.isInteger(d) && d > 0)) return { options };
  const up = (d: number) => Math.ceil(d / 4) * 4;
  const spatial = s.slice(1);
  const pad = spatial.map((d) => up(d) - d);
  if (pad.every((p) => p === 0)) return { options };
  return { options: { ...options, inputShape: [s[0]!, ...spatial.map(up)] }, pad };
}

/** `inner`, built for the padded shape, taking batches of the task's own shape (zero-padded on the way in). */
function padded(inner: Network, options: NetworkOptions, pad: readonly number[]): Network {
  return {
    arch: inner.arch,
    // The compute is the padded network's; the input it takes is the task's.
    plan: { ...inner.plan, inputShape: [...options.inputShape] },
    options,
    parameters: inner.parameters,
    buffers: inner.buffers,
    paramCount: inner.paramCount,
    flops: inner.flops,
    get disposed() {
      return inner.disposed;
    },
    dispose: () => inner.dispose(),
    forward(x, forwardOptions) {
      // The spatial axes are the last pad.length ones: [N, C, H, W]; a sequence's length is last in [N, C, L] and [N, C, 1, L].
      const rank = x.shape.length;
      const paddings = x.shape.map((_, axis) => [0, axis >= rank - pad.length ? pad[axis - (rank - pad.length)]! : 0] as [number, number]);
      return tf.tidy(() => inner.forward(tf.pad(x, paddings), forwardOptions));
    },
  };
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
  const builder = findNetworkBuilder(arch.space, options.builders);
  const h = halvingShape(arch.space, options);
  if (!h.pad) return builder.build(arch, options);
  return padded(builder.build(arch, h.options), options, h.pad);
}
