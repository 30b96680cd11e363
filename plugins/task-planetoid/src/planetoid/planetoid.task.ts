import * as path from 'node:path';
import {
  defineTask,
  NasxError,
  withSchemaDefaults,
  type Batch,
  type BatchOptions,
  type DataSplit,
  type GraphData,
  type GraphFeatures,
  type MetricDeclaration,
  type Task,
  type TaskDeps,
} from '@nasx/contracts';
import { PLANETOID_DOWNLOAD, PLANETOID_GRAPHS, readPlanetoid, type PlanetoidGraph, type PlanetoidName } from './planetoid-files';
import { planetoidSchema as schema, type PlanetoidOptions } from './planetoid.schema';

export type { PlanetoidOptions } from './planetoid.schema';

const PKG = '@nasx/task-planetoid';

/** A graph task: the contract plus what was read. */
export interface PlanetoidTask extends Task {
  readonly graph: GraphData;
  readonly numClasses: number;
  /** True when the nodes have no features (one-hot node ids). */
  readonly featureless: boolean;
  readonly files: readonly string[];
}

/**
 * A split of a transductive graph: the nodes of one mask, each a sample whose input is its feature
 * row (`x`, float32 `[n, numFeatures]`; one-hot ids for the feature-free variant), its label (`y`)
 * and its node id (`indices`). A graph trainer runs the whole graph and reads these nodes; a
 * trainer that knows no graphs still gets well-formed samples.
 */
class NodeSplit implements DataSplit {
  readonly size: number;
  constructor(
    private readonly nodes: Int32Array,
    private readonly graph: GraphData,
  ) {
    this.size = nodes.length;
  }

  private row(node: number, out: Float32Array, at: number): void {
    const f = this.graph.features;
    const width = this.graph.numFeatures;
    if (f.kind === 'identity') out[at + node] = 1;
    else if (f.kind === 'dense') out.set(f.values.subarray(node * width, (node + 1) * width), at);
    else for (let k = f.indptr[node]!; k < f.indptr[node + 1]!; k++) out[at + f.indices[k]!] = f.values ? f.values[k]! : 1;
  }

  batches(options: BatchOptions): AsyncIterable<Batch> {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new NasxError('usage', `batch size must be a positive integer, got ${batchSize}`, { pkg: PKG, fix: 'pass a batchSize of 1 or more' });
    }
    const order = Int32Array.from(this.nodes);
    if (options.rng) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = options.rng.int(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    const width = this.graph.numFeatures;
    const labels = this.graph.labels;
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        let count = 0;
        for (let at = 0; at < order.length; at += batchSize) {
          if (options.limit !== undefined && count >= options.limit) return;
          const ids = order.subarray(at, Math.min(order.length, at + batchSize));
          if (options.dropLast && ids.length < batchSize) return;
          count++;
          const x = new Float32Array(ids.length * width);
          ids.forEach((node, k) => self.row(node, x, k * width));
          yield {
            x: { data: x, shape: [ids.length, width], dtype: 'float32' },
            y: { data: Int32Array.from(ids, (i) => labels[i]!), shape: [ids.length], dtype: 'int32' },
            indices: Int32Array.from(ids),
          };
        }
      },
    };
  }
}

function nodesOf(mask: Uint8Array): Int32Array {
  const out: number[] = [];
  mask.forEach((m, i) => m && out.push(i));
  return Int32Array.from(out);
}

type CsrFeatures = Extract<GraphFeatures, { kind: 'csr' }>;

/** Kipf & Welling's preprocess_features: each row divided by its sum (rows summing to 0 stay 0). */
export function rowNormalized(f: CsrFeatures): CsrFeatures {
  const values = f.values ? Float32Array.from(f.values) : new Float32Array(f.indices.length).fill(1);
  for (let r = 0; r + 1 < f.indptr.length; r++) {
    let s = 0;
    for (let k = f.indptr[r]!; k < f.indptr[r + 1]!; k++) s += values[k]!;
    if (s !== 0) for (let k = f.indptr[r]!; k < f.indptr[r + 1]!; k++) values[k]! /= s;
  }
  return { kind: 'csr', indptr: f.indptr, indices: f.indices, values };
}

function createTask(name: PlanetoidName, g: PlanetoidGraph, options: PlanetoidOptions): PlanetoidTask {
  const featureless = options.features === 'none' || g.features.kind === 'identity';
  const graph: GraphData = featureless
    ? { ...g, features: { kind: 'identity' }, numFeatures: g.numNodes }
    : options.normalizeFeatures
      ? { ...g, features: rowNormalized(g.features as CsrFeatures) }
      : g;
  const metric: MetricDeclaration = { name: 'val_acc', direction: 'maximize', unit: '%', description: 'node classification accuracy on the validation nodes' };
  return {
    id: name,
    modality: 'graph',
    inputShape: [graph.numFeatures],
    outputShape: [graph.numClasses],
    numClasses: graph.numClasses,
    loss: 'cross-entropy',
    metric,
    graph,
    featureless,
    files: g.files,
    splits: {
      train: new NodeSplit(nodesOf(graph.masks.train), graph),
      validation: new NodeSplit(nodesOf(graph.masks.validation), graph),
      test: new NodeSplit(nodesOf(graph.masks.test), graph),
    },
  };
}

function definePlanetoidTask(name: PlanetoidName, title: string, description: string) {
  return defineTask<PlanetoidOptions>({
    id: name,
    title,
    description,
    optionsSchema: schema,
    async create(rawOptions, deps: TaskDeps): Promise<PlanetoidTask> {
      const options = withSchemaDefaults<PlanetoidOptions>(schema, rawOptions);
      const dataDir = options.dataDir !== undefined ? path.resolve(deps.configDir ?? process.cwd(), options.dataDir) : deps.dataDir;
      if (dataDir === undefined || dataDir === '') {
        throw new NasxError('config', `task "${name}" reads the ${PLANETOID_GRAPHS[name].title} graph from a data directory, and none is configured`, {
          pkg: PKG,
          contribution: name,
          fix: `set --data-dir, the config's dataDir, NASX_DATA or the task's dataDir option to the folder with ind.${name}.x … ind.${name}.test.index (download: ${PLANETOID_DOWNLOAD})`,
        });
      }
      const g = await readPlanetoid(path.resolve(dataDir), name);
      return createTask(name, g, options);
    },
  });
}

export const coraTask = definePlanetoidTask(
  'cora',
  'Cora (Planetoid)',
  "Cora citation graph (2,708 papers, 1,433 binary word features, 7 classes), Planetoid's public split 140/500/1,000; transductive node classification judged by validation accuracy.",
);
export const citeseerTask = definePlanetoidTask(
  'citeseer',
  'Citeseer (Planetoid)',
  "Citeseer citation graph (3,327 papers, 3,703 binary word features, 6 classes), Planetoid's public split 120/500/1,000; transductive node classification judged by validation accuracy.",
);
export const pubmedTask = definePlanetoidTask(
  'pubmed',
  'Pubmed (Planetoid)',
  "Pubmed diabetes citation graph (19,717 papers, 500 TF-IDF features, 3 classes), Planetoid's public split 60/500/1,000; without the feature files, a feature-free variant (one-hot node ids).",
);
