/**
 * `nasx bench360`: NAS-Bench-360's protocol over nasx tasks. For every task and seed it runs the
 * configured search (searcher + estimator + space) on the task, retrains the architecture the search
 * returns on the task's training split, and scores it on the test split with the task's metric; beside
 * it the Wide ResNet baseline (same retraining recipe) and a trivial predictor (majority class, the
 * training mean, the training label rates). Each finished (task, seed) is written to
 * `cells/<task>/seed-<s>.json` at once, so a killed benchmark continues where it stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Architecture, type Json, type JsonObject, type Task, type TaskPredictions } from '@nasx/contracts';
import type { Kernel, ResolvedConfig } from '@nasx/kernel';
import { lastValueFrom } from 'rxjs';
import { defaultIfEmpty } from 'rxjs/operators';
import type { Bench360Budget } from './budgets';

/** What a task must offer to be benchmarked (the NAS-Bench-360 tasks of `@nasx/task-nb360` do). */
export interface BenchTask extends Task {
  readonly numClasses: number;
  readonly source: string;
  readonly data: { readonly description: string };
  readonly paper: {
    readonly metric: string;
    readonly wrn: { mean: number; std?: number };
    readonly denseNas: { mean: number; std?: number };
    readonly dartsGaea: { mean: number; std?: number };
    readonly expert?: { mean: number; std?: number; note: string };
    readonly caveat?: string;
  };
  scoreSplit(predictions: TaskPredictions, split: 'train' | 'validation' | 'test'): number;
  paperForm(value: number): number;
  targetsOf(split: 'train' | 'validation' | 'test'): Promise<Int32Array | Float32Array>;
}

export function isBenchTask(task: Task | undefined): task is BenchTask {
  const t = task as Partial<BenchTask> | undefined;
  return !!t && typeof t.scoreSplit === 'function' && typeof t.paperForm === 'function' && typeof t.targetsOf === 'function' && !!t.paper;
}

/** One (task, seed) of the benchmark. */
export interface Bench360Cell {
  readonly task: string;
  readonly seed: number;
  readonly search: {
    readonly runId: string;
    readonly runDir?: string;
    readonly evaluations: number;
    readonly best: string;
    readonly searchMetric: number | null;
    readonly seconds: number;
  };
  /** Test-split metric of the searched architecture, retrained. */
  readonly searched: number;
  /** Test-split metric of the WRN baseline. */
  readonly wrn: number;
  readonly retrainSeconds: number;
  readonly wrnSeconds: number;
  /** The searched architecture's latency (and energy) on `--device`, from the latency table, where it has the task. */
  readonly latency?: { readonly device: string; readonly ms: number; readonly mj?: number };
}

export interface Bench360Options {
  readonly kernel: Kernel;
  /** The pipeline (its task is replaced by each benchmark task). */
  readonly config: ResolvedConfig;
  readonly tasks: readonly string[];
  readonly seeds: readonly number[];
  readonly budget: Bench360Budget;
  /** The tasks' `source` option. */
  readonly source: string;
  readonly outDir: string;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  /**
   * A device prefix of the latency `table` model (e.g. `pi5_litert`, `pixel_litert`): for a task
   * whose NB201 networks the table measured on it (`<device>_<task>`: HW-NAS-Bench-360's cifar100,
   * ninapro, darcy), the search reports `latency_ms` (and `energy_mj`) of every cell.
   */
  readonly device?: string;
  /** The devices the latency table knows (to decide which tasks get a latency). */
  readonly knownDevices?: ReadonlySet<string>;
}

/** A task's result over the seeds, in our metric and in the paper's form. */
export interface Bench360TaskResult {
  readonly task: string;
  readonly metric: string;
  readonly direction: 'minimize' | 'maximize';
  readonly source: string;
  readonly data: string;
  readonly seeds: readonly number[];
  readonly searched: Summary;
  readonly wrn: Summary;
  readonly trivial: { readonly value: number; readonly what: string };
  /** How much better the WRN is than the trivial predictor, in the metric's units (positive: better). */
  readonly wrnMargin: number;
  readonly paperForm: { readonly searched: Summary; readonly wrn: Summary; readonly trivial: number };
  readonly paper: BenchTask['paper'];
  readonly cells: readonly Bench360Cell[];
}

export interface Summary {
  readonly mean: number;
  readonly std: number;
  readonly values: readonly number[];
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, values };
}

function taskOverride(id: string, options: Bench360Options): string {
  const o: JsonObject = { source: options.source };
  if (options.budget.trainLimit !== undefined) o['limit'] = options.budget.trainLimit;
  if (options.budget.validationLimit !== undefined) o['validationLimit'] = options.budget.validationLimit;
  return `task=${JSON.stringify({ use: id, options: o })}`;
}

/** The latency-table device of `task` on `--device`, if the table has it. */
export function deviceFor(options: Pick<Bench360Options, 'device' | 'knownDevices'>, task: string): string | undefined {
  const d = options.device ? `${options.device}_${task}` : undefined;
  return d && options.knownDevices?.has(d) ? d : undefined;
}

