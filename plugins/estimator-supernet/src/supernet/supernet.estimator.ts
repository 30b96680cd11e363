import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  NasxError,
  phaseReporter,
  type Architecture,
  type DataSplit,
  type Estimate,
  type EstimateContext,
  type Estimator,
  type EstimatorDeps,
  type MetricDeclaration,
  type Task,
  type WorkContext,
} from '@nasx/contracts';
import {
  createPathEvaluator,
  findSupernetBuilder,
  initTensorBackend,
  pathAngle,
  pruneTensorFiles,
  readSupernetWeights,
  trainSupernet,
  writeSupernetWeights,
  type PathConstraint,
  type PathEvaluator,
  type Supernet,
  type SupernetOptions,
} from '@nasx/tensor';
import { subsetSplit } from '@nasx/data';
import {
  CHECKPOINT_FORMAT,
  PKG,
  checkpointDir,
  readCheckpoint,
  readWeightSet,
  setupDifferences,
  setupFingerprint,
  writeCheckpoint,
  writeWeightSet,
  type SupernetCheckpoint,
  type SupernetSetup,
  type WeightSetEntry,
} from './checkpoint';
import type { FewShotOptions } from './few-shot.schema';
import type { OneShotOptions } from './one-shot.schema';
import type { RlnasOptions } from './rlnas.schema';

/** The three weight-sharing estimators. */
export type SupernetKind = 'one-shot' | 'few-shot' | 'rlnas';

/** Options of any of them (the union of their schemas' types). */
export type SupernetEstimatorOptions = OneShotOptions &
  Partial<Pick<FewShotOptions, 'split'>> &
  Partial<Pick<RlnasOptions, 'labelSeed'>> &
  Partial<Pick<OneShotOptions, 'calibrationBatches' | 'evalBatchSize' | 'evalSplit' | 'valLimit'>>;

const ACCURACY_METRICS: readonly MetricDeclaration[] = [
  {
    name: 'supernet_acc',
    direction: 'maximize',
    unit: '%',
    description:
      "top-1 accuracy of the architecture's path with weights inherited from the supernet, on the validation split (the test split with evalSplit: test)",
  },
  { name: 'supernet_loss', direction: 'minimize', description: "mean cross-entropy of the architecture's path on the split it is evaluated on (evalSplit)" },
];
const ANGLE_METRICS: readonly MetricDeclaration[] = [
  { name: 'angle', direction: 'maximize', unit: 'rad', description: "angle between the initial and the trained weights of the architecture's path (RLNAS)" },
];

function taskOf(kind: SupernetKind, deps: EstimatorDeps): Task {
  const task = deps.task;
  if (!task) {
    throw new NasxError('config', `estimator "${kind}" trains a supernet on data, but the config has no task`, {
      pkg: PKG,
      contribution: kind,
      pointer: '/task',
      fix: 'add a task, e.g. "task: cifar10" (with NASX_DATA) or "task: mnist"',
    });
  }
  if (task.numClasses === undefined || task.inputShape.length !== 3 || task.loss !== 'cross-entropy') {
    throw new NasxError(
      'config',
      `estimator "${kind}" trains image classifiers, but task "${task.id}" is ${task.modality} with input shape [${task.inputShape.join(', ')}] and loss ${task.loss}`,
      {
        pkg: PKG,
        contribution: kind,
        pointer: '/task',
        fix: 'use an image classification task such as cifar10 or mnist',
      },
    );
  }
  return task;
}

/** The split decisions' choices of every sub-supernet, in order (k-th: mixed radix over the split edges). */
export function subSupernetChoices(choices: readonly number[], edges: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const e of edges) out = out.flatMap((prefix) => Array.from({ length: choices[e]! }, (_, c) => [...prefix, c]));
  return out;
}

/**
 * The weight-sharing estimators. `prepare` trains (or reloads) the supernet once: checkpoints
 * after every epoch in the run's state folder, so a killed run resumes at the last finished epoch;
 * `estimate` then costs one path evaluation (one-shot, few-shot) or one vector angle (rlnas).
 */
