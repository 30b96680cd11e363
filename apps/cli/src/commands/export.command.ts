import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, isNasxError, type Architecture, type JsonObject, type SearchSpace, type Task } from '@nasx/contracts';
import {
  RUN_FILES,
  compileSchema,
  createRng,
  loadJournal,
  reportFromJournal,
  trialRng,
  type Kernel,
  type ResolvedConfig,
  type ResolvedEntry,
} from '@nasx/kernel';
import type { TrainEstimatorOptions } from '@nasx/estimator-train';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { configOverrides, openKernel } from '../kernel-factory';
import { num } from '../ui/format';

/** Options of `nasx export` (commander's parse). */
export interface ExportCommandOptions {
  readonly arch?: string;
  readonly trial?: number;
  readonly out?: string;
  readonly train?: boolean;
  readonly epochs?: number;
  readonly steps?: number;
  readonly seed?: number;
  readonly dataDir?: string;
  readonly task?: string;
  readonly macro?: readonly string[];
  readonly layout?: string;
  readonly set?: readonly string[];
  readonly force?: boolean;
}

const CLI = '@nasx/cli';

function usage(message: string, fix: string, file?: string): NasxError {
  return new NasxError('usage', message, { pkg: CLI, fix, ...(file ? { file } : {}) });
}

/** What is exported: the architecture and where it came from. */
interface Chosen {
  readonly arch: Architecture;
  readonly trial?: number;
  readonly how: string;
  /** The run's estimate of it (its metrics), when it was a trial. */
  readonly metrics?: JsonObject;
  /**
   * The trial whose estimate that is (a cached trial's answer came from an earlier trial of the
   * same key) and the optimiser steps it ran, if it says.
   */
  readonly estimatedIn?: { readonly trial: number; readonly steps?: number };
}

