/**
 * Auto-DeepLab (Liu et al., "Auto-DeepLab: Hierarchical Neural Architecture Search for Semantic
 * Image Segmentation", CVPR 2019) as a searcher that owns its loop: it trains the hierarchical
 * relaxation of the `autodeeplab` space (`buildAdlSupernet` of `@nasx/tensor`: α mixes each cell
 * edge's operations, β each trellis step between down-sampling rates), alternating, after
 * `warmupEpochs` of weight steps only, an architecture step on α and β (Adam) with a weight step
 * (SGD, cosine schedule, clipping). As the paper, the two steps read two disjoint halves of the
 * training split (samples of even and odd index), so the task's validation split stays held out
 * for judging the found network. It decodes the cell by the paper's rule (per block the two
 * strongest incoming edges, each with its strongest operation other than `none`) and the network
 * path by Viterbi over β, and sends the result to the run's estimator (with `train`, that is the
 * retraining of the found network).
 *
 * Batch norm runs on batch statistics throughout the search. Resume: after every epoch the
 * weights, α and β, both optimizers' state and the finished epochs are written to the run's state
 * folder; a resumed run continues with the next epoch.
 */
import * as path from 'node:path';
import {
  NasxError,
  defineSearcher,
  searchLoop,
  phaseReporter,
  stableJson,
  type ArrayBatchPart,
  type Architecture,
  type Batch,
  type EventDraft,
  type LoopSearcher,
  type OptionsInput,
  type SearchLoopContext,
  type SearchSpace,
  type Task,
} from '@nasx/contracts';
import {
  ADL_RATES,
  AUTODEEPLAB_SPACE,
  HostSgdOptimizer,
  adlArchGradient,
  adlArchWeights,
  adlArchitecture,
  adlKey,
  adlWeightStep,
  buildAdlSupernet,
  decodeAdl,
  initTensorBackend,
  learningRateAt,
  loadSearchState,
  saveSearchState,
  tf,
  toTensors,
  trainLoss,
  type AdlBatch,
  type SearchStateParts,
  type TrainLoss,
} from '@nasx/tensor';
import type { Observable } from 'rxjs';
import { autodeeplabSchema, type AutodeeplabOptions } from './autodeeplab.schema';

export type { AutodeeplabOptions } from './autodeeplab.schema';

const ID = 'autodeeplab';
const PKG = '@nasx/searcher-autodeeplab';

/** One finished epoch, as recorded in the state folder and reported. */
export interface AutodeeplabEpoch {
  readonly epoch: number;
  /** The decoded architecture after the epoch (the space's text form). */
  readonly arch: string;
  /** Mean training loss of the weight steps. */
  readonly trainLoss: number;
  /** Mean loss of the architecture steps (null in the warm-up epochs, which take none). */
  readonly archLoss: number | null;
  /** Mean entropy of α's mixing weights per edge (nats; ln 8 = 2.08 is uniform). */
  readonly alphaEntropy: number;
  /** Mean entropy of β's step weights per node that has a choice (nats). */
  readonly betaEntropy: number;
  readonly seconds: number;
}

const usage = (message: string, fix: string, pointer?: string) =>
  new NasxError('config', message, { pkg: PKG, contribution: ID, ...(pointer ? { pointer } : {}), fix });

/** Blocks and layers of an autodeeplab space, read from its decisions. */
function spaceSize(space: SearchSpace): { blocks: number; layers: number } {
  if (space.id !== AUTODEEPLAB_SPACE || typeof space.decisions !== 'function') {
    throw usage(
      `searcher "autodeeplab" searches the autodeeplab space, got "${space.id}"`,
      'set space: autodeeplab (blocks and layers in its options)',
      '/space',
    );
  }
  const d = space.decisions();
  return { blocks: d.filter((x) => x.name.endsWith('.inputA')).length, layers: d.filter((x) => x.name.endsWith('.rate')).length };
}