export function createSupernetEstimator(kind: SupernetKind, options: SupernetEstimatorOptions, deps: EstimatorDeps): Estimator {
  const configDir = deps.configDir;
  const task = taskOf(kind, deps);
  const builder = findSupernetBuilderFor(kind, deps.space.id);
  if (kind === 'few-shot') checkSplitEdges(options.split?.edges ?? [0], deps.space.id, builder.decisions);
  checkInit(kind, options);
  const evalSplit = evaluationSplit(kind, options, task);
  const loadFile = options.load !== undefined ? path.resolve(configDir ?? process.cwd(), options.load) : undefined;
  // A missing load is a config error before anything runs; what it holds is checked in prepare (the seed's setup).
  if (loadFile !== undefined && !fs.existsSync(loadFile)) throw missingSupernet(kind, 'load', loadFile);
  const numClasses = task.numClasses!;
  const inputShape = [...task.inputShape];
  const macro = { ...(options.macro as { [name: string]: number }) };
  // Read and checked here, so a bad init is a config error before anything runs.
  const init = options.init ? readInit(kind, options.init, configDir, { space: deps.space.id, macro, inputShape, numClasses }) : undefined;
  const splitEdges = kind === 'few-shot' ? [...(options.split?.edges ?? [0])] : [];
  let supernets: Supernet[] = [];
  let subsets: number[][] = [];
  let evaluator: PathEvaluator | undefined;
  let angles: { initial: Map<string, Float32Array>; trained: Map<string, Float32Array> } | undefined;
  let ready: Promise<void> | undefined;

  const place = { pkg: PKG, contribution: kind };

  const setupFor = (seed: number): SupernetSetup => ({
    contribution: kind,
    space: deps.space.id,
    macro,
    inputShape,
    numClasses,
    seed,
    schedule: {
      trainSize: Math.min(task.splits.train.size, options.trainLimit ?? Infinity),
      // A limited training split is a uniform subset (subsetSplit), not the split's first samples.
      ...(options.trainLimit !== undefined && options.trainLimit < task.splits.train.size ? { trainSubset: 'uniform' } : {}),
      epochs: options.epochs,
      batchSize: options.batchSize,
      lr: options.lr,
      minLr: options.minLr,
      momentum: options.momentum,
      nesterov: options.nesterov,
      weightDecay: options.weightDecay,
      ...(kind === 'few-shot' ? { splitEdges, splitEpochs: options.split!.epochs, splitLr: options.split!.lr } : {}),
      ...(kind === 'rlnas' ? { labelSeed: options.labelSeed ?? seed } : {}),
      // The supernet it starts from, when not from random weights: which one, after how many epochs.
      ...(init ? { init: { fingerprint: init.checkpoint.fingerprint, epochs: init.entry.epochsDone } } : {}),
    },
  });

  async function prepareOnce(ctx: WorkContext): Promise<void> {
    await initTensorBackend();
    await task.load?.();
    const seed = options.seed ?? ctx.rng.fork('supernet').int(0x7fffffff);
    let setup = setupFor(seed);
    let dir: string;
    let checkpoint: SupernetCheckpoint | undefined;
    if (loadFile !== undefined) {
      const file = loadFile;
      const loaded = readCheckpoint(file);
      if (!loaded) throw missingSupernet(kind, 'load', file); // deleted since create
      // Where its training started (schedule.init) is its history, not an option to repeat.
      const { init: _from, ...loadedSchedule } = loaded.setup.schedule;
      const differences = setupDifferences({ ...loaded.setup, schedule: loadedSchedule, seed: 0 }, { ...setupFor(loaded.setup.seed), seed: 0 });
      if (differences.length > 0) {
        throw new NasxError('config', `the supernet in ${file} was trained for another setup: ${differences.join('; ')}`, {
          ...place,
          pointer: '/options/load',
          fix: 'set the options, task and space it was trained with, or leave out load to train a new supernet',
        });
      }
      if (!loaded.complete)
        throw new NasxError('config', `the supernet in ${file} did not finish training`, {
          ...place,
          pointer: '/options/load',
          fix: 'resume the run that trains it, or leave out load',
        });
      setup = loaded.setup;
      dir = path.dirname(file);
      checkpoint = loaded;
    } else {
      dir = checkpointDir(ctx.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-supernet-')), setup);
      checkpoint = readCheckpoint(path.join(dir, 'supernet.json'));
      if (checkpoint && checkpoint.fingerprint !== setupFingerprint(setup)) checkpoint = undefined;
    }
    const manifest = path.join(dir, 'supernet.json');
    const supernetOptions: SupernetOptions = { numClasses, inputShape, seed: setup.seed, macro };
    const build = (): Supernet => builder.build(supernetOptions);
    const main = build();
    // Resumed sets overwrite these below; a set not yet begun starts from them.
    if (init) writeSupernetWeights(main, readWeightSet(path.dirname(init.file), init.entry, init.file));
    const initial = kind === 'rlnas' ? readSupernetWeights(main) : undefined;
    const sets: { [set: string]: WeightSetEntry } = { ...(checkpoint?.sets ?? {}) };
    /** Saves a set's weights, with its momentum while its schedule goes on (the manifest last). */
    const save = (set: string, sn: Supernet, epochsDone: number, complete: boolean, momentum?: ReadonlyMap<string, Float32Array>) => {
      const entry = writeWeightSet(dir, set, readSupernetWeights(sn), epochsDone);
      sets[set] = momentum ? { ...entry, momentum: writeWeightSet(dir, `${set}.momentum`, momentum, epochsDone) } : entry;
      writeCheckpoint(dir, { format: CHECKPOINT_FORMAT, fingerprint: setupFingerprint(setup), setup, sets: { ...sets }, complete });
      // The files of earlier checkpoints (and a finished set's momentum), once the manifest no longer names them.
      pruneTensorFiles(
        dir,
        Object.values(sets).flatMap((e) => [e, e.momentum]),
      );
    };
    const restore = (set: string, sn: Supernet): { done: number; momentum?: Map<string, Float32Array> } => {
      const entry = sets[set];
      if (!entry) return { done: 0 };
      writeSupernetWeights(sn, readWeightSet(dir, entry, manifest));
      return { done: entry.epochsDone, ...(entry.momentum ? { momentum: readWeightSet(dir, entry.momentum, manifest) } : {}) };
    };
    const train = subsetSplit(task.splits.train, options.trainLimit);
    const schedule = {
      batchSize: options.batchSize,
      learningRate: options.lr,
      minLearningRate: options.minLr,
      momentum: options.momentum,
      nesterov: options.nesterov,
      weightDecay: options.weightDecay,
      replicas: options.dataParallel,
      replicaModel: { space: deps.space.id, supernet: supernetOptions },
      signal: ctx.signal,
      ...(kind === 'rlnas' ? { randomLabels: { seed: options.labelSeed ?? setup.seed } } : {}),
    };
    const rng = ctx.rng.fork('supernet-schedule');
    const runStage = async (
      set: string,
      sn: Supernet,
      epochs: number,
      constraint: PathConstraint | undefined,
      label: string,
      last: boolean,
      learningRate = options.lr,
    ) => {
      const { done, momentum } = restore(set, sn);
      if (done >= epochs) return;
      if (done > 0) ctx.logger.info(`${kind}: resuming ${label} at epoch ${done + 1} of ${epochs} (${manifest})`);
      const perEpoch = Math.ceil(train.size / options.batchSize);
      const phase = phaseReporter(ctx, `training ${label}`, { total: epochs * perEpoch, unit: 'steps', source: kind });
      try {
        await trainSupernet(sn, train, {
          ...schedule,
          learningRate,
          // A sub-supernet's lower start does not anneal upwards.
          minLearningRate: Math.min(options.minLr, learningRate),
          epochs,
          startEpoch: done,
          ...(momentum ? { initialMomentum: momentum } : {}),
          rng: rng.fork(set),
          ...(constraint ? { constraint } : {}),
          onStep: (i, per, epoch) => phase.update(epoch * per + i),
          onEpoch: async (e, state) => {
            const finished = e.epoch + 1 === epochs;
            save(set, sn, e.epoch + 1, last && finished, finished ? undefined : await state.momentum());
            ctx.emit({ type: 'metric', name: `supernet_train_loss`, value: e.loss, step: e.epoch + 1, source: `${kind}/${set}` });
            ctx.logger.info(
              `${kind}: ${label} epoch ${e.epoch + 1}/${epochs}: loss ${e.loss.toFixed(4)}, train acc ${e.accuracy.toFixed(2)} % (${e.seconds.toFixed(1)} s)`,
            );
          },
        });
      } finally {
        phase.end();
      }
    };

    const trainer = !checkpoint?.complete;
    if (trainer)
      ctx.logger.info(
        `${kind}: supernet of ${main.paramCount} parameters (${Object.entries(macro)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}), state in ${dir}`,
      );
    if (kind === 'few-shot') {
      subsets = subSupernetChoices(main.choices, splitEdges);
      await runStage('one-shot', main, options.epochs, undefined, 'the one-shot supernet', false);
      // Split as given (epochs 0, init): the parent is recorded beside its sub-supernets all the same.
      if (!sets['one-shot']) save('one-shot', main, 0, false);
      const oneShot = readSupernetWeights(main);
      supernets = [];
      for (const [k, fixed] of subsets.entries()) {
        const sub = k === 0 ? main : build();
        writeSupernetWeights(sub, oneShot);
        const constraint: PathConstraint = main.choices.map((_, d) => {
          const at = splitEdges.indexOf(d);
          return at >= 0 ? [fixed[at]!] : undefined;
        });
        const label = `sub-supernet ${k + 1}/${subsets.length} (${splitEdges.map((e, i) => `${main.decisionNames[e]} = ${main.choiceNames[e]![fixed[i]!]}`).join(', ')})`;
        await runStage(`sub-${k}`, sub, options.split!.epochs, constraint, label, k === subsets.length - 1, options.split!.lr ?? options.lr);
        supernets.push(sub);
      }
    } else {
      await runStage('one-shot', main, options.epochs, undefined, kind === 'rlnas' ? 'the supernet on random labels' : 'the one-shot supernet', true);
      supernets = [main];
    }
    if (kind === 'rlnas') {
      angles = { initial: initial!, trained: readSupernetWeights(main) };
    } else {
      evaluator = await createPathEvaluator({
        calibration: train,
        calibrationBatches: options.calibrationBatches ?? 2,
        validation: subsetSplit(evalSplit, options.valLimit),
        batchSize: options.evalBatchSize ?? 250,
        rng: ctx.rng.fork('supernet-calibration'),
      });
    }
  }

  const prepare = (ctx: WorkContext): Promise<void> => {
    ready ??= prepareOnce(ctx).catch((e: unknown) => {
      ready = undefined;
      throw e;
    });
    return ready;
  };

  const estimateOne = (arch: Architecture): Estimate => {
    const started = performance.now();
    if (arch.space !== deps.space.id) {
      throw new NasxError('architecture', `estimator "${kind}" was given an architecture of space "${arch.space}" in a run over "${deps.space.id}"`, {
        ...place,
        fix: 'estimate architectures of the configured space',
      });
    }
    const main = supernets[0]!;
    const p = main.pathOf(arch);
    if (kind === 'rlnas') {
      const angle = pathAngle(main, p, angles!.initial, angles!.trained);
      return { metrics: { angle }, cost: { seconds: (performance.now() - started) / 1000 } };
    }
    let sn = main;
    let sub: number | undefined;
    if (kind === 'few-shot') {
      sub = subsets.findIndex((fixed) => fixed.every((c, i) => p[splitEdges[i]!] === c));
      sn = supernets[sub]!;
    }
    const r = evaluator!.evaluate(sn, p);
    return {
      metrics: { supernet_acc: r.accuracy, supernet_loss: r.loss },
      cost: { seconds: (performance.now() - started) / 1000 },
      info: { valSamples: r.n, ...(options.evalSplit === 'test' ? { evalSplit: 'test' } : {}), ...(sub !== undefined ? { subSupernet: sub } : {}) },
    };
  };

  return {
    id: kind,
    metrics: kind === 'rlnas' ? ANGLE_METRICS : ACCURACY_METRICS,
    prepare,
    async estimate(arch: Architecture, ctx: EstimateContext): Promise<Estimate> {
      await prepare(ctx);
      ctx.signal.throwIfAborted();
      return estimateOne(arch);
    },
    async estimateMany(archs: readonly Architecture[], ctx: EstimateContext): Promise<Estimate[]> {
      await prepare(ctx);
      const out: Estimate[] = [];
      for (const a of archs) {
        ctx.signal.throwIfAborted();
        out.push(estimateOne(a));
        if (out.length % 16 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return out;
    },
    dispose(): void {
      evaluator?.dispose();
      for (const s of new Set(supernets)) s.dispose();
      supernets = [];
    },
  };
}

function findSupernetBuilderFor(kind: SupernetKind, space: string) {
  try {
    return findSupernetBuilder(space);
  } catch (e) {
    if (e instanceof NasxError)
      throw new NasxError('config', `estimator "${kind}": ${e.message}`, { pkg: PKG, contribution: kind, pointer: '/space', fix: e.fix });
    throw e;
  }
}

/** A `split.edges` entry that is not a decision of the space: a config error naming the decisions. */
export function checkSplitEdges(edges: readonly number[], space: string, decisions: readonly string[]): void {
  const bad = edges.find((e) => e >= decisions.length);
  if (bad !== undefined) {
    throw new NasxError(
      'config',
      `split.edges holds ${bad}, but space "${space}" has ${decisions.length} decisions (${decisions.map((d, i) => `${i}: ${d}`).join(', ')})`,
      {
        pkg: PKG,
        contribution: 'few-shot',
        pointer: `/options/split/edges/${edges.indexOf(bad)}`,
        fix: `use decisions 0..${decisions.length - 1}; the few-shot paper splits edge 0`,
      },
    );
  }
}

/** The split paths are evaluated on (`evalSplit`); `test` on a task without a test split is a config error. */
function evaluationSplit(kind: SupernetKind, options: SupernetEstimatorOptions, task: Task): DataSplit {
  if (options.evalSplit !== 'test') return task.splits.validation;
  if (!task.splits.test)
    throw new NasxError('config', `estimator "${kind}" has evalSplit test, but task "${task.id}" has no test split`, {
      pkg: PKG,
      contribution: kind,
      pointer: '/options/evalSplit',
      fix: `leave out evalSplit to evaluate on the validation split, or give task "${task.id}" a test split (see its options)`,
    });
  return task.splits.test;
}

/** `load` or `init` naming a supernet.json that is not there. */
function missingSupernet(kind: SupernetKind, option: 'load' | 'init', file: string): NasxError {
  return new NasxError('config', `${option} names ${file}, which does not exist`, {
    pkg: PKG,
    contribution: kind,
    pointer: `/options/${option}`,
    fix: 'point at the supernet.json in the supernets/ folder of a run’s state folder',
  });
}

/** The trained supernet an estimator starts from (`init`): its manifest, and the weight set taken. */
interface InitSource {
  readonly file: string;
  readonly checkpoint: SupernetCheckpoint;
  readonly entry: WeightSetEntry;
}

/** `init` against the rest of the options, at create time: not with `load`; few-shot `epochs: 0` only with it. */
function checkInit(kind: SupernetKind, options: SupernetEstimatorOptions): void {
  const place = { pkg: PKG, contribution: kind };
  if (options.init !== undefined && options.load !== undefined)
    throw new NasxError('config', `estimator "${kind}" was given both load (use a trained supernet as it is) and init (train on from one)`, {
      ...place,
      pointer: '/options/init',
      fix: 'keep load to evaluate that supernet without training, or init to train from its weights',
    });
  if (kind === 'few-shot' && options.epochs === 0 && options.init === undefined && options.load === undefined)
    throw new NasxError('config', 'estimator "few-shot" has epochs 0, which splits the supernet given by init, but there is no init', {
      ...place,
      pointer: '/options/epochs',
      fix: 'set epochs ≥ 1 to train the one-shot supernet first, or give init: the supernet.json of a trained one (or load: a few-shot supernet split that way)',
    });
}

/**
 * The supernet `init` names, checked against this estimator's setup: it must exist, be finished,
 * and be a one-shot or few-shot supernet of the same space, skeleton and task shape (its schedule
 * may differ). A few-shot supernet gives its one-shot weights, the parent of its sub-supernets.
 */
function readInit(
  kind: SupernetKind,
  init: string,
  configDir: string | undefined,
  shape: Pick<SupernetSetup, 'space' | 'macro' | 'inputShape' | 'numClasses'>,
): InitSource {
  const file = path.resolve(configDir ?? process.cwd(), init);
  const place = { pkg: PKG, contribution: kind, pointer: '/options/init' };
  const checkpoint = readCheckpoint(file);
  if (!checkpoint) throw missingSupernet(kind, 'init', file);
  const from = checkpoint.setup.contribution;
  if (from !== 'one-shot' && from !== 'few-shot')
    throw new NasxError(
      'config',
      `init names a supernet of estimator "${from}" (${file}); only one-shot and few-shot supernets, trained on the task's labels, are starting points`,
      {
        ...place,
        fix: 'point at the supernet.json of a one-shot or few-shot run',
      },
    );
  if (!checkpoint.complete)
    throw new NasxError('config', `the supernet in ${file} did not finish training`, {
      ...place,
      fix: 'resume the run that trains it, or point init at a finished one',
    });
  // Space, macro, input shape and classes; not the kind, seed or schedule.
  const differences = setupDifferences(
    { ...checkpoint.setup, contribution: kind, seed: 0, schedule: {} },
    { ...shape, contribution: kind, seed: 0, schedule: {} },
  );
  if (differences.length > 0)
    throw new NasxError('config', `the supernet in ${file} is of another space, skeleton or task shape: ${differences.join('; ')}`, {
      ...place,
      fix: 'point init at a supernet of this space, macro and task, or set the macro it was trained with',
    });
  const entry = checkpoint.sets['one-shot'];
  if (!entry)
    throw new NasxError('data', `${file} holds no one-shot weights`, { ...place, file, fix: 'point init at the supernet.json of a one-shot or few-shot run' });
  return { file, checkpoint, entry };
}