/** The benchmark config of one (task, seed): the pipeline with the task, seed and evaluation budget replaced. */
export function cellConfig(options: Bench360Options, task: string, seed: number): ResolvedConfig {
  const data = options.config.data as JsonObject;
  const overrides = [
    taskOverride(task, options),
    `seed=${seed}`,
    `budget=${JSON.stringify({ evaluations: options.budget.evaluations })}`,
    `name=bench360-${task}-s${seed}`,
  ];
  const device = deviceFor(options, task);
  if (device) overrides.push(`latency=${JSON.stringify([{ use: 'table', options: { device } }])}`);
  return options.kernel.loadConfigObject(data, { overrides, file: options.config.file });
}

/** Trains `arch` on the task's training split with the budget's recipe and scores it on the test split. */
export async function trainAndScore(
  task: BenchTask,
  arch: Architecture,
  budget: Bench360Budget,
  seed: number,
  signal?: AbortSignal,
): Promise<{ value: number; seconds: number }> {
  const tensor = await import('@nasx/tensor');
  const { createRng } = await import('@nasx/kernel');
  await tensor.initTensorBackend();
  const started = performance.now();
  const macro = arch.space === 'nb201' ? { ...budget.nb201Macro } : undefined;
  const net = tensor.buildNetwork(arch, {
    numClasses: task.numClasses,
    inputShape: task.inputShape,
    outputShape: task.outputShape,
    seed,
    ...(macro ? { macro } : {}),
  });
  try {
    const r = budget.retrain;
    const result = await tensor.trainNetwork(net, task.splits.train, {
      steps: r.steps,
      batchSize: r.batchSize,
      learningRate: r.lr,
      weightDecay: r.weightDecay,
      loss: task.loss,
      rng: createRng(seed).fork('bench360-order'),
      signal,
    });
    const test = task.splits.test;
    if (!test)
      throw new NasxError('data', `task "${task.id}" has no test split`, { fix: 'benchmark tasks with a test split (the NAS-Bench-360 tasks have one)' });
    const predictions = await tensor.predictNetwork(net, test, { loss: task.loss, microBatchSize: result.microBatchSize, signal });
    return { value: task.scoreSplit(predictions, 'test'), seconds: (performance.now() - started) / 1000 };
  } finally {
    net.dispose();
  }
}

/**
 * The trivial predictor of a task, scored on its test split: the constant class that scores best on
 * the training split (classification), the per-output training rate (multi-label) or the
 * per-output training mean (regression and dense tasks).
 */
export async function trivialBaseline(task: BenchTask): Promise<{ value: number; what: string }> {
  const outputSize = task.outputShape.reduce((a, b) => a * b, 1);
  if (task.loss === 'cross-entropy') {
    // The constant class that scores best on the training split (for a metric like ECG's record-wise
    // F1 that is not the most frequent training window's class), then scored on the test split.
    const targetsOf = { train: await task.targetsOf('train'), test: await task.targetsOf('test') };
    const constant = (split: 'train' | 'test', c: number) => {
      const targets = targetsOf[split];
      const outputs = new Float32Array(targets.length * outputSize);
      for (let i = 0; i < targets.length; i++) outputs[i * outputSize + c] = 1;
      return task.scoreSplit({ outputs, outputSize, targets, samples: targets.length }, split);
    };
    const better = (a: number, b: number) => (task.metric.direction === 'maximize' ? a > b : a < b);
    let best = 0;
    let bestScore = constant('train', 0);
    for (let c = 1; c < task.numClasses; c++) {
      const s = constant('train', c);
      if (better(s, bestScore)) [best, bestScore] = [c, s];
    }
    return { value: constant('test', best), what: `the constant class ${best}, the best one on the training split` };
  }
  const train = await task.targetsOf('train');
  const test = await task.targetsOf('test');
  const n = train.length / outputSize;
  const mean = new Float64Array(outputSize);
  for (let i = 0; i < train.length; i++) mean[i % outputSize]! += train[i]!;
  const samples = test.length / outputSize;
  const logit = (p: number) => Math.log(Math.max(p, 1e-6) / Math.max(1 - p, 1e-6));
  const row = Float32Array.from(mean, (s) => (task.loss === 'binary-cross-entropy' ? logit(s / n) : s / n));
  const outputs = new Float32Array(samples * outputSize);
  for (let i = 0; i < samples; i++) outputs.set(row, i * outputSize);
  const what = task.loss === 'binary-cross-entropy' ? 'training label rates' : 'training mean at every output';
  return { value: task.scoreSplit({ outputs, outputSize, targets: test, samples }, 'test'), what };
}

function latencyOf(metrics: { readonly [name: string]: number }, device: string | undefined): { latency?: Bench360Cell['latency'] } {
  const ms = metrics['latency_ms'];
  if (!device || typeof ms !== 'number') return {};
  const mj = metrics['energy_mj'];
  return { latency: { device, ms, ...(typeof mj === 'number' ? { mj } : {}) } };
}

function readCell(file: string): Bench360Cell | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Bench360Cell;
  } catch {
    return undefined;
  }
}

