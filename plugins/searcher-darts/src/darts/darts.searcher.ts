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
 * CIFAR-10's training set in halves; nasx's tasks already hold a validation split apart).
 *
 * Resume: after every epoch the weights, α, both optimizers' state and the decoded cells so far are
 * written to the run's state folder; a resumed run asks the kernel for the finished epochs'
 * evaluations again (answered from the journal) and continues with the next epoch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  NasxError,
  defineSearcher,
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
  readTensorFile,
  supernetSpaces,
  tf,
  toTensors,
  weightStep,
  writeFileAtomic,
  writeTensorFile,
  type DartsBatch,
  type Supernet,
  type TensorFileEntry,
} from '@nasx/tensor';
import { Observable } from 'rxjs';
import { dartsSchema, type DartsOptions } from './darts.schema';

export type { DartsOptions } from './darts.schema';

const ID = 'darts';
const PKG = '@nasx/searcher-darts';
/** Layout version of the state folder. */
const STATE_FORMAT = 1;

/** One finished epoch, as recorded in the state folder and reported. */
export interface DartsEpoch {
  readonly epoch: number;
  /** The decoded cell after the epoch (the space's text form). */
  readonly arch: string;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Mean validation loss over the epoch's architecture steps. */
  readonly valLoss: number;
  /** Mean entropy of the edges' mixing weights (nats; log 5 = 1.61 is uniform). */
  readonly entropy: number;
  readonly seconds: number;
}

