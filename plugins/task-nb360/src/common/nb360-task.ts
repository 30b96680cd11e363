import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  NasxError,
  defineTask,
  withSchemaDefaults,
  type LossName,
  type MetricDeclaration,
  type Modality,
  type Rng,
  type Task,
  type TaskDeps,
  type TaskPredictions,
} from '@nasx/contracts';
import { ImageSplit, ShardedSplit, rowRange, seededIntSource, shuffleInPlace, type IntSource, type RowArray, type ShardedContents } from '@nasx/data';
import type { PaperResults } from './paper';
import { nb360Schema as schema, type Nb360Options } from './nb360.schema';

export const PKG = '@nasx/task-nb360';

export type { Nb360Options } from './nb360.schema';

/** Where a task's data came from. `synthetic` is generated, for tests and demos only. */
export type Nb360Source = 'full' | 'sample' | 'synthetic';

/** One split held in memory: inputs flattened per sample (the task's `inputShape`), and targets. */
export interface SampleSet {
  readonly size: number;
  /** `size × prod(inputShape)` float32. */
  readonly x: Float32Array;
  /** Class ids (classification tasks). */
  readonly labels?: Int32Array;
  /** Value targets, `size × prod(outputShape)` (multi-label, regression, dense tasks). */
  readonly values?: Float32Array;
  /**
   * The group each sample belongs to, where the metric scores groups rather than samples (ECG: the
   * record of each window; the record's label is the majority vote of its windows).
   */
  readonly groups?: Int32Array;
  /**
   * Samples built on demand instead of copied from `x` (then empty): PSICOV writes each 57-channel
   * crop or tile from per-protein features, which is far smaller than the crops. A task with a
   * writer applies the `limit` options itself (its samples are not independent rows).
   */
  readonly writer?: SampleWriter;
}

/** Writes the samples of a {@link SampleSet} built on demand. */
export interface SampleWriter {
  /** Writes sample `i`'s input into `out` at `at`; `rng` (shuffled epochs) for random crops, else a fixed one. */
  write(i: number, out: Float32Array, at: number, rng: Rng | undefined): void;
  /** Writes sample `i`'s target; called after `write` of the same sample in the same batch (so a random crop can be shared). */
  writeTarget(i: number, out: Float32Array, at: number): void;
  /** Loads what samples `indices` need before they are written (data read on demand; see `SplitContents.prepare`). */
  prepare?(indices: Int32Array): Promise<void>;
}

/**
 * One split streamed from disk (a release too large to hold: DeepSEA, FSD50K): rows read a shard at
 * a time through a `ShardedSplit`. Its targets are small enough to read whole for scoring.
 */
export interface StreamedSet {
  readonly size: number;
  readonly contents: ShardedContents;
  /** Rows per shard: the most rows of inputs held in memory at once. */
  readonly shardRows: number;
  readonly groups?: Int32Array;
  /** The task applied the `limit` options itself (its rows are not the unit they count: FSD50K's chunks of clips). */
  readonly limitsApplied?: boolean;
  /** Parts of a shard read ahead (`ShardedSplit`'s `prefetch`; default 1: the next half-shard). */
  readonly prefetch?: number;
}

/** A split held in memory or streamed. */
export type DataSet = SampleSet | StreamedSet;

export function isStreamed(set: DataSet): set is StreamedSet {
  return 'contents' in set;
}

/** What a task's metric needs of a split besides the predictions and their targets. */
export interface ScoredSplit {
  readonly size: number;
  /** The group (e.g. ECG record) of each sample, where the metric scores groups. */
  readonly groups?: Int32Array;
}

/** A task's data after reading: the three splits and where they came from. */
export interface LoadedData {
  readonly source: Nb360Source;
  /** One line for reports: what was read (e.g. "real sample: 300 PhysioNet 2017 records"). */
  readonly description: string;
  /** The files read (absolute paths), empty for synthetic data. */
  readonly files: readonly string[];
  readonly train: DataSet;
  readonly validation: DataSet;
  readonly test: DataSet;
  /** Shapes when they depend on the data read (Darcy: 85×85 fields in the release, 16×16 in the sample). */
  readonly inputShape?: readonly number[];
  readonly outputShape?: readonly number[];
}

/** What a task's loader gets. */
export interface LoadContext {
  readonly dataDir: string;
  /** nasx's user cache folder (`deps.cacheDir`), where a release unpacked for streaming is kept; undefined: none. */
  readonly cacheDir?: string;
  readonly options: Nb360Options;
  /** The task's own seeded stream (splits, synthetic data). */
  readonly rng: IntSource;
}