/** `--macro channels=16` pairs as the builder's macro settings. */
function parseMacro(pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(\d+)$/.exec(p.trim());
    if (!m) throw usage(`--macro "${p}" is not name=integer`, 'write e.g. --macro channels=16 --macro cellsPerStage=5 (NB201 skeleton settings)');
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** The run's `train` estimator entry (primary first, then named ones), whose options say how the run trained. */
function trainEntry(config: ResolvedConfig): ResolvedEntry | undefined {
  return [config.estimator, ...Object.values(config.estimators)].find((e) => e.id === 'train');
}

/** The architecture to export: `--arch`, `--trial N`, or the run's best. */
function chooseArch(space: SearchSpace, config: ResolvedConfig, runDir: string | undefined, opts: ExportCommandOptions): Chosen {
  if (opts.arch !== undefined && opts.trial !== undefined) throw usage('give --arch or --trial, not both', 'drop one of them');
  if (opts.arch !== undefined) {
    try {
      return { arch: space.parse(opts.arch), how: 'given with --arch' };
    } catch (e) {
      if (!isNasxError(e)) throw e;
      throw new NasxError(
        'architecture',
        `--arch "${opts.arch}" is not an architecture of space "${space.id}", the space of ${runDir ? 'the run' : config.file}: ${e.message}`,
        {
          pkg: CLI,
          fix: e.fix ?? `give an architecture in ${space.id}'s text form (as "nasx report" prints it)`,
        },
      );
    }
  }
  if (!runDir)
    throw usage(
      `which architecture of ${config.file}? A config has no trials`,
      'give --arch <architecture> with a config, or export from a run folder (its best, or --trial N)',
    );
  const { events } = loadJournal(path.join(runDir, RUN_FILES.journal));
  const evaluated = events.flatMap((e) => (e.type === 'evaluated' ? [e] : []));
  if (evaluated.length === 0) {
    throw usage(
      `run folder ${runDir} has no finished trial: no architecture was evaluated yet, so it has no best to export`,
      `continue it with "nasx resume ${runDir}", or give an architecture with --arch`,
      runDir,
    );
  }
  // The first evaluation of a key is the one that ran; later ones of that key were answered from the cache.
  const estimatedIn = (key: string): Chosen['estimatedIn'] => {
    const first = evaluated.find((e) => e.arch.key === key && !e.cached);
    return first ? { trial: first.trial, steps: first.estimate.fidelity?.steps } : undefined;
  };
  if (opts.trial !== undefined) {
    const hit = evaluated.find((e) => e.trial === opts.trial);
    if (!hit) {
      const trials = evaluated.map((e) => e.trial);
      throw usage(
        `run ${runDir} has no evaluated trial ${opts.trial} (its evaluated trials are ${Math.min(...trials)}…${Math.max(...trials)}, ${trials.length} in all; failed ones have no result)`,
        `pick a trial "nasx report ${runDir}" lists`,
        runDir,
      );
    }
    return { arch: hit.arch, trial: hit.trial, how: `trial ${hit.trial}`, metrics: { ...hit.estimate.metrics }, estimatedIn: estimatedIn(hit.arch.key) };
  }
  const best = reportFromJournal(events).best!;
  return {
    arch: best.arch,
    trial: best.trial,
    how: `the run's best, trial ${best.trial}`,
    metrics: { ...best.estimate.metrics },
    estimatedIn: estimatedIn(best.arch.key),
  };
}

/** A readable size. */
function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/**
 * `nasx export <run-dir | config>`: builds an architecture's network (the run's best, a trial, or
 * `--arch`), optionally trains it on the run's task as the `train` estimator does, and writes it as
 * a TensorFlow.js layers model (`model.json` + `group1-shard1of1.bin`) with nasx metadata.
 */
export async function exportCommand(io: CliIO, source: string, opts: ExportCommandOptions): Promise<number> {
  if (opts.epochs !== undefined && opts.steps !== undefined) throw usage('give --epochs or --steps, not both', 'drop one of them');
  if ((opts.epochs !== undefined || opts.steps !== undefined) && !opts.train)
    throw usage('--epochs and --steps set the training of --train', 'add --train, or drop them');
  if (opts.epochs === 0 || opts.steps === 0) throw usage('--epochs and --steps must be at least 1', 'give a positive count');
  const layout = opts.layout ?? 'nchw';
  if (layout !== 'nchw' && layout !== 'nhwc')
    throw usage(`--layout "${layout}" is not nchw or nhwc`, 'use nchw (the input nasx networks take, the default) or nhwc (images as [N, H, W, C])');
  const macroOverride = parseMacro(opts.macro ?? []);

  const kernel: Kernel = openKernel(io.cwd);
  const target = path.resolve(io.cwd, source);
  const overrides = configOverrides(io, opts);
  if (opts.task) overrides.push(`task=${JSON.stringify(opts.task)}`);
  const isRun = fs.existsSync(target) && fs.statSync(target).isDirectory();
  const config = isRun ? kernel.loadRunConfig(target, { overrides }) : kernel.loadConfig(target, { overrides });

  const tensor = await import('@nasx/tensor');
  // A space without a network builder fails before any work.
  const buildable = tensor.NETWORK_BUILDERS.filter((b) => b.graph).map((b) => b.space);
  if (!buildable.includes(config.space.id)) {
    throw new NasxError(
      'architecture',
      `cannot export from ${isRun ? `run ${target}` : config.file}: its space "${config.space.id}" has no network builder, so nasx cannot build its networks`,
      {
        pkg: CLI,
        fix: `nasx export builds networks of the spaces ${buildable.join(', ')}; export from a run or config over one of them (a new space needs a NetworkBuilder with a graph in @nasx/tensor)`,
      },
    );
  }
  if (!config.task) {
    throw usage(
      `${isRun ? `run ${target}` : config.file} has no task (its estimator needs no data), but a network needs the input shape and the classes of one`,
      'pass --task mnist (no data needed) or --task cifar10 (with --data-dir)',
      config.file,
    );
  }

  const parts = await kernel.createSpaceAndTask(config, { loadTask: Boolean(opts.train) });
  try {
    const { space } = parts;
    const task = parts.task as Task;
    if (task.numClasses === undefined || task.inputShape.length !== 3 || task.loss !== 'cross-entropy') {
      throw usage(
        `task "${task.id}" is ${task.modality} with input shape [${task.inputShape.join(', ')}] and loss ${task.loss}; nasx exports image classifiers`,
        'use an image classification task such as mnist or cifar10 (--task)',
      );
    }
    const chosen = chooseArch(space, config, isRun ? target : undefined, opts);
    const text = space.format(chosen.arch);

    const outDir = path.resolve(
      io.cwd,
      opts.out ??
        path.join('exports', `${config.name}-${chosen.trial !== undefined ? `trial${chosen.trial}` : chosen.arch.key.replace(/[^A-Za-z0-9_-]+/g, '_')}`),
    );
    if (fs.existsSync(outDir) && (!fs.statSync(outDir).isDirectory() || fs.readdirSync(outDir).length > 0) && !opts.force) {
      throw usage(
        `the output folder ${outDir} exists and is not an empty folder`,
        'choose another folder with -o, or pass --force to write model.json and group1-shard1of1.bin into it (replacing files of those names)',
        outDir,
      );
    }

    // How the run trained (its train estimator's options, defaults filled in), else the train estimator's defaults.
    const { trainEstimator, stepBudget, trainingStreams } = await import('@nasx/estimator-train');
    const { subsetSplit } = await import('@nasx/data');
    const entry = trainEntry(config);
    const trainOptions = { ...(entry?.options ?? {}) } as JsonObject;
    compileSchema(trainEstimator.optionsSchema)(trainOptions);
    const t = trainOptions as unknown as TrainEstimatorOptions;
    const macro = { ...(t.macro ?? {}), ...macroOverride } as Record<string, number>;
    // A trial of a run whose estimator is train: its initial weights and data order come from the
    // trial's stream, so --train redoes that trial's training (same backend: the same numbers).
    const redo =
      chosen.estimatedIn && config.estimator.id === 'train' && opts.seed === undefined && Object.keys(macroOverride).length === 0
        ? chosen.estimatedIn
        : undefined;
    const streams = redo ? trainingStreams(trialRng(config.seed, redo.trial)) : undefined;
    const seed = streams?.networkSeed ?? opts.seed ?? config.seed;
    const order = streams?.order ?? createRng(seed).fork('train-order');
    const seedText = redo ? `seed ${seed}, trial ${redo.trial}'s initial weights` : `seed ${seed}`;

    await tensor.initTensorBackend();
    const net = tensor.buildNetwork(chosen.arch, {
      numClasses: task.numClasses,
      inputShape: task.inputShape,
      outputShape: task.outputShape,
      seed,
      init: t.init,
      ...(Object.keys(macro).length ? { macro } : {}),
    });
    try {
      let training: JsonObject = {
        state: 'untrained',
        note: `initial weights drawn from ${seedText} (${t.init} initialisation)`,
        ...(redo ? { initialWeightsOfTrial: redo.trial } : {}),
      };
      let trainedLine = `untrained (${seedText})`;
      if (opts.train) {
        const train = subsetSplit(task.splits.train, t.trainLimit);
        const validation = subsetSplit(task.splits.validation, t.valLimit);
        const stepsPerEpoch = Math.ceil(train.size / t.batchSize);
        // The budget: --epochs/--steps, else the steps the trial ran, else the train estimator's own.
        const budget =
          opts.epochs !== undefined || opts.steps !== undefined
            ? { epochs: opts.epochs, steps: opts.steps }
            : redo?.steps !== undefined
              ? { steps: redo.steps }
              : t;
        const steps = stepBudget(budget, undefined, stepsPerEpoch);
        const started = performance.now();
        io.err(`nasx export: training ${text} on ${task.id} for ${steps} steps (batch ${t.batchSize}, ${train.size} training samples)\n`);
        const result = await tensor.trainNetwork(net, train, {
          steps,
          batchSize: t.batchSize,
          microBatchSize: t.microBatch,
          learningRate: t.lr,
          minLearningRate: t.minLr,
          schedule: t.schedule,
          momentum: t.momentum,
          nesterov: t.nesterov,
          weightDecay: t.weightDecay,
          loss: task.loss,
          rng: order,
          progressEvery: Math.max(1, Math.ceil(steps / 10)),
          onProgress: (p) => {
            if (p.kind === 'step') io.err(`  step ${p.step}/${p.totalSteps}: loss ${p.loss.toFixed(3)}, accuracy ${p.accuracy.toFixed(1)}%\n`);
          },
        });
        const val = await tensor.evaluateNetwork(net, validation, { batchSize: t.evalBatchSize, microBatchSize: result.microBatchSize, loss: task.loss });
        const seconds = (performance.now() - started) / 1000;
        training = {
          state: 'trained',
          task: task.id,
          steps: result.steps,
          epochs: result.steps / stepsPerEpoch,
          samples: result.samples,
          trainSamples: train.size,
          recipe: {
            batchSize: t.batchSize,
            lr: t.lr,
            minLr: t.minLr,
            schedule: t.schedule,
            momentum: t.momentum,
            nesterov: t.nesterov,
            weightDecay: t.weightDecay,
            init: t.init,
            seed,
            from: entry ? `the run's train estimator (${entry.pointer})` : "the train estimator's defaults",
          },
          trainLoss: result.loss,
          trainAcc: result.accuracy,
          valAcc: val.accuracy,
          valLoss: val.loss,
          valSamples: val.samples,
          seconds,
        };
        const runValAcc = redo && typeof chosen.metrics?.['val_acc'] === 'number' ? chosen.metrics['val_acc'] : undefined;
        if (runValAcc !== undefined) training = { ...training, retrainsTrial: redo!.trial, runValAcc, runValLoss: chosen.metrics?.['val_loss'] ?? null };
        trainedLine = `trained ${result.steps} steps on ${task.id} from ${seedText}: validation accuracy ${num(val.accuracy)}% on ${val.samples} samples${
          runValAcc !== undefined ? ` (the run measured ${num(runValAcc)}% for trial ${redo!.trial})` : ''
        }`;
      }
      const written = await tensor.exportNetwork(net, outDir, {
        inputLayout: layout,
        name: `nasx-${config.space.id}`,
        metadata: {
          arch: text,
          graph: space.toGraph(chosen.arch) as unknown as JsonObject,
          task: { id: task.id, inputShape: [...task.inputShape], numClasses: task.numClasses },
          training,
          source: {
            ...(isRun ? { run: path.basename(target) } : { config: config.file }),
            ...(chosen.trial !== undefined ? { trial: chosen.trial } : {}),
            chosen: chosen.how,
            ...(chosen.metrics ? { metrics: chosen.metrics } : {}),
          },
        },
      });
      const [c, h, w] = task.inputShape;
      const lines = [
        `wrote ${written.files.map((f) => `${path.join(outDir, f.name)} (${bytes(f.bytes)})`).join(' and ')}`,
        `  ${config.space.id} ${text} (${chosen.how}), ${written.parameters.toLocaleString('en-US')} parameters${written.unusedParameters ? ` (${written.unusedParameters.toLocaleString('en-US')} of unused edges left out)` : ''}, ${trainedLine}`,
        `  input ${layout === 'nchw' ? `[N, ${c}, ${h}, ${w}] (NCHW, as nasx networks)` : `[N, ${h}, ${w}, ${c}] (NHWC)`}, output logits [N, ${task.numClasses}]; nasx metadata in model.json's userDefinedMetadata`,
        'load it (Node with @tensorflow/tfjs-node, or a browser with an http:// URL):',
        `  const model = await tf.loadLayersModel('file://${path.join(outDir, 'model.json')}');`,
        `  const logits = model.predict(tf.zeros([1, ${layout === 'nchw' ? `${c}, ${h}, ${w}` : `${h}, ${w}, ${c}`}]));`,
        '  console.log(model.getUserDefinedMetadata().nasx.arch);',
      ];
      io.out(lines.join('\n') + '\n');
      return EXIT.ok;
    } finally {
      net.dispose();
    }
  } finally {
    await parts.dispose();
  }
}
