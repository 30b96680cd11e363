/**
 * DARTS (Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search", ICLR 2019) as a
 * searcher that owns its loop: it trains the continuous relaxation of the space's supernet
 * (`forwardMixed` of `@nasx/tensor`), alternating an architecture step on a validation batch
 * (Adam on α, first or second order) with a weight step on a training batch (SGD, cosine
 * schedule, gradient clipping), and decodes the cell by the argmax of each edge's α (NB201's DARTS
 * code, `none` included). After every epoch (or once at the end) the decoded cell goes to the run's
 * estimator through `ctx.evaluate` — with the NB201 table, its true accuracy per epoch, where
 * DARTS's collapse onto parameter-free operations shows (NAS-Bench-201 paper, Table 5).
 *
 * Data: weights train on the task's training split and α on its validation split (DARTS splits
 * CIFAR-10's training set in halves; nasx's tasks already hold a validation split apart). The
 * second-order virtual step is the step SGD would take (momentum buffer and weight decay included),
 * as the reference code computes it.
 *
 * Few-shot DARTS (Zhao et al., ICML 2021, `split`): one sub-supernet per choice of an edge, the edge
 * pinned to that choice and the rest relaxed, each searched in full from its own initialisation as
 * the authors' NB201 scripts do; the pick is the sub-supernet whose relaxed network validates best.
 *
 * Resume: after every epoch the weights, α, both optimizers' state and the decoded cells so far are
 * written to the run's state folder (a folder per sub-supernet); a resumed run asks the kernel for
 * the finished epochs' evaluations again (answered from the journal) and continues with the next
 * epoch.
 */
import * as path from 'node:path';
import {
  NasxError,
  defineSearcher,
  searchLoop,
  phaseReporter,
  stableJson,
  type Architecture,
  type EventDraft,
  type LoopSearcher,
  type OptionsInput,
  type SearchLoopContext,
} from '@nasx/contracts';
import {
  SgdOptimizer,
  archGradient,
  archWeights,
  buildSupernet,
  decodeArgmax,
  initTensorBackend,
  learningRateAt,
  loadSearchState,
  mixedAccuracy,
  supernetSpaces,
  saveSearchState,
  tf,
  toTensors,
  weightStep,
  type DartsBatch,
  type SearchStateParts,
} from '@nasx/tensor';
import type { Observable } from 'rxjs';
import { dartsSchema, type DartsOptions } from './darts.schema';

export type { DartsOptions } from './darts.schema';

const ID = 'darts';
const PKG = '@nasx/searcher-darts';

/** One finished epoch, as recorded in the state folder and reported. */
export interface DartsEpoch {
  readonly epoch: number;
  /** The sub-supernet (`sub-k`: the split edge pinned to choice k) of a few-shot search. */
  readonly sub?: string;
  /** The decoded cell after the epoch (the space's text form). */
  readonly arch: string;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Mean validation loss over the epoch's architecture steps. */
  readonly valLoss: number;
  /** Accuracy (%) of the relaxed network on the epoch's validation images after the epoch. */
  readonly valAccuracy: number;
  /** Mean entropy of the edges' mixing weights (nats; log 5 = 1.61 is uniform). */
  readonly entropy: number;
  readonly seconds: number;
}

const usage = (message: string, fix: string, pointer?: string) =>
  new NasxError('config', message, { pkg: PKG, contribution: ID, ...(pointer ? { pointer } : {}), fix });

export class DartsSearcher implements LoopSearcher {
  readonly id = ID;
  /** Epochs finished (this run and before a resume), with the decoded cells. */
  readonly history: DartsEpoch[] = [];
  private last: Architecture | undefined;