/** Everything that defines one NAS-Bench-360 task. */
export interface Nb360TaskSpec {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly modality: Modality;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Classes (classification), labels (multi-label) or output channels (dense). */
  readonly numClasses: number;
  readonly loss: LossName;
  readonly metric: MetricDeclaration;
  /** The published numbers beside which `nasx bench360` reports ours. */
  readonly paper: PaperResults;
  /** Files of the full release (relative to the data directory) and of the real sample, if any. */
  readonly files: { readonly full: readonly string[]; readonly sample?: readonly string[] };
  /** Where to get the full release files (a URL and what to do with them). */
  readonly download: string;
  /** Reads the full release (files present). */
  loadFull?(ctx: LoadContext): LoadedData | Promise<LoadedData>;
  /** Reads the real sample (files present). */
  loadSample?(ctx: LoadContext): LoadedData;
  /** Data with the task's exact shapes and label structure, generated; for tests and demos only. */
  synthetic(ctx: LoadContext): LoadedData;
  /**
   * NAS-Bench-360's training augmentation of the task, where it has one: writes training sample `i`
   * (its stored, already preprocessed input `x.subarray(i·n, (i+1)·n)`) augmented into `out` at `at`.
   * Used for the train split in shuffled epochs when the `augment` option is on.
   */
  augment?(x: Float32Array, i: number, out: Float32Array, at: number, rng: Rng): void;
  /** The task's metric over a network's outputs and the split's targets (`predictions.targets`). */
  score(predictions: TaskPredictions, split: ScoredSplit): number;
  /** Our metric value in NAS-Bench-360's reported form (F1 → 1 − F1, AUROC → 1 − AUROC); default: unchanged. */
  readonly paperForm?: (value: number) => number;
}

/** A NAS-Bench-360 task instance: the contract plus its data's provenance and the paper's numbers. */
export interface Nb360Task extends Task {
  readonly numClasses: number;
  readonly splits: { readonly train: ImageSplit | ShardedSplit; readonly validation: ImageSplit | ShardedSplit; readonly test: ImageSplit | ShardedSplit };
  readonly data: LoadedData;
  readonly source: Nb360Source;
  readonly paper: PaperResults;
  /** The task's metric on the validation split (see `Task.score`). */
  score(predictions: TaskPredictions): number;
  /** Scores predictions on a named split (`score` scores the validation split). */
  scoreSplit(predictions: TaskPredictions, split: 'train' | 'validation' | 'test'): number;
  /** A value of the task's metric in NAS-Bench-360's reported form (lower is better): 1 − F1, 0-1 error, relative ℓ2, … */
  paperForm(value: number): number;
  /** The targets of a split as it delivers them (class ids or flattened values), for baselines. */
  targetsOf(split: 'train' | 'validation' | 'test'): Promise<Int32Array | Float32Array>;
}

/** Folders (under the data directory) searched for a task's files, in order. */
export function candidateDirs(dataDir: string, taskId: string): string[] {
  return [dataDir, path.join(dataDir, taskId), path.join(dataDir, 'nas-bench-360'), path.join(dataDir, 'nas-bench-360-samples')];
}

/** The first candidate folder that holds every one of `files`. */
function folderWith(dataDir: string, taskId: string, files: readonly string[] | undefined): string | undefined {
  if (!files || files.length === 0) return undefined;
  return candidateDirs(dataDir, taskId).find((d) => files.every((f) => fs.existsSync(path.join(d, f))));
}

/** The data of `spec` per the `source` option, or one error naming the missing file, the task and where to get it. */
async function readData(spec: Nb360TaskSpec, ctx: LoadContext): Promise<LoadedData> {
  const source = ctx.options.source;
  if (source === 'synthetic') return spec.synthetic(ctx);
  const fullDir = spec.loadFull ? folderWith(ctx.dataDir, spec.id, spec.files.full) : undefined;
  const sampleDir = spec.loadSample ? folderWith(ctx.dataDir, spec.id, spec.files.sample) : undefined;
  if ((source === 'full' || source === 'auto') && fullDir) return spec.loadFull!({ ...ctx, dataDir: fullDir });
  if ((source === 'sample' || source === 'auto') && sampleDir) return spec.loadSample!({ ...ctx, dataDir: sampleDir });
  const wanted = source === 'sample' ? (spec.files.sample ?? []) : source === 'full' ? spec.files.full : [...spec.files.full, ...(spec.files.sample ?? [])];
  const missing = (source === 'sample' ? (spec.files.sample ?? []) : spec.files.full).filter((f) => !fs.existsSync(path.join(ctx.dataDir, f)));
  if (source === 'sample' && !spec.files.sample) {
    throw new NasxError('config', `task "${spec.id}" has no real sample (NAS-Bench-360 ships none that can be redistributed)`, {
      pkg: PKG,
      contribution: spec.id,
      pointer: '/task/options/source',
      fix: `use source "full" with the release files (${spec.files.full.join(', ')}; ${spec.download}), or "synthetic" for a test run`,
    });
  }
  if (!spec.loadFull && source === 'full') {
    throw new NasxError('config', `task "${spec.id}" cannot read the full NAS-Bench-360 release yet`, {
      pkg: PKG,
      contribution: spec.id,
      pointer: '/task/options/source',
      fix: 'use source "sample" (the real sample) or "synthetic"',
    });
  }
  const which =
    source === 'auto'
      ? `neither the full release (${spec.files.full.join(', ')})${spec.files.sample ? ` nor the sample (${spec.files.sample.join(', ')})` : ''}`
      : missing.join(', ');
  throw new NasxError(
    'data',
    `task "${spec.id}": ${source === 'auto' ? `found ${which}` : `missing ${which}`} in the data directory ${ctx.dataDir} (or its ${spec.id}/, nas-bench-360/ or nas-bench-360-samples/ folder)`,
    {
      pkg: PKG,
      contribution: spec.id,
      fix: `download it: ${spec.download}; put ${wanted.join(', ')} in ${ctx.dataDir} (or set the task's dataDir option, --data-dir or NASX_DATA)`,
    },
  );
}

