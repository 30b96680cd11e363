import type { InjectionToken } from 'tsyringe';
import type { Shape } from './architecture';
import type { MetricDeclaration } from './metrics';
import type { Rng } from './rng';

/** What kind of data a task has; decides which builders and estimators apply. */
export type Modality = 'image' | 'sequence' | 'audio' | 'tabular' | 'graph' | 'dense-prediction' | 'point-cloud';

/** Loss functions a trainer knows. */
export type LossName = 'cross-entropy' | 'binary-cross-entropy' | 'mse' | 'l1' | 'relative-l2' | 'pixel-cross-entropy';

/** A numeric array with its shape (batch first). Kept framework-free: `libs/tensor` wraps it. */
export interface ArrayBatchPart {
  readonly data: Float32Array | Int32Array | Uint8Array;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32' | 'uint8';
}

/** One mini-batch: inputs and targets (class ids, regression targets or per-pixel labels). */
export interface Batch {
  readonly x: ArrayBatchPart;
  readonly y: ArrayBatchPart;
  /** For transductive graph tasks: which nodes of this batch count for the loss/metric. */
  readonly mask?: Uint8Array;
  /**
   * Each sample's index in its split (`0 … size − 1`), the same in every epoch whatever the order
   * or augmentation. Lets a trainer attach per-sample state to the data, e.g. the fixed random
   * labels of random-label supernet training (RLNAS). Absent when the task cannot number samples.
   */
  readonly indices?: Int32Array;
}

/** Options for iterating a split. */
export interface BatchOptions {
  readonly batchSize: number;
  /** Shuffle with this RNG (training); absent: fixed order. */
  readonly rng?: Rng;
  /** Stop after this many batches. */
  readonly limit?: number;
  /** Drop a last incomplete batch. */
  readonly dropLast?: boolean;
}

/** A split of a task's data, iterated in batches. */
export interface DataSplit {
  readonly size: number;
  batches(options: BatchOptions): AsyncIterable<Batch>;
}

/**
 * Node features of a {@link GraphData}: a dense `numNodes × numFeatures` matrix (row-major), a
 * sparse one in CSR form (bag-of-words citation features: Cora has 1.3 % non-zeros; `values`
 * absent means every stored entry is 1), or none (`identity`: each node is its own one-hot
 * feature, `numFeatures === numNodes`, the featureless variant of Kipf & Welling).
 */
export type GraphFeatures =
  | { readonly kind: 'dense'; readonly values: Float32Array }
  | { readonly kind: 'csr'; readonly indptr: Int32Array; readonly indices: Int32Array; readonly values?: Float32Array }
  | { readonly kind: 'identity' };

/**
 * A transductive graph (node classification, AGNN's Cora/Citeseer/Pubmed): one graph, splits are
 * node masks. Edges are undirected pairs listed once each in `edges` (2 × E, row-major: the first
 * E entries are one end of each edge, the next E the other), without self-loops.
 */
export interface GraphData {
  readonly numNodes: number;
  readonly numFeatures: number;
  readonly features: GraphFeatures;
  readonly edges: Int32Array;
  /** Class of each node, `-1` where the node has no label. */
  readonly labels: Int32Array;
  readonly numClasses: number;
  readonly masks: { readonly train: Uint8Array; readonly validation: Uint8Array; readonly test: Uint8Array };
}

/** A network's raw outputs on a split and the split's targets, for {@link Task.score}. */
export interface TaskPredictions {
  /** `[samples, outputSize]` row-major: logits or regression outputs, before any sigmoid/softmax. */
  readonly outputs: Float32Array;
  /** Outputs per sample (`prod(outputShape)`). */
  readonly outputSize: number;
  /** The split's targets, flattened: class ids `[samples]`, or values `[samples, outputSize]`. */
  readonly targets: Float32Array | Int32Array;
  readonly samples: number;
}

/**
 * A learning task: data, loss and the metric it is judged by. Image classification, sequences,
 * graphs and dense prediction (segmentation, PDE fields) share this one contract.
 */
export interface Task {
  readonly id: string;
  readonly modality: Modality;
  /** Per-sample input shape, e.g. `[3, 32, 32]`. */
  readonly inputShape: Shape;
  /** Per-sample output shape: `[classes]` for classification, `[classes, H, W]` for segmentation. */
  readonly outputShape: Shape;
  /** Number of classes for classification-type tasks. */
  readonly numClasses?: number;
  readonly loss: LossName;
  /** The metric the task is judged by (e.g. `val_acc`, `miou`, `rel_l2`). */
  readonly metric: MetricDeclaration;
  readonly splits: { readonly train: DataSplit; readonly validation: DataSplit; readonly test?: DataSplit };
  /** Graph tasks: the whole graph (splits then iterate masked views of it). */
  readonly graph?: GraphData;
  /**
   * Scores a network's outputs by the task's metric (`metric.name`) where it is not top-1 accuracy
   * from class ids: NAS-Bench-360's macro F1, mAP, AUROC, relative ℓ2, MAE₈, 0-1 error. Trainers
   * report it under `metric.name`. Absent: the task is judged by accuracy (`val_acc`).
   */
  score?(predictions: TaskPredictions): number;
  /** Load data lazily; the kernel awaits it before the run starts. */
  load?(): Promise<void>;
}

/** Injection token of the run's {@link Task}. */
export const Task: InjectionToken<Task> = Symbol.for('nasx.Task');