function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Runs (or continues) the benchmark; returns one result per task. */
export async function runBench360(options: Bench360Options): Promise<Bench360TaskResult[]> {
  const { kernel, log, budget } = options;
  const { wrnArchitecture } = await import('@nasx/tensor');
  const results: Bench360TaskResult[] = [];
  for (const id of options.tasks) {
    const cells: Bench360Cell[] = [];
    let task: BenchTask | undefined;
    let disposeTask: (() => Promise<void>) | undefined;
    try {
      for (const seed of options.seeds) {
        options.signal?.throwIfAborted();
        const file = path.join(options.outDir, 'cells', id, `seed-${seed}.json`);
        const config = cellConfig(options, id, seed);
        if (!task) {
          const composed = await kernel.createSpaceAndTask(config, { loadTask: true });
          disposeTask = () => composed.dispose();
          if (!isBenchTask(composed.task)) {
            throw new NasxError('usage', `task "${id}" is not a benchmark task: it has no test-split scoring or published numbers`, {
              fix: 'benchmark the NAS-Bench-360 tasks of @nasx/task-nb360 (ecg, satellite, darcy, …)',
            });
          }
          task = composed.task;
          log(`${id}: ${task.data.description}`);
        }
        const done = readCell(file);
        if (done) {
          log(`${id} seed ${seed}: done earlier (${path.relative(options.outDir, file)})`);
          cells.push(done);
          continue;
        }
        const t0 = performance.now();
        const handle = await kernel.start(config, { persist: true, runsDir: path.join(options.outDir, 'runs') });
        const stop = () => handle.stop();
        options.signal?.addEventListener('abort', stop);
        try {
          await lastValueFrom(handle.events$.pipe(defaultIfEmpty(undefined)));
        } finally {
          options.signal?.removeEventListener('abort', stop);
        }
        options.signal?.throwIfAborted();
        const report = handle.report();
        if (!report.best) {
          throw new NasxError('run', `the search on task "${id}" (seed ${seed}) evaluated no architecture (${report.failures} failures)`, {
            fix: `see the run's journal in ${handle.runDir ?? 'its run folder'}`,
          });
        }
        const searchSeconds = (performance.now() - t0) / 1000;
        const best = report.best;
        const searchMetric = best.estimate.metrics[task.metric.name];
        log(
          `${id} seed ${seed}: searched ${report.evaluations} architectures in ${searchSeconds.toFixed(0)} s; best ${best.text ?? best.arch.key} (${task.metric.name} ${searchMetric ?? 'n/a'})`,
        );
        const retrained = await trainAndScore(task, best.arch, budget, seed, options.signal);
        log(
          `${id} seed ${seed}: retrained ${budget.retrain.steps} steps in ${retrained.seconds.toFixed(0)} s: test ${task.metric.name.replace(/^val_/, '')} ${retrained.value.toFixed(4)}`,
        );
        const wrn = await trainAndScore(task, wrnArchitecture(budget.wrn.depth, budget.wrn.widen), budget, seed, options.signal);
        log(
          `${id} seed ${seed}: WRN-${budget.wrn.depth}-${budget.wrn.widen} in ${wrn.seconds.toFixed(0)} s: test ${task.metric.name.replace(/^val_/, '')} ${wrn.value.toFixed(4)}`,
        );
        const cell: Bench360Cell = {
          task: id,
          seed,
          search: {
            runId: report.runId,
            ...(handle.runDir ? { runDir: path.relative(options.outDir, handle.runDir) } : {}),
            evaluations: report.evaluations,
            best: best.text ?? best.arch.key,
            searchMetric: typeof searchMetric === 'number' ? searchMetric : null,
            seconds: searchSeconds,
          },
          searched: retrained.value,
          wrn: wrn.value,
          retrainSeconds: retrained.seconds,
          wrnSeconds: wrn.seconds,
          ...latencyOf(best.estimate.metrics, deviceFor(options, id)),
        };
        writeAtomic(file, JSON.stringify(cell, null, 2) + '\n');
        cells.push(cell);
      }
      const t = task!;
      const trivial = await trivialBaseline(t);
      const direction = t.metric.direction;
      const searched = summarize(cells.map((c) => c.searched));
      const wrn = summarize(cells.map((c) => c.wrn));
      results.push({
        task: id,
        metric: t.metric.name,
        direction,
        source: t.source,
        data: t.data.description,
        seeds: cells.map((c) => c.seed),
        searched,
        wrn,
        trivial,
        wrnMargin: direction === 'maximize' ? wrn.mean - trivial.value : trivial.value - wrn.mean,
        paperForm: {
          searched: summarize(searched.values.map((v) => t.paperForm(v))),
          wrn: summarize(wrn.values.map((v) => t.paperForm(v))),
          trivial: t.paperForm(trivial.value),
        },
        paper: t.paper,
        cells,
      });
    } finally {
      await disposeTask?.();
    }
  }
  return results;
}

/** The results as JSON (what `results.json` holds). */
export function resultsJson(results: readonly Bench360TaskResult[], meta: JsonObject): Json {
  return { ...meta, tasks: results as unknown as Json };
}