/**
 * At most `limit` samples of `set`: a seeded random subset kept in the set's order (files are often
 * sorted by class, so a prefix would drop whole classes).
 */
function limited(set: DataSet, limit: number | undefined, perSample: number, perTarget: number, rng: IntSource): DataSet {
  if (limit === undefined || limit >= set.size) return set;
  if (isStreamed(set) ? set.limitsApplied : set.writer) return set;
  if (isStreamed(set)) {
    // A random subset of a streamed file would read every shard for a few rows: its first `limit` rows.
    const { inputs, targets, writeInput } = set.contents;
    return {
      size: limit,
      shardRows: set.shardRows,
      contents: { inputs: rowRange(inputs, 0, limit), targets: rowRange(targets, 0, limit), ...(writeInput ? { writeInput } : {}) },
      ...(set.groups ? { groups: set.groups.subarray(0, limit) } : {}),
    };
  }
  const keep = shuffleInPlace(
    Int32Array.from({ length: set.size }, (_, i) => i),
    rng,
  )
    .subarray(0, limit)
    .sort();
  const x = new Float32Array(limit * perSample);
  const values = set.values ? new Float32Array(limit * perTarget) : undefined;
  keep.forEach((i, k) => {
    x.set(set.x.subarray(i * perSample, (i + 1) * perSample), k * perSample);
    values?.set(set.values!.subarray(i * perTarget, (i + 1) * perTarget), k * perTarget);
  });
  return {
    size: limit,
    x,
    ...(set.labels ? { labels: Int32Array.from(keep, (i) => set.labels![i]!) } : {}),
    ...(values ? { values } : {}),
    ...(set.groups ? { groups: Int32Array.from(keep, (i) => set.groups![i]!) } : {}),
  };
}

class Nb360TaskImpl implements Nb360Task {
  readonly id: string;
  readonly modality: Modality;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly numClasses: number;
  readonly loss: LossName;
  readonly metric: MetricDeclaration;
  readonly paper: PaperResults;
  readonly splits: { readonly train: ImageSplit | ShardedSplit; readonly validation: ImageSplit | ShardedSplit; readonly test: ImageSplit | ShardedSplit };
  readonly source: Nb360Source;
  private readonly sets: { readonly train: DataSet; readonly validation: DataSet; readonly test: DataSet };