  constructor(private readonly options: DartsOptions) {}

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
    if (!task || task.inputShape.length !== 3 || task.loss !== 'cross-entropy' || task.numClasses === undefined) {
      throw usage(
        `searcher "darts" needs an image classification task (inputs [C, H, W], cross-entropy), got ${task ? `"${task.id}"` : 'none'}`,
        'use an image task such as cifar10 or mnist',
        '/task',
      );
    }
    if (!supernetSpaces().includes(space.id)) {
      throw usage(`searcher "darts" has no supernet for space "${space.id}"`, `use a space with a supernet: ${supernetSpaces().join(', ')}`, '/space');
    }
    await initTensorBackend();
    const seed = ctx.rng.int(2 ** 31);
    const supernetOptions = {
      numClasses: task.numClasses,
      inputShape: task.inputShape,
      ...(o.macro ? { macro: o.macro as Record<string, number> } : {}),
    };
    // The space's decisions must be the supernet's choices, one for one (checked on a first build).
    const probe = buildSupernet(space.id, { ...supernetOptions, seed });
    const [choices, choiceNames, relaxed] = [probe.choices, probe.choiceNames, probe.forwardMixed !== undefined];
    probe.dispose();
    const decisions = space.decisions?.();
    const matches =
      decisions !== undefined &&
      typeof space.fromDecisions === 'function' &&
      decisions.length === choices.length &&
      decisions.every((d, i) => d.choices.length === choices[i] && d.choices.every((c, k) => c === choiceNames[i]![k]));
    if (!matches || !relaxed) {
      throw usage(
        `searcher "darts" relaxes every choice of the ${space.id} supernet (${choiceNames[0]!.join(', ')}), and the space's decisions differ or it has no relaxation`,
        `search the whole ${space.id} space (no restricted operation list)`,
        '/space/options',
      );
    }
    if (o.split && o.split.edge >= choices.length) {
      throw usage(
        `option split.edge is ${o.split.edge}, and the ${space.id} supernet has ${choices.length} decisions`,
        `give an edge in 0..${choices.length - 1}`,
        '/searcher/options/split/edge',
      );
    }
    // One-shot DARTS, or (split) one sub-supernet per choice of the split edge, each searched in full.
    const subs: { label: string; fixed: (number | undefined)[] | undefined }[] = o.split
      ? Array.from({ length: choices[o.split.edge]! }, (_, k) => ({
          label: `sub-${k}`,
          fixed: choices.map((_, d) => (d === o.split!.edge ? k : undefined)),
        }))
      : [{ label: 'one-shot', fixed: undefined }];
    const setup = stableJson({ space: space.id, task: task.id, inputShape: task.inputShape, classes: task.numClasses, seed, options: o as never });
    const finals: { arch: Architecture; valAccuracy: number; label: string }[] = [];
    for (const [j, sub] of subs.entries()) {
      const final = await this.searchOne(ctx, emit, { ...supernetOptions, seed: seed + j }, sub, setup, j, subs.length);
      if (final) finals.push(final);
    }
    if (o.split && finals.length > 0) {
      // Few-shot NAS's pick: the sub-supernet whose relaxed network validates best.
      const best = finals.reduce((a, b) => (b.valAccuracy > a.valAccuracy ? b : a));
      this.last = best.arch;
      emit({
        type: 'log',
        level: 'info',
        source: ID,
        message: `darts: sub-supernets' final validation accuracies ${finals.map((f) => `${f.label} ${f.valAccuracy.toFixed(1)} %`).join(', ')}; pick ${best.label}: ${space.format(best.arch)}`,
      });
    }
  }

  /** One DARTS search (the one-shot relaxation or one sub-supernet); returns its final cell and validation accuracy. */
  private async searchOne(
    ctx: SearchLoopContext,
    emit: (d: EventDraft) => void,
    supernetOptions: Parameters<typeof buildSupernet>[1],
    sub: { label: string; fixed: (number | undefined)[] | undefined },
    setup: string,
    index: number,
    count: number,
  ): Promise<{ arch: Architecture; valAccuracy: number; label: string } | undefined> {
    const o = this.options;
    const space = ctx.space;
    const task = ctx.task!;
    const fixed = sub.fixed;
    const source = count > 1 ? `${ID}:${sub.label}` : ID;
    const supernet = buildSupernet(space.id, supernetOptions);
    let alpha: tf.Variable | undefined;
    let adam: tf.AdamOptimizer | undefined;
    try {
      const [D, K] = [supernet.choices.length, supernet.choices[0]!];
      alpha = tf.variable(tf.mul(tf.randomNormal([D, K], 0, 1, 'float32', supernetOptions.seed), 1e-3), true, `darts-alpha-${supernetOptions.seed}`);
      adam = tf.train.adam(o.archLearningRate, 0.5, 0.999);
      const sgd = new SgdOptimizer(supernet.parameters, { momentum: o.momentum, nesterov: false, weightDecay: o.weightDecay });
      const dir = ctx.stateDir ? path.join(ctx.stateDir, 'darts', ...(count > 1 ? [sub.label] : [])) : undefined;
      const parts: SearchStateParts = {
        weights: new Map([...supernet.parameters, ...[...supernet.buffers].map(([n, v]) => [`buffer:${n}`, v] as const)]),
        momentum: sgd,
        arch: alpha,
        archName: 'alpha',
        adam,
      };
      const history: DartsEpoch[] = dir
        ? await loadSearchState<DartsEpoch>(dir, 'darts.json', setup, parts, { pkg: PKG, contribution: ID, method: 'DARTS' })
        : [];
      // The finished epochs' cells again: a resumed run answers them from its journal.
      for (const e of history) {
        this.history.push(e);
        if (o.evaluate === 'epoch' || e.epoch === o.epochs - 1) await this.judge(ctx, space.parse(e.arch));
        else this.last = space.parse(e.arch);
      }

      const train = task.splits.train;
      const val = task.splits.validation;
      const trainBatches = Math.ceil(Math.min(train.size, o.trainLimit ?? Infinity) / o.batchSize);
      const valBatches = Math.ceil(Math.min(val.size, o.valLimit ?? Infinity) / o.batchSize);
      const steps = Math.min(trainBatches, valBatches);
      if (steps === 0)
        throw new NasxError('data', `task "${task.id}" has an empty training or validation split`, { pkg: PKG, contribution: ID, fix: 'check the task data' });
      if (valBatches < trainBatches && history.length === 0) {
        ctx.logger.info(
          `darts: ${steps} steps per epoch (the validation split gives ${valBatches} batches of ${o.batchSize}, the training split ${trainBatches})`,
        );
      }
      const label = count > 1 ? `DARTS ${sub.label} (${index + 1} of ${count})` : 'DARTS search';
      const phase = phaseReporter(ctx, label, { total: o.epochs * steps, unit: 'steps', source: ID });
      for (let epoch = history.length; epoch < o.epochs; epoch++) {
        ctx.signal.throwIfAborted();
        const t0 = performance.now();
        const lr = learningRateAt('cosine', epoch, o.epochs, o.learningRate, o.minLearningRate);
        const rng = ctx.rng.fork(`${sub.label}-epoch-${epoch}`);
        const ti = train.batches({ batchSize: o.batchSize, rng: rng.fork('train'), limit: steps })[Symbol.asyncIterator]();
        const vi = val.batches({ batchSize: o.batchSize, rng: rng.fork('val'), limit: steps })[Symbol.asyncIterator]();
        let [loss, correct, seen, valLoss, k] = [0, 0, 0, 0, 0];
        for (;;) {
          const [tb, vb] = await Promise.all([ti.next(), vi.next()]);
          if (tb.done || vb.done) break;
          ctx.signal.throwIfAborted();
          const tr = toTensors(tb.value) as DartsBatch;
          const va = toTensors(vb.value) as DartsBatch;
          try {
            const g = archGradient(supernet, alpha, tr, va, { order: o.order === 'second' ? 2 : 1, xi: lr, sgd, ...(fixed ? { fixed } : {}) });
            const decayed = tf.tidy(() => (o.archWeightDecay > 0 ? tf.add(g.grad, tf.mul(alpha!, o.archWeightDecay)) : tf.clone(g.grad)));
            adam.applyGradients([{ name: alpha.name, tensor: decayed }]);
            tf.dispose([g.grad, decayed]);
            valLoss += g.valLoss;
            const r = weightStep(supernet, alpha, tr, sgd, lr, o.gradClip, fixed);
            loss += r.loss;
            correct += r.correct;
            seen += r.n;
            k++;
          } finally {
            tf.dispose([tr.x, tr.y, va.x, va.y]);
          }
          phase.update(epoch * steps + k);
          // Let timers and aborts through between steps.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        // The relaxed network's accuracy on the epoch's validation images (few-shot NAS picks a sub-supernet by it).
        let [vCorrect, vSeen] = [0, 0];
        for await (const b of val.batches({ batchSize: o.batchSize, limit: steps })) {
          const va = toTensors(b) as DartsBatch;
          try {
            const r = mixedAccuracy(supernet, alpha as tf.Tensor2D, va, fixed);
            vCorrect += r.correct;
            vSeen += r.n;
          } finally {
            tf.dispose([va.x, va.y]);
          }
        }
        const arch = space.fromDecisions!(decodeArgmax(alpha as tf.Tensor2D, fixed));
        const entropy = tf.tidy(() => {
          const w = archWeights(alpha as tf.Tensor2D, fixed);
          return -tf.sum(tf.mul(w, tf.log(tf.add(w, 1e-12)))).dataSync()[0]! / D;
        });
        const record: DartsEpoch = {
          epoch,
          ...(count > 1 ? { sub: sub.label } : {}),
          arch: space.format(arch),
          trainLoss: loss / Math.max(seen, 1),
          trainAccuracy: (100 * correct) / Math.max(seen, 1),
          valLoss: valLoss / Math.max(k, 1),
          valAccuracy: (100 * vCorrect) / Math.max(vSeen, 1),
          entropy,
          seconds: (performance.now() - t0) / 1000,
        };
        history.push(record);
        this.history.push(record);
        for (const [name, value] of [
          ['darts_train_loss', record.trainLoss],
          ['darts_train_acc', record.trainAccuracy],
          ['darts_val_loss', record.valLoss],
          ['darts_val_acc', record.valAccuracy],
          ['darts_alpha_entropy', record.entropy],
        ] as const) {
          emit({ type: 'metric', name, value, step: epoch + 1, source });
        }
        emit({
          type: 'log',
          level: 'info',
          source,
          message: `darts${count > 1 ? ` ${sub.label}` : ''}: epoch ${epoch + 1}/${o.epochs} (${record.seconds.toFixed(1)} s): train loss ${record.trainLoss.toFixed(4)}, accuracy ${record.trainAccuracy.toFixed(1)} %, val loss ${record.valLoss.toFixed(4)}, val accuracy ${record.valAccuracy.toFixed(1)} %, α entropy ${entropy.toFixed(3)}; cell ${record.arch}`,
        });
        if (dir) await saveSearchState(dir, 'darts.json', setup, history, parts);
        if (o.evaluate === 'epoch' || epoch === o.epochs - 1) await this.judge(ctx, arch);
        else this.last = arch;
      }
      phase.end();
      const last = history[history.length - 1];
      return last ? { arch: space.parse(last.arch), valAccuracy: last.valAccuracy, label: sub.label } : undefined;
    } finally {
      alpha?.dispose();
      adam?.dispose();
      supernet.dispose();
    }
  }

  /** Sends a decoded cell to the run's estimator; a spent budget ends the search quietly. */
  private async judge(ctx: SearchLoopContext, arch: Architecture): Promise<void> {
    this.last = arch;
    await ctx.evaluate(arch);
  }
}

export const dartsSearcher = defineSearcher<OptionsInput<DartsOptions>>({
  id: ID,
  title: 'DARTS',
  description:
    'Differentiable architecture search (Liu et al., ICLR 2019): trains the supernet’s continuous relaxation, weights on the training split and α on the validation split, first or second order; the decoded cell is evaluated after every epoch.',
  optionsSchema: dartsSchema,
  create(options, deps) {
    const o = options as DartsOptions;
    // Checked before the run starts (the rest needs the supernet, built in search()).
    const decisions = deps.space.decisions?.().length;
    if (o.split && decisions !== undefined && o.split.edge >= decisions) {
      throw usage(
        `option split.edge is ${o.split.edge}, and the ${deps.space.id} space has ${decisions} decisions`,
        `give an edge in 0..${decisions - 1}`,
        '/searcher/options/split/edge',
      );
    }
    return new DartsSearcher(o);
  },
});
