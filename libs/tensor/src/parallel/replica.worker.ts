// Entry of a data-parallel replica thread: its own TensorFlow.js backend (its own wasm instance) and
// its own copy of the model. Per step it computes the gradient of its micro-batches of the shared
// batch, all-reduces it with the other replicas through shared memory (two barriers, no messages),
// and applies the same SGD update as every other replica.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initTensorBackend, type TensorBackendPreference } from '../backend/backend';
import { SgdOptimizer } from '../train/sgd.optimizer';
import { correctCount, crossEntropySum } from '../train/train';
import { createReplicaModel, type ReplicaModel } from './replica-model';
import {
  CONTROL_SLOTS,
  ReplicaAborted,
  abortBarrier,
  barrier,
  serializeReplicaError,
  shardOf,
  type FromReplica,
  type LayoutEntry,
  type ReplicaInit,
  type ReplicaLayout,
  type ReplicaSgdSettings,
  type SharedRegions,
  type StepCommand,
  type ToReplica,
} from './replica-protocol';

const port = parentPort;
if (!port) throw new Error('replica.worker must run in a worker thread');
const init = workerData as ReplicaInit;
const post = (m: FromReplica): void => port.postMessage(m);

interface Attached {
  readonly layout: ReplicaLayout;
  readonly control: Int32Array;
  readonly weights: Float32Array;
  readonly contributions: Float32Array;
  readonly hasGradient: Uint8Array;
  readonly reduced: Float32Array;
  readonly inputs: Float32Array;
  readonly labels: Int32Array;
  readonly sgd: SgdOptimizer;
  /** This replica's slot in `contributions`. */
  readonly own: Float32Array;
}

function entriesOf(vars: ReadonlyMap<string, tf.Variable>, offset: number): LayoutEntry[] {
  const out: LayoutEntry[] = [];
  for (const [name, v] of vars) {
    out.push({ name, shape: v.shape, size: v.size, offset });
    offset += v.size;
  }
  return out;
}

function layoutOf(model: ReplicaModel): ReplicaLayout {
  const parameters = entriesOf(model.parameters, 0);
  const parameterValues = parameters.reduce((n, e) => n + e.size, 0);
  const buffers = entriesOf(model.buffers, parameterValues);
  return {
    parameters,
    buffers,
    parameterValues,
    values: parameterValues + buffers.reduce((n, e) => n + e.size, 0),
    bufferMomentum: model.bufferMomentum ?? 0.1,
  };
}

function variableOf(model: ReplicaModel, e: LayoutEntry, isBuffer: boolean): tf.Variable {
  return (isBuffer ? model.buffers : model.parameters).get(e.name)!;
}

/** Writes every parameter and buffer into `target` (layout offsets). */
function writeValues(model: ReplicaModel, layout: ReplicaLayout, target: Float32Array): void {
  for (const e of layout.parameters) target.set(variableOf(model, e, false).dataSync() as Float32Array, e.offset);
  for (const e of layout.buffers) target.set(variableOf(model, e, true).dataSync() as Float32Array, e.offset);
}

/** Assigns `source`'s values (layout offsets) to the parameters and buffers. */
function readValues(model: ReplicaModel, layout: ReplicaLayout, source: Float32Array, which: 'all' | 'buffers'): void {
  const assign = (e: LayoutEntry, isBuffer: boolean): void => {
    const v = variableOf(model, e, isBuffer);
    const t = tf.tensor(source.slice(e.offset, e.offset + e.size), e.shape as number[], 'float32');
    v.assign(t);
    t.dispose();
  };
  if (which === 'all') for (const e of layout.parameters) assign(e, false);
  for (const e of layout.buffers) assign(e, true);
}

/**
 * Forward and backward over this replica's micro-batches; writes the summed gradient (each
 * micro-batch's Σ loss / n, as the single-thread trainer) and the updated buffers into its slot.
 */
