/**
 * Budgets of `nasx bench360`: how much searching and training each (task, seed) gets. `paper` is
 * NAS-Bench-360's protocol in size (the fixed WRN-16-4, the full NB201 skeleton, long retraining);
 * `small` and `medium` are CPU-sized and say so in every table they produce.
 */
export interface Bench360Budget {
  readonly name: string;
  /** One line for the table: what was cut relative to the paper. */
  readonly description: string;
  /** Seeds when `--seeds` is not given. */
  readonly seeds: number;
  /** Search: evaluations of the configured searcher and estimator. */
  readonly evaluations: number;
  /** Training steps and batch size of each search evaluation of the default pipeline (a given config keeps its own). */
  readonly search: { readonly steps: number; readonly batchSize: number };
  /** Data: at most this many training / validation samples per task (undefined: all). */
  readonly trainLimit?: number;
  readonly validationLimit?: number;
  /** Retraining of the searched architecture and of the WRN baseline. */
  readonly retrain: { readonly steps: number; readonly batchSize: number; readonly lr: number; readonly weightDecay: number };
  /** NB201 skeleton for retraining the searched cell (`macro`). */
  readonly nb201Macro: { readonly channels: number; readonly cellsPerStage: number };
  /** The Wide ResNet baseline. */
  readonly wrn: { readonly depth: number; readonly widen: number };
}

export const BENCH360_BUDGETS: { readonly [name: string]: Bench360Budget } = {
  smoke: {
    name: 'smoke',
    description:
      'a quick check that a set-up works end to end: 2 search evaluations of 5 steps, ≤ 200 training samples, 20 retraining steps, WRN-10-1 — its numbers mean nothing',
    seeds: 1,
    evaluations: 2,
    search: { steps: 5, batchSize: 16 },
    trainLimit: 200,
    validationLimit: 100,
    retrain: { steps: 20, batchSize: 32, lr: 0.05, weightDecay: 5e-4 },
    nb201Macro: { channels: 4, cellsPerStage: 1 },
    wrn: { depth: 10, widen: 1 },
  },
  small: {
    name: 'small',
    description:
      'CPU-sized: 10 search evaluations, ≤ 3,000 training samples, 300 retraining steps, NB201 C=8 N=1, WRN-10-2 (paper: WRN-16-4, full data, ~200 epochs)',
    seeds: 2,
    evaluations: 10,
    search: { steps: 40, batchSize: 64 },
    trainLimit: 3000,
    validationLimit: 800,
    retrain: { steps: 300, batchSize: 64, lr: 0.05, weightDecay: 5e-4 },
    nb201Macro: { channels: 8, cellsPerStage: 1 },
    wrn: { depth: 10, widen: 2 },
  },
  medium: {
    name: 'medium',
    description:
      'CPU-sized: 30 search evaluations, ≤ 20,000 training samples, 2,000 retraining steps, NB201 C=16 N=2, WRN-16-2 (paper: WRN-16-4, full data, ~200 epochs)',
    seeds: 3,
    evaluations: 30,
    search: { steps: 40, batchSize: 64 },
    trainLimit: 20000,
    validationLimit: 4000,
    retrain: { steps: 2000, batchSize: 64, lr: 0.05, weightDecay: 5e-4 },
    nb201Macro: { channels: 16, cellsPerStage: 2 },
    wrn: { depth: 16, widen: 2 },
  },
  paper: {
    name: 'paper',
    description: "NAS-Bench-360's sizes: 100 search evaluations, all data, 20,000 retraining steps, NB201 C=16 N=5, WRN-16-4 (GPU-scale: days on a CPU)",
    seeds: 3,
    evaluations: 100,
    search: { steps: 40, batchSize: 64 },
    retrain: { steps: 20000, batchSize: 128, lr: 0.1, weightDecay: 5e-4 },
    nb201Macro: { channels: 16, cellsPerStage: 5 },
    wrn: { depth: 16, widen: 4 },
  },
};

/**
 * The pipeline `nasx bench360` runs when no config is given: random search over NB201 cells, each
 * estimated by 40 steps of training of a reduced skeleton on the task (its loss, its metric; the
 * budget's `search` sets the steps and batch size). The task is replaced per benchmark task.
 */
export const BENCH360_DEFAULT_PIPELINE = {
  name: 'bench360',
  space: 'nb201',
  task: 'ecg',
  estimator: { use: 'train', options: { steps: 40, batchSize: 64, lr: 0.05, macro: { channels: 8, cellsPerStage: 1 } } },
  searcher: 'random',
  budget: { evaluations: 6 },
} as const;

/** The NAS-Bench-360 tasks, in the paper's order (those a data set or sample exists for come first in the default list). */
export const BENCH360_DEFAULT_TASKS = ['ecg', 'satellite', 'darcy'] as const;

/** The default pipeline with the budget's search training. */
export function defaultPipeline(budget: Bench360Budget): typeof BENCH360_DEFAULT_PIPELINE {
  const e = BENCH360_DEFAULT_PIPELINE.estimator;
  return {
    ...BENCH360_DEFAULT_PIPELINE,
    estimator: { ...e, options: { ...e.options, steps: budget.search.steps, batchSize: budget.search.batchSize } },
  } as never;
}