const taskError = (task: Task | undefined) =>
  usage(
    `searcher "autodeeplab" needs a dense-prediction image task (outputs [K, H, W] at the input's size), got ${task ? `"${task.id}"` : 'none'}`,
    'use a segmentation or per-pixel regression task such as camvid or darcy',
    '/task',
  );

/** The task is a dense-prediction image task (outputs at the input's size). */
function checkTask(task: Task): void {
  const [i, o] = [task.inputShape, task.outputShape];
  if (!(o && i.length === 3 && o.length === 3 && o[1] === i[1] && o[2] === i[2])) throw taskError(task);
}

/** The rows `rows` of a batch part. */
function pick(part: ArrayBatchPart, rows: readonly number[]): ArrayBatchPart {
  const per = part.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new (part.data.constructor as new (n: number) => typeof part.data)(rows.length * per);
  rows.forEach((r, k) => out.set(part.data.subarray(r * per, (r + 1) * per), k * per));
  return { data: out, shape: [rows.length, ...part.shape.slice(1)], dtype: part.dtype };
}

/** A batch's samples of even index (weights) and of odd index (architecture): the paper's two disjoint halves. */
function halves(b: Batch): [Batch, Batch] {
  const idx = b.indices!;
  const even: number[] = [];
  const odd: number[] = [];
  idx.forEach((v, r) => (v % 2 === 0 ? even : odd).push(r));
  return [
    { x: pick(b.x, even), y: pick(b.y, even) },
    { x: pick(b.x, odd), y: pick(b.y, odd) },
  ];
}

function entropies(arch: tf.Tensor, blocks: number, layers: number): { alpha: number; beta: number } {
  const { alpha, beta } = adlArchWeights(arch, blocks, layers);
  try {
    const a = alpha.dataSync();
    const rows = alpha.shape[0];
    let ha = 0;
    for (let i = 0; i < a.length; i++) ha -= a[i]! > 0 ? a[i]! * Math.log(a[i]!) : 0;
    const b = beta.dataSync();
    let hb = 0;
    let nodes = 0;
    for (let n = 0; n < b.length / 3; n++) {
      const w = [b[3 * n]!, b[3 * n + 1]!, b[3 * n + 2]!].filter((v) => v > 0);
      if (w.length < 2) continue;
      nodes++;
      for (const v of w) hb -= v * Math.log(v);
    }
    return { alpha: ha / rows, beta: nodes > 0 ? hb / nodes : 0 };
  } finally {
    tf.dispose([alpha, beta]);
  }
}

export class AutodeeplabSearcher implements LoopSearcher {
  readonly id = ID;
  /** Epochs finished (this run and before a resume), with the decoded architectures. */
  readonly history: AutodeeplabEpoch[] = [];
  private last: Architecture | undefined;

  constructor(private readonly options: AutodeeplabOptions) {}

  recommend(): Architecture | undefined {
    return this.last;
  }

  search(ctx: SearchLoopContext): Observable<EventDraft> {
    return searchLoop((emit) => this.run(ctx, emit));
  }