function computeShard(
  model: ReplicaModel,
  a: Attached,
  cmd: StepCommand,
  sampleValues: number,
  sampleShape: number[],
): { loss: number; correct: number; samples: number; passes: number } {
  const { layout, own } = a;
  const flags = a.hasGradient.subarray(init.index * layout.parameters.length, (init.index + 1) * layout.parameters.length);
  flags.fill(0);
  own.fill(0, 0, layout.parameterValues);
  const shard = shardOf(cmd.n, cmd.micro, init.index, init.replicas);
  const varList = [...model.parameters.values()];
  const indexOfVariable = new Map([...model.parameters.values()].map((v, i) => [v.name, i]));
  const accumulated = new Map<number, tf.Tensor>();
  let loss = 0;
  let correct = 0;
  let samples = 0;
  try {
    for (const [start, size] of shard) {
      const x = tf.tensor4d(
        a.inputs.subarray(start * sampleValues, (start + size) * sampleValues),
        [size, ...sampleShape] as [number, number, number, number],
        'float32',
      );
      const y = tf.tensor1d(a.labels.subarray(start, start + size), 'int32');
      let hits: tf.Tensor | undefined;
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(() => {
          const logits = model.forward(x, cmd.args);
          hits = tf.keep(correctCount(logits, y));
          return tf.div(crossEntropySum(logits, y, model.numClasses), cmd.n) as tf.Scalar;
        }, varList),
      );
      loss += value.dataSync()[0]!;
      correct += hits!.dataSync()[0]!;
      samples += size;
      tf.dispose([x, y, value, hits!]);
      for (const [variableName, g] of Object.entries(grads)) {
        const i = indexOfVariable.get(variableName)!;
        const previous = accumulated.get(i);
        if (previous) {
          accumulated.set(i, tf.add(previous, g));
          previous.dispose();
          g.dispose();
        } else accumulated.set(i, g);
      }
    }
    for (const [i, g] of accumulated) {
      const e = layout.parameters[i]!;
      own.set(g.dataSync() as Float32Array, e.offset);
      flags[i] = 1;
    }
  } finally {
    tf.dispose([...accumulated.values()]);
  }
  writeBuffers(model, layout, own);
  return { loss, correct, samples, passes: shard.length };
}

function writeBuffers(model: ReplicaModel, layout: ReplicaLayout, target: Float32Array): void {
  for (const e of layout.buffers) target.set(variableOf(model, e, true).dataSync() as Float32Array, e.offset);
}

/**
 * Reduces values [from, to) of every replica's slot into `reduced`, always in replica order, so
 * every replica ends with the same bits:
 * - gradients: the sum over replicas (absent gradients count as none);
 * - running statistics: the replicas' updates folded in order as the single-thread trainer applies
 *   its micro-batches one after the other, r ← (1 − m)^c·r + u, where u = r_j − (1 − m)^c·r is what
 *   replica j's c passes added to the pre-step value r (every replica holds the same r).
 */
function reduceRange(a: Attached, before: Float32Array, passes: Int32Array, from: number, to: number): void {
  const { layout, contributions, reduced } = a;
  const K = init.replicas;
  const V = layout.values;
  const P = layout.parameterValues;
  const end = Math.min(to, P);
  for (let i = from; i < end; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) s = Math.fround(s + contributions[k * V + i]!);
    reduced[i] = s;
  }
  const keep = 1 - layout.bufferMomentum;
  for (let i = Math.max(from, P); i < to; i++) {
    const r = before[i - P]!;
    let acc = r;
    for (let k = 0; k < K; k++) {
      const c = passes[k]!;
      if (c === 0) continue;
      const decay = keep ** c;
      acc = decay * acc + (contributions[k * V + i]! - decay * r);
    }
    reduced[i] = acc;
  }
}