interface DartsState {
  readonly format: number;
  readonly setup: string;
  readonly epochs: readonly DartsEpoch[];
  readonly weights: TensorFileEntry;
  readonly momentum: TensorFileEntry;
  readonly arch: TensorFileEntry;
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
    return new Observable<EventDraft>((sub) => {
      let stopped = false;
      this.run(ctx, (d) => {
        if (!stopped) sub.next(d);
      }).then(
        () => sub.complete(),
        (e: unknown) => sub.error(e),
      );
      return () => {
        stopped = true;
      };
    });
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
    const supernet = buildSupernet(space.id, {
      numClasses: task.numClasses,
      inputShape: task.inputShape,
      seed,
      ...(o.macro ? { macro: o.macro as Record<string, number> } : {}),
    });
    let alpha: tf.Variable | undefined;
    let adam: tf.AdamOptimizer | undefined;
    try {
      const decisions = space.decisions?.();
      const matches =
        decisions !== undefined &&
        typeof space.fromDecisions === 'function' &&
        decisions.length === supernet.choices.length &&
        decisions.every((d, i) => d.choices.length === supernet.choices[i] && d.choices.every((c, k) => c === supernet.choiceNames[i]![k]));
      if (!matches || !supernet.forwardMixed) {
        throw usage(
          `searcher "darts" relaxes every choice of the ${space.id} supernet (${supernet.choiceNames[0]!.join(', ')}), and the space's decisions differ or it has no relaxation`,
          `search the whole ${space.id} space (no restricted operation list)`,
          '/space/options',
        );
      }
      const [D, K] = [supernet.choices.length, supernet.choices[0]!];
      alpha = tf.variable(tf.mul(tf.randomNormal([D, K], 0, 1, 'float32', seed), 1e-3), true, `darts-alpha-${seed}`);
      adam = tf.train.adam(o.archLearningRate, 0.5, 0.999);
      const sgd = new SgdOptimizer(supernet.parameters, { momentum: o.momentum, nesterov: false, weightDecay: o.weightDecay });

      const setup = stableJson({
        space: space.id,
        task: task.id,
        inputShape: task.inputShape,
        classes: task.numClasses,
        seed,
        options: o as never,
      });
      const dir = ctx.stateDir ? path.join(ctx.stateDir, 'darts') : undefined;
      const restored = dir ? await this.restore(dir, setup, supernet, alpha, sgd, adam) : [];
      // The finished epochs' cells again: a resumed run answers them from its journal.
      for (const e of restored) {
        this.history.push(e);
        if (o.evaluate === 'epoch' || (o.evaluate === 'end' && e.epoch === o.epochs - 1)) await this.judge(ctx, space.parse(e.arch));
        else this.last = space.parse(e.arch);
      }

      const train = task.splits.train;
      const val = task.splits.validation;
      const trainBatches = Math.ceil(Math.min(train.size, o.trainLimit ?? Infinity) / o.batchSize);
      const valBatches = Math.ceil(Math.min(val.size, o.valLimit ?? Infinity) / o.batchSize);
      const steps = Math.min(trainBatches, valBatches);
      if (steps === 0)
        throw new NasxError('data', `task "${task.id}" has an empty training or validation split`, { pkg: PKG, contribution: ID, fix: 'check the task data' });
      if (valBatches < trainBatches) {
        ctx.logger.info(
          `darts: ${steps} steps per epoch (the validation split gives ${valBatches} batches of ${o.batchSize}, the training split ${trainBatches})`,
        );
      }
      const phase = phaseReporter(ctx, 'DARTS search', { total: o.epochs * steps, unit: 'steps', source: ID });
      for (let epoch = this.history.length; epoch < o.epochs; epoch++) {
        ctx.signal.throwIfAborted();
        const t0 = performance.now();
        const lr = learningRateAt('cosine', epoch, o.epochs, o.learningRate, o.minLearningRate);
        const rng = ctx.rng.fork(`epoch-${epoch}`);
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
            const g = archGradient(supernet, alpha, tr, va, { order: o.order === 'second' ? 2 : 1, xi: lr });
            const decayed = tf.tidy(() => (o.archWeightDecay > 0 ? tf.add(g.grad, tf.mul(alpha!, o.archWeightDecay)) : tf.clone(g.grad)));
            adam.applyGradients([{ name: alpha.name, tensor: decayed }]);
            tf.dispose([g.grad, decayed]);
            valLoss += g.valLoss;
            const r = weightStep(supernet, alpha, tr, sgd, lr, o.gradClip);
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
        const arch = space.fromDecisions!(decodeArgmax(alpha as tf.Tensor2D));
        const entropy = tf.tidy(() => {
          const w = archWeights(alpha as tf.Tensor2D);
          return -tf.sum(tf.mul(w, tf.log(tf.add(w, 1e-12)))).dataSync()[0]! / D;
        });
        const record: DartsEpoch = {
          epoch,
          arch: space.format(arch),
          trainLoss: loss / Math.max(seen, 1),
          trainAccuracy: (100 * correct) / Math.max(seen, 1),
          valLoss: valLoss / Math.max(k, 1),
          entropy,
          seconds: (performance.now() - t0) / 1000,
        };
        this.history.push(record);
        for (const [name, value] of [
          ['darts_train_loss', record.trainLoss],
          ['darts_train_acc', record.trainAccuracy],
          ['darts_val_loss', record.valLoss],
          ['darts_alpha_entropy', record.entropy],
        ] as const) {
          emit({ type: 'metric', name, value, step: epoch + 1, source: ID });
        }
        emit({
          type: 'log',
          level: 'info',
          source: ID,
          message: `darts: epoch ${epoch + 1}/${o.epochs} (${record.seconds.toFixed(1)} s): train loss ${record.trainLoss.toFixed(4)}, accuracy ${record.trainAccuracy.toFixed(1)} %, val loss ${record.valLoss.toFixed(4)}, α entropy ${entropy.toFixed(3)}; cell ${record.arch}`,
        });
        if (dir) await this.save(dir, setup, supernet, alpha, sgd, adam);
        if (o.evaluate === 'epoch' || epoch === o.epochs - 1) await this.judge(ctx, arch);
        else this.last = arch;
      }
      phase.end();
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

  private async save(dir: string, setup: string, supernet: Supernet, alpha: tf.Variable, sgd: SgdOptimizer, adam: tf.AdamOptimizer): Promise<void> {
    const weights = new Map([...supernet.parameters].map(([n, v]) => [n, v.dataSync() as Float32Array]));
    for (const [n, v] of supernet.buffers) weights.set(`buffer:${n}`, v.dataSync() as Float32Array);
    const momentum = sgd.momentumBuffers();
    const arch = new Map<string, Float32Array>([['alpha', alpha.dataSync() as Float32Array]]);
    for (const w of await adam.getWeights()) arch.set(`adam:${w.name}`, w.tensor.dataSync() as Float32Array);
    const state: DartsState = {
      format: STATE_FORMAT,
      setup,
      epochs: this.history,
      weights: writeTensorFile(dir, 'weights.bin', weights),
      momentum: writeTensorFile(dir, 'momentum.bin', momentum),
      arch: writeTensorFile(dir, 'arch.bin', arch),
    };
    writeFileAtomic(path.join(dir, 'darts.json'), `${JSON.stringify(state, null, 1)}\n`);
  }

  /** Loads the state of an earlier run of the same setup; returns its finished epochs (none without one). */
  private async restore(dir: string, setup: string, supernet: Supernet, alpha: tf.Variable, sgd: SgdOptimizer, adam: tf.AdamOptimizer): Promise<DartsEpoch[]> {
    const file = path.join(dir, 'darts.json');
    if (!fs.existsSync(file)) return [];
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as DartsState;
    if (state.format !== STATE_FORMAT || state.setup !== setup) {
      throw new NasxError('run', `the DARTS state in ${dir} belongs to another setup (space, task, seed or options changed)`, {
        pkg: PKG,
        contribution: ID,
        file,
        fix: 'resume with the configuration the run started with, or delete the folder to start the search again',
      });
    }
    const owner = { pkg: PKG, manifest: file, fix: `delete ${dir} to start the search again` };
    const weights = readTensorFile(dir, state.weights, owner);
    tf.tidy(() => {
      for (const [n, v] of supernet.parameters) v.assign(tf.tensor(weights.get(n)!, v.shape));
      for (const [n, v] of supernet.buffers) v.assign(tf.tensor(weights.get(`buffer:${n}`)!, v.shape));
    });
    sgd.loadMomentumBuffers(readTensorFile(dir, state.momentum, owner));
    const arch = readTensorFile(dir, state.arch, owner);
    tf.tidy(() => alpha.assign(tf.tensor(arch.get('alpha')!, alpha.shape)));
    const moments = [...arch].filter(([n]) => n.startsWith('adam:'));
    if (moments.length > 0) {
      const current = await adam.getWeights();
      const shapes = new Map(current.map((w) => [w.name, w.tensor.shape]));
      // tfjs names Adam's slots after the variable; shapes come from α for its moments.
      await adam.setWeights(
        moments.map(([n, v]) => ({
          name: n.slice('adam:'.length),
          tensor: tf.tensor(v, shapes.get(n.slice('adam:'.length)) ?? (v.length === 1 ? [] : alpha.shape)),
        })),
      );
    }
    return [...state.epochs];
  }
}

export const dartsSearcher = defineSearcher<OptionsInput<DartsOptions>>({
  id: ID,
  title: 'DARTS',
  description:
    'Differentiable architecture search (Liu et al., ICLR 2019): trains the supernet’s continuous relaxation, weights on the training split and α on the validation split, first or second order; the decoded cell is evaluated after every epoch.',
  optionsSchema: dartsSchema,
  create(options) {
    return new DartsSearcher(options as DartsOptions);
  },
});