  constructor(
    private readonly spec: Nb360TaskSpec,
    readonly data: LoadedData,
    options: Nb360Options,
    rng: IntSource,
  ) {
    this.id = spec.id;
    this.modality = spec.modality;
    this.inputShape = data.inputShape ?? spec.inputShape;
    this.outputShape = data.outputShape ?? spec.outputShape;
    this.numClasses = spec.numClasses;
    this.loss = spec.loss;
    this.metric =
      data.source === 'synthetic' ? { ...spec.metric, description: `${spec.metric.description ?? spec.metric.name} (SYNTHETIC data)` } : spec.metric;
    this.paper = spec.paper;
    this.source = data.source;
    const per = this.inputShape.reduce((a, b) => a * b, 1);
    const perTarget = spec.loss === 'cross-entropy' ? 1 : this.outputShape.reduce((a, b) => a * b, 1);
    this.sets = {
      train: limited(data.train, options.limit, per, perTarget, rng),
      validation: limited(data.validation, options.validationLimit, per, perTarget, rng),
      test: data.test,
    };
    const where = { pkg: PKG, contribution: spec.id };
    const valueTargets = spec.loss !== 'cross-entropy';
    const augment = options.augment && spec.augment ? spec.augment.bind(spec) : undefined;
    const split = (name: string, set: DataSet): ImageSplit | ShardedSplit => {
      if (isStreamed(set))
        return new ShardedSplit(name, set.contents, this.inputShape, set.shardRows, where, valueTargets ? this.outputShape : undefined, set.prefetch ?? true);
      const s = new ImageSplit(name, set.size, this.inputShape, async () => undefined, where, valueTargets ? this.outputShape : undefined);
      if (set.writer) {
        const w = set.writer;
        s.fill({
          indices: Int32Array.from({ length: set.size }, (_, i) => i),
          labels: set.labels ?? new Int32Array(0),
          write: (i, out, at, r) => w.write(i, out, at, r),
          writeTarget: (i, out, at) => w.writeTarget(i, out, at),
          ...(w.prepare ? { prepare: (indices: Int32Array) => w.prepare!(indices) } : {}),
        });
        return s;
      }
      s.fill({
        indices: Int32Array.from({ length: set.size }, (_, i) => i),
        labels: set.labels ?? new Int32Array(0),
        write:
          augment && name === 'train'
            ? (i, out, at, r) => (r ? augment(set.x, i, out, at, r) : out.set(set.x.subarray(i * per, (i + 1) * per), at))
            : (i, out, at) => out.set(set.x.subarray(i * per, (i + 1) * per), at),
        ...(valueTargets
          ? { writeTarget: (i: number, out: Float32Array, at: number) => out.set(set.values!.subarray(i * perTarget, (i + 1) * perTarget), at) }
          : {}),
      });
      return s;
    };
    this.splits = { train: split('train', this.sets.train), validation: split('validation', this.sets.validation), test: split('test', this.sets.test) };
  }

  score(predictions: TaskPredictions): number {
    return this.scoreSplit(predictions, 'validation');
  }

  paperForm(value: number): number {
    return this.spec.paperForm ? this.spec.paperForm(value) : value;
  }

  async targetsOf(split: 'train' | 'validation' | 'test'): Promise<Int32Array | Float32Array> {
    const set = this.sets[split];
    if (!isStreamed(set) && set.writer && this.loss !== 'cross-entropy') {
      const per = this.outputShape.reduce((a, b) => a * b, 1);
      const out = new Float32Array(set.size * per);
      const scratch = new Float32Array(this.inputShape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < set.size; i++) {
        await set.writer.prepare?.(Int32Array.of(i));
        set.writer.write(i, scratch, 0, undefined);
        set.writer.writeTarget(i, out, i * per);
      }
      return out;
    }
    if (!isStreamed(set)) return (this.loss === 'cross-entropy' ? set.labels : set.values)!;
    const rows: RowArray = await set.contents.targets.read(0, set.size);
    return this.loss === 'cross-entropy' ? Int32Array.from(rows) : Float32Array.from(rows);
  }

  scoreSplit(predictions: TaskPredictions, split: 'train' | 'validation' | 'test'): number {
    const set = this.sets[split];
    if (predictions.samples > set.size) {
      throw new NasxError('usage', `task "${this.id}": ${predictions.samples} predictions for the ${split} split of ${set.size} samples`, {
        pkg: PKG,
        contribution: this.id,
        fix: 'score the predictions of the split they were made on, in its fixed order',
      });
    }
    return this.spec.score(predictions, set);
  }
}

/** The task contribution of `spec`: options from the shared schema, data read at creation. */
export function defineNb360Task(spec: Nb360TaskSpec) {
  return defineTask<Nb360Options>({
    id: spec.id,
    title: spec.title,
    description: spec.description,
    optionsSchema: schema,
    async create(rawOptions, deps: TaskDeps): Promise<Nb360Task> {
      const options = withSchemaDefaults<Nb360Options>(schema, rawOptions);
      const dataDir = options.dataDir !== undefined ? path.resolve(deps.configDir ?? process.cwd(), options.dataDir) : deps.dataDir;
      if (options.source !== 'synthetic' && (dataDir === undefined || dataDir === '')) {
        throw new NasxError('config', `task "${spec.id}" reads its data from a data directory, and none is configured`, {
          pkg: PKG,
          contribution: spec.id,
          fix: `set --data-dir, the config's dataDir, NASX_DATA or the task's dataDir option to the folder with ${[...spec.files.full, ...(spec.files.sample ?? [])].join(', ')} (download: ${spec.download})`,
        });
      }
      const rng = seededIntSource(options.seed);
      const data = await readData(spec, {
        dataDir: path.resolve(dataDir ?? '.'),
        ...(deps.cacheDir !== undefined ? { cacheDir: deps.cacheDir } : {}),
        options,
        rng,
      });
      return new Nb360TaskImpl(spec, data, options, rng);
    },
  });
}