async function main(): Promise<void> {
  await initTensorBackend(init.backend as TensorBackendPreference);
  tf.env().set('PROD', true);
  const model = await createReplicaModel(init.model);
  post({ type: 'layout', layout: layoutOf(model) });
  let a: Attached | undefined;
  let sampleValues = 0;
  let sampleShape: number[] = [];
  let passesShared: Int32Array | undefined;
  port!.on('message', (m: ToReplica) => {
    try {
      switch (m.type) {
        case 'attach': {
          const regions: SharedRegions = m.regions;
          const V = m.layout.values;
          a = {
            layout: m.layout,
            control: new Int32Array(regions.control),
            weights: new Float32Array(regions.weights),
            contributions: new Float32Array(regions.contributions),
            hasGradient: new Uint8Array(regions.hasGradient),
            reduced: new Float32Array(regions.reduced),
            inputs: new Float32Array(regions.inputs),
            labels: new Int32Array(regions.labels),
            sgd: sgdOf(model, m.sgd),
            own: new Float32Array(regions.contributions, init.index * V * 4, V),
          };
          passesShared = new Int32Array(regions.control, 4 * CONTROL_SLOTS, init.replicas);
          sampleShape = [...m.sampleShape];
          sampleValues = sampleShape.reduce((x, y) => x * y, 1);
          post({ type: 'done', what: 'attach' });
          return;
        }
        case 'load':
          readValues(model, a!.layout, a!.weights, 'all');
          post({ type: 'done', what: 'load' });
          return;
        case 'publish':
          writeValues(model, a!.layout, m.target === 'weights' ? a!.weights : a!.own);
          post({ type: 'done', what: 'publish' });
          return;
        case 'publish-momentum': {
          const buffers = a!.sgd.momentumBuffers();
          for (const e of a!.layout.parameters) {
            const b = buffers.get(e.name);
            if (b) a!.weights.set(b, e.offset);
            else a!.weights.fill(0, e.offset, e.offset + e.size);
          }
          post({ type: 'done', what: 'publish-momentum' });
          return;
        }
        case 'load-momentum':
          a!.sgd.loadMomentumBuffers(new Map(a!.layout.parameters.map((e) => [e.name, a!.weights.subarray(e.offset, e.offset + e.size)])));
          post({ type: 'done', what: 'load-momentum' });
          return;
        case 'step': {
          const att = a!;
          const t0 = performance.now();
          const before = new Float32Array(att.layout.values - att.layout.parameterValues);
          for (const e of att.layout.buffers) before.set(variableOf(model, e, true).dataSync() as Float32Array, e.offset - att.layout.parameterValues);
          const r = computeShard(model, att, m, sampleValues, sampleShape);
          passesShared![init.index] = r.passes;
          const t1 = performance.now();
          barrier(att.control, init.replicas);
          const t2 = performance.now();
          const per = Math.ceil(att.layout.values / init.replicas);
          reduceRange(att, before, passesShared!, init.index * per, Math.min(att.layout.values, (init.index + 1) * per));
          barrier(att.control, init.replicas);
          applyReduced(model, att, m.learningRate);
          const ms = { compute: t1 - t0, wait: t2 - t1, sync: performance.now() - t2 };
          post({ type: 'stepped', step: m.step, loss: r.loss, correct: r.correct, samples: r.samples, ms });
          return;
        }
      }
    } catch (e) {
      const aborted = e instanceof ReplicaAborted;
      if (a && !aborted) abortBarrier(a.control);
      post({ type: 'error', error: serializeReplicaError(e), aborted });
    }
  });
}

function sgdOf(model: ReplicaModel, s: ReplicaSgdSettings): SgdOptimizer {
  const decays = s.decays ? new Set(s.decays) : undefined;
  return new SgdOptimizer(model.parameters, {
    momentum: s.momentum,
    nesterov: s.nesterov,
    weightDecay: s.weightDecay,
    ...(decays ? { decays: (name: string) => decays.has(name) } : {}),
  });
}

/** The all-reduced gradient (parameters some replica had one for) through SGD; the folded buffers assigned. */
function applyReduced(model: ReplicaModel, a: Attached, lr: number): void {
  const { layout, hasGradient, reduced } = a;
  const count = layout.parameters.length;
  const grads = new Map<string, tf.Tensor>();
  try {
    layout.parameters.forEach((e, i) => {
      let any = false;
      for (let k = 0; k < init.replicas && !any; k++) any = hasGradient[k * count + i] === 1;
      if (any) grads.set(e.name, tf.tensor(reduced.slice(e.offset, e.offset + e.size), e.shape as number[], 'float32'));
    });
    a.sgd.step(grads, lr);
  } finally {
    tf.dispose([...grads.values()]);
  }
  readValues(model, layout, reduced, 'buffers');
}

main().catch((e: unknown) => post({ type: 'error', error: serializeReplicaError(e), aborted: false }));
