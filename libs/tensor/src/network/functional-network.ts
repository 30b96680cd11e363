import { NasxError, type Architecture } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { assertTensorBackend, TENSOR_PACKAGE } from '../backend/backend';
import { bufferValues, initialValues, INIT_SCHEMES } from '../init/initializers';
import { Layers, eagerOps } from '../nn/layers';
import type { ForwardOptions, Network, NetworkGraph, NetworkOptions, NetworkPlan } from './network';

/** A builder's forward pass: NHWC input, layers bound to the network's variables → logits. */
export type ForwardFn = (x: tf.Tensor4D, layers: Layers) => tf.Tensor2D;

let instances = 0;

/**
 * Allocates the variables of `plan` (seeded, see {@link initialValues}) and wraps `forward` into a
 * {@link Network}: input checks, the one NCHW→NHWC transpose, `tf.tidy`, disposal. Builders call it.
 */
export function createFunctionalNetwork(arch: Architecture, plan: NetworkPlan, options: NetworkOptions, forward: ForwardFn): Network {
  assertTensorBackend(`building a network for ${arch.space} architecture ${arch.key}`);
  const seed = options.seed ?? 0;
  const scheme = options.init ?? 'pytorch';
  if (!Number.isFinite(seed))
    throw new NasxError('usage', `network seed must be a finite number, got ${seed}`, { pkg: TENSOR_PACKAGE, fix: 'pass an integer seed' });
  if (!INIT_SCHEMES.includes(scheme)) {
    throw new NasxError('usage', `unknown weight initialisation "${String(scheme)}"`, { pkg: TENSOR_PACKAGE, fix: `use one of ${INIT_SCHEMES.join(', ')}` });
  }
  // tfjs variable names are global: prefix them so several networks can live side by side.
  const prefix = `nasx/${arch.space}/${++instances}/`;
  const parameters = new Map<string, tf.Variable>();
  const buffers = new Map<string, tf.Variable>();
  tf.tidy(() => {
    for (const p of plan.parameters) {
      parameters.set(p.name, tf.variable(tf.tensor(initialValues(p, seed, scheme), p.shape as number[]), true, prefix + p.name));
    }
    for (const b of plan.buffers) {
      buffers.set(b.name, tf.variable(tf.tensor(bufferValues(b), b.shape as number[]), false, prefix + b.name));
    }
  });
  let paramCount = 0;
  for (const v of parameters.values()) paramCount += v.size;

  // A sequence [C, L] runs as a height-1 image [C, 1, L].
  const sequence = plan.inputShape.length === 2;
  const [channels, height, width] = (sequence ? [plan.inputShape[0], 1, plan.inputShape[1]] : plan.inputShape) as [number, number, number];
  const layout = sequence ? `[N, ${channels}, ${width}] (or [N, ${channels}, 1, ${width}])` : `[N, ${channels}, ${height}, ${width}]`;
  let disposed = false;
  return {
    arch,
    plan,
    options,
    parameters,
    buffers,
    paramCount,
    flops: plan.flops,
    get disposed() {
      return disposed;
    },
    forward(input: tf.Tensor, opts: ForwardOptions): tf.Tensor2D {
      if (disposed) throw new NasxError('usage', `network ${arch.key} was disposed`, { pkg: TENSOR_PACKAGE, fix: 'build a new network' });
      assertTensorBackend('a forward pass');
      const s = input.shape;
      const ok = s[1] === channels && (input.rank === 4 ? s[2] === height && s[3] === width : sequence && input.rank === 3 && s[2] === width);
      if (!ok) {
        throw new NasxError('usage', `network ${arch.key} expects input ${layout}, got [${s.join(', ')}]`, {
          pkg: TENSOR_PACKAGE,
          fix: 'pass batches in the task contract layout (batch, channels, then the spatial axes); toTensors() converts a Batch',
        });
      }
      return tf.tidy(() => {
        const x = input.rank === 3 ? tf.reshape(input, [s[0]!, channels, 1, width]) : input;
        const nhwc = tf.transpose(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), [0, 2, 3, 1]) as tf.Tensor4D;
        const layers = new Layers(parameters, buffers, opts.training, opts.tap, opts.secondOrder);
        try {
          return forward(nhwc, layers);
        } finally {
          layers.release();
        }
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const v of parameters.values()) v.dispose();
      for (const v of buffers.values()) v.dispose();
    },
  };
}

/**
 * {@link createFunctionalNetwork} for a forward pass written as a {@link NetworkGraph} (run eagerly
 * here; the same graph exports the network as a `LayersModel`).
 */
export function createGraphNetwork(arch: Architecture, plan: NetworkPlan, options: NetworkOptions, graph: NetworkGraph): Network {
  return createFunctionalNetwork(arch, plan, options, (x, L) => graph<tf.Tensor>(x, eagerOps(L)) as tf.Tensor2D);
}