  private async run(ctx: SearchLoopContext, emit: (d: EventDraft) => void): Promise<void> {
    const o = this.options;
    const task = ctx.task;
    const space = ctx.space;
    const { blocks, layers } = spaceSize(space);
    if (!task) throw taskError(undefined);
    checkTask(task);
    let loss: TrainLoss;
    try {
      loss = trainLoss(task.loss);
    } catch {
      throw usage(`searcher "autodeeplab" cannot train task "${task.id}"'s loss "${task.loss}"`, 'use a task whose loss the trainer implements', '/task');
    }
    await initTensorBackend();
    const seed = ctx.rng.int(2 ** 31);
    const outputShape = task.outputShape!;
    const supernet = buildAdlSupernet({
      inputShape: task.inputShape,
      outputShape,
      numClasses: outputShape[0]!,
      blocks,
      layers,
      seed,
      ...(o.macro ? { macro: o.macro as Record<string, number> } : {}),
    });
    const archVar = tf.variable(tf.mul(tf.randomNormal([1, supernet.archSize], 0, 1, 'float32', seed), 1e-3), true, `autodeeplab-arch-${seed}`);
    const adam = tf.train.adam(o.archLearningRate, 0.9, 0.999);
    const sgd = new HostSgdOptimizer(supernet.parameters, { momentum: o.momentum, nesterov: false, weightDecay: o.weightDecay });
    try {
      const setup = stableJson({ space: space.id, blocks, layers, task: task.id, inputShape: task.inputShape, outputShape, seed, options: o as never });
      const dir = ctx.stateDir ? path.join(ctx.stateDir, 'autodeeplab') : undefined;
      const parts: SearchStateParts = { weights: supernet.parameters, momentum: sgd, arch: archVar, archName: 'arch', adam };
      const history = dir
        ? await loadSearchState<AutodeeplabEpoch>(dir, 'autodeeplab.json', setup, parts, { pkg: PKG, contribution: ID, method: 'Auto-DeepLab' })
        : [];
      for (const e of history) {
        this.history.push(e);
        if (o.evaluate === 'epoch' || e.epoch === o.epochs - 1) await this.judge(ctx, space.parse(e.arch));
        else this.last = space.parse(e.arch);
      }
      const train = task.splits.train;
      const val = task.splits.validation;
      const images = Math.min(train.size, o.trainLimit ?? Infinity);
      const steps = Math.max(1, Math.floor(images / (2 * o.batchSize)));
      // The halves need sample indices; a task without them gives its validation split to the architecture steps.
      const probe = await train.batches({ batchSize: 2, limit: 1 })[Symbol.asyncIterator]().next();
      const indexed = !probe.done && probe.value.indices !== undefined;
      if (!indexed && history.length === 0) {
        ctx.logger.warn(
          `autodeeplab: task "${task.id}" does not number its samples; architecture steps use its validation split instead of half the training split`,
        );
      }
      const phase = phaseReporter(ctx, 'Auto-DeepLab search', { total: o.epochs * steps, unit: 'steps', source: ID });
      for (let epoch = history.length; epoch < o.epochs; epoch++) {
        ctx.signal.throwIfAborted();
        const t0 = performance.now();
        const lr = learningRateAt('cosine', epoch, o.epochs, o.learningRate, o.minLearningRate);
        const rng = ctx.rng.fork(`epoch-${epoch}`);
        const searching = epoch >= o.warmupEpochs;
        const ti = train.batches({ batchSize: indexed ? 2 * o.batchSize : o.batchSize, rng: rng.fork('train'), limit: steps })[Symbol.asyncIterator]();
        const vi = indexed ? undefined : val.batches({ batchSize: o.batchSize, rng: rng.fork('val') })[Symbol.asyncIterator]();
        let [lossSum, seen, archLoss, archSteps, k] = [0, 0, 0, 0, 0];
        for (;;) {
          const tb = await ti.next();
          if (tb.done) break;
          ctx.signal.throwIfAborted();
          let weightsBatch: Batch = tb.value;
          let archBatch: Batch | undefined;
          if (indexed) [weightsBatch, archBatch] = halves(tb.value);
          else if (searching) {
            const vb = await vi!.next();
            archBatch = vb.done ? undefined : vb.value;
          }
          // Batch norm needs two samples.
          if (weightsBatch.x.shape[0]! < 2) continue;
          const tr = toTensors(weightsBatch, loss === 'cross-entropy' ? 'classes' : 'values') as AdlBatch;
          const va =
            searching && archBatch && archBatch.x.shape[0]! >= 2
              ? (toTensors(archBatch, loss === 'cross-entropy' ? 'classes' : 'values') as AdlBatch)
              : undefined;
          try {
            if (va) {
              const g = adlArchGradient(supernet, archVar, tr, va, loss, { order: o.order === 'second' ? 2 : 1, xi: lr });
              const decayed = tf.tidy(() => (o.archWeightDecay > 0 ? tf.add(g.grad, tf.mul(archVar, o.archWeightDecay)) : tf.clone(g.grad)));
              adam.applyGradients([{ name: archVar.name, tensor: decayed }]);
              tf.dispose([g.grad, decayed]);
              archLoss += g.valLoss;
              archSteps++;
            }
            const r = adlWeightStep(supernet, archVar, tr, loss, sgd, lr, o.gradClip);
            lossSum += r.loss;
            seen += r.n;
            k++;
          } finally {
            tf.dispose([tr.x, tr.y, ...(va ? [va.x, va.y] : [])]);
          }
          phase.update(epoch * steps + k);
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        const g = decodeAdl(archVar, blocks, layers);
        const arch = space.validate(adlArchitecture(g));
        const h = entropies(archVar, blocks, layers);
        const record: AutodeeplabEpoch = {
          epoch,
          arch: space.format(arch),
          trainLoss: lossSum / Math.max(seen, 1),
          archLoss: archSteps > 0 ? archLoss / archSteps : null,
          alphaEntropy: h.alpha,
          betaEntropy: h.beta,
          seconds: (performance.now() - t0) / 1000,
        };
        history.push(record);
        this.history.push(record);
        for (const [name, value] of [
          ['adl_train_loss', record.trainLoss],
          ['adl_arch_loss', record.archLoss],
          ['adl_alpha_entropy', record.alphaEntropy],
          ['adl_beta_entropy', record.betaEntropy],
        ] as const) {
          if (value !== null) emit({ type: 'metric', name, value, step: epoch + 1, source: ID });
        }
        emit({
          type: 'log',
          level: 'info',
          source: ID,
          message: `autodeeplab: epoch ${epoch + 1}/${o.epochs}${searching ? '' : ' (warm-up)'} (${record.seconds.toFixed(1)} s): train loss ${record.trainLoss.toFixed(4)}${record.archLoss === null ? '' : `, architecture loss ${record.archLoss.toFixed(4)}`}, α entropy ${h.alpha.toFixed(3)}, β entropy ${h.beta.toFixed(3)}; path ${g.path.map((s) => ADL_RATES[s]).join('-')}, ${adlKey(g)}`,
        });
        if (dir) await saveSearchState(dir, 'autodeeplab.json', setup, history, parts);
        if (o.evaluate === 'epoch' || epoch === o.epochs - 1) await this.judge(ctx, arch);
        else this.last = arch;
      }
      phase.end();
    } finally {
      archVar.dispose();
      adam.dispose();
      supernet.dispose();
    }
  }

  /** Sends a decoded architecture to the run's estimator. */
  private async judge(ctx: SearchLoopContext, arch: Architecture): Promise<void> {
    this.last = arch;
    await ctx.evaluate(arch);
  }
}

export const autodeeplabSearcher = defineSearcher<OptionsInput<AutodeeplabOptions>>({
  id: ID,
  title: 'Auto-DeepLab',
  description:
    'Hierarchical differentiable search (Liu et al., CVPR 2019): the cell (α) and the network path over down-sampling rates (β) of the autodeeplab space, trained by gradient descent on two halves of a dense-prediction task’s training split; the path decoded by Viterbi, the cell by the top-2 rule.',
  optionsSchema: autodeeplabSchema,
  create(options, deps) {
    const o = options as AutodeeplabOptions;
    spaceSize(deps.space);
    if (o.warmupEpochs >= o.epochs) {
      throw usage(
        `option warmupEpochs is ${o.warmupEpochs}, and epochs is ${o.epochs}: no epoch would search the architecture`,
        'set warmupEpochs below epochs (the paper: 20 of 40)',
        '/searcher/options/warmupEpochs',
      );
    }
    if (deps.task) checkTask(deps.task);
    return new AutodeeplabSearcher(o);
  },
});
