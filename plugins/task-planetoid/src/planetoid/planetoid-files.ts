/**
 * Readers of the Planetoid citation graphs (Yang, Cohen & Salakhutdinov, ICML 2016) in two layouts:
 *
 * - **Planetoid's release**: `ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index}` (Python pickles
 *   of SciPy CSR matrices, NumPy arrays and a `defaultdict` adjacency list, plus a text file), as
 *   kimiyoung/planetoid publishes them and PyTorch Geometric downloads them to `<Name>/raw/`. They
 *   are assembled exactly as Kipf & Welling's `load_data` does (gcn/utils.py): features and labels
 *   are `allx`+`tx` (`ally`+`ty`) with the test rows moved to their node ids; Citeseer's test ids
 *   without a node in `tx` get an all-zero feature row and no label; the public split is train =
 *   the first |y| nodes, validation = the next 500, test = the sorted `test.index`.
 * - **nasx's one-file layout** `<name>.json.gz`: the same graph already assembled (features as
 *   binary CSR, labels with −1 for none, undirected edges, the split) — Pubmed's may have no
 *   features (`pubmed_graph_labels.json.gz`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError, type GraphData, type GraphFeatures } from '@nasx/contracts';
import { isSparseCsr, loadPickle, type NdArray, type SparseCsr } from '@nasx/data';

const PKG = '@nasx/task-planetoid';

/** The three graphs, with their published sizes (checked after reading). */
export const PLANETOID_GRAPHS = {
  cora: { title: 'Cora', nodes: 2708, features: 1433, classes: 7, train: 140 },
  citeseer: { title: 'CiteSeer', nodes: 3327, features: 3703, classes: 6, train: 120 },
  pubmed: { title: 'PubMed', nodes: 19717, features: 500, classes: 3, train: 60 },
} as const;
export type PlanetoidName = keyof typeof PLANETOID_GRAPHS;

/** Planetoid's eight files of a graph. */
export const PLANETOID_RAW = ['x', 'y', 'tx', 'ty', 'allx', 'ally', 'graph', 'test.index'] as const;

export const PLANETOID_DOWNLOAD = 'https://github.com/kimiyoung/planetoid/tree/master/data';

/** A graph as read, and where from. */
export interface PlanetoidGraph extends GraphData {
  readonly files: readonly string[];
  readonly layout: 'planetoid' | 'json';
}

function dataError(task: string, file: string, problem: string, fix: string): NasxError {
  return new NasxError('data', `task "${task}": ${file} ${problem}`, { pkg: PKG, contribution: task, file, fix });
}

/** Folders searched for a graph's files, in order. */
export function planetoidDirs(dataDir: string, name: PlanetoidName): string[] {
  const title = PLANETOID_GRAPHS[name].title;
  return [
    dataDir,
    path.join(dataDir, name),
    path.join(dataDir, 'planetoid'),
    path.join(dataDir, title, 'raw'),
    path.join(dataDir, 'planetoid', title, 'raw'),
    path.join(dataDir, name, 'raw'),
  ];
}

/** One-file names of a graph. */
function jsonNames(name: PlanetoidName): string[] {
  return name === 'pubmed' ? ['pubmed.json.gz', 'pubmed_graph_labels.json.gz'] : [`${name}.json.gz`];
}

/** Finds and reads `name` under `dataDir` (raw files first); a clear error naming what is missing. */
export async function readPlanetoid(dataDir: string, name: PlanetoidName): Promise<PlanetoidGraph> {
  for (const dir of planetoidDirs(dataDir, name)) {
    if (PLANETOID_RAW.every((f) => fs.existsSync(path.join(dir, `ind.${name}.${f}`)))) return readPlanetoidRaw(dir, name);
  }
  for (const dir of planetoidDirs(dataDir, name)) {
    for (const file of jsonNames(name)) if (fs.existsSync(path.join(dir, file))) return readPlanetoidJson(path.join(dir, file), name);
  }
  const partial = planetoidDirs(dataDir, name).find((d) => PLANETOID_RAW.some((f) => fs.existsSync(path.join(d, `ind.${name}.${f}`))));
  if (partial) {
    const missing = PLANETOID_RAW.filter((f) => !fs.existsSync(path.join(partial, `ind.${name}.${f}`))).map((f) => `ind.${name}.${f}`);
    throw dataError(
      name,
      partial,
      `has some of Planetoid's files for ${name} but not ${missing.join(', ')}`,
      `download the missing files: ${PLANETOID_DOWNLOAD}`,
    );
  }
  throw new NasxError(
    'data',
    `task "${name}": no ${name} graph in the data directory ${dataDir} (looked for ind.${name}.x … ind.${name}.test.index, or ${jsonNames(name).join(' / ')}, there and in its ${name}/, planetoid/ and ${PLANETOID_GRAPHS[name].title}/raw/ folders)`,
    {
      pkg: PKG,
      contribution: name,
      file: dataDir,
      fix: `download the eight ind.${name}.* files (${PLANETOID_DOWNLOAD}) into ${dataDir}, or set the task's dataDir option, --data-dir or NASX_DATA to the folder that has them`,
    },
  );
}

interface Rows {
  readonly cols: number;
  readonly rows: { idx: number[]; val: number[] }[];
}

function ndNumbers(a: NdArray): number[] {
  return Array.from(a.data as ArrayLike<number>, Number);
}

function csrRows(m: SparseCsr): Rows {
  const indptr = ndNumbers(m.indptr);
  const indices = ndNumbers(m.indices);
  const data = ndNumbers(m.data);
  const rows = Array.from({ length: m.shape[0] }, (_, r) => ({ idx: indices.slice(indptr[r]!, indptr[r + 1]!), val: data.slice(indptr[r]!, indptr[r + 1]!) }));
  return { cols: m.shape[1], rows };
}

/** Dense one-hot label rows → class ids (−1 for an all-zero row). */
function labelRows(a: NdArray): { classes: number; labels: number[] } {
  const [n, c] = a.shape as [number, number];
  const v = a.data as ArrayLike<number>;
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    let arg = -1;
    let best = 0;
    for (let k = 0; k < c; k++) {
      if (Number(v[i * c + k]) <= best) continue;
      best = Number(v[i * c + k]);
      arg = k;
    }
    labels.push(arg);
  }
  return { classes: c, labels };
}

/** Planetoid's release files, assembled as Kipf & Welling's `load_data`. */
export async function readPlanetoidRaw(dir: string, name: PlanetoidName): Promise<PlanetoidGraph> {
  const file = (f: string) => path.join(dir, `ind.${name}.${f}`);
  const objects: { [k: string]: unknown } = {};
  for (const f of ['x', 'y', 'tx', 'ty', 'allx', 'ally', 'graph']) objects[f] = await loadPickle(file(f));
  const sparse = (f: string): SparseCsr => {
    if (!isSparseCsr(objects[f])) throw dataError(name, file(f), 'is not a pickled SciPy CSR matrix', `download it again: ${PLANETOID_DOWNLOAD}`);
    return objects[f];
  };
  const dense = (f: string): NdArray => {
    const v = objects[f] as NdArray | undefined;
    if (!v || !Array.isArray(v.shape) || v.shape.length !== 2)
      throw dataError(name, file(f), 'is not a pickled 2-D NumPy array of one-hot labels', `download it again: ${PLANETOID_DOWNLOAD}`);
    return v;
  };
  const testIndex = fs
    .readFileSync(file('test.index'), 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s, i) => {
      if (!/^\d+$/.test(s)) throw dataError(name, file('test.index'), `line ${i + 1} ("${s}") is not a node id`, `download it again: ${PLANETOID_DOWNLOAD}`);
      return Number(s);
    });
  const y = dense('y');
  const allx = csrRows(sparse('allx'));
  let tx = csrRows(sparse('tx'));
  const ally = labelRows(dense('ally'));
  let ty = labelRows(dense('ty'));
  if (tx.rows.length !== testIndex.length || ty.labels.length !== testIndex.length) {
    throw dataError(
      name,
      file('tx'),
      `has ${tx.rows.length} rows and ind.${name}.ty ${ty.labels.length}, but test.index lists ${testIndex.length} nodes`,
      `download the files again: ${PLANETOID_DOWNLOAD}`,
    );
  }
  const sorted = [...testIndex].sort((a, b) => a - b);
  const lo = sorted[0]!;
  const hi = sorted[sorted.length - 1]!;
  if (name === 'citeseer' || hi - lo + 1 !== testIndex.length) {
    // Isolated test-range ids without a row in tx: zero features, no label (Kipf & Welling's fix).
    const full = hi - lo + 1;
    const rows = Array.from({ length: full }, () => ({ idx: [] as number[], val: [] as number[] }));
    const labels = new Array<number>(full).fill(-1);
    sorted.forEach((id, k) => {
      rows[id - lo] = tx.rows[k]!;
      labels[id - lo] = ty.labels[k]!;
    });
    tx = { cols: tx.cols, rows };
    ty = { classes: ty.classes, labels };
  }
  const featureRows = [...allx.rows, ...tx.rows];
  const labelList = [...ally.labels, ...ty.labels];
  const n = featureRows.length;
  // features[test_idx_reorder, :] = features[test_idx_range, :]
  const oldRows = [...featureRows];
  const oldLabels = [...labelList];
  testIndex.forEach((id, k) => {
    if (id >= n || sorted[k]! >= n)
      throw dataError(name, file('test.index'), `lists node ${id}, beyond the ${n} nodes of allx and tx`, `download the files again: ${PLANETOID_DOWNLOAD}`);
    featureRows[id] = oldRows[sorted[k]!]!;
    labelList[id] = oldLabels[sorted[k]!]!;
  });
  const indptr = new Int32Array(n + 1);
  featureRows.forEach((r, i) => (indptr[i + 1] = indptr[i]! + r.idx.length));
  const indices = new Int32Array(indptr[n]!);
  const values = new Float32Array(indptr[n]!);
  featureRows.forEach((r, i) => {
    indices.set(r.idx, indptr[i]!);
    values.set(r.val, indptr[i]!);
  });
  const binary = values.every((v) => v === 1);
  const features: GraphFeatures = { kind: 'csr', indptr, indices, ...(binary ? {} : { values }) };

  const graph = objects['graph'];
  const adjacency = graph instanceof Map ? [...graph.entries()] : graph && typeof graph === 'object' ? Object.entries(graph as object) : undefined;
  if (!adjacency) throw dataError(name, file('graph'), 'is not a pickled dict of adjacency lists', `download it again: ${PLANETOID_DOWNLOAD}`);
  const seen = new Set<number>();
  const us: number[] = [];
  const vs: number[] = [];
  for (const [k, list] of adjacency) {
    const u = Number(k);
    for (const w of (list as unknown[]) ?? []) {
      const v = Number(w);
      if (u === v || u >= n || v >= n) continue;
      const a = Math.min(u, v);
      const b = Math.max(u, v);
      const key = a * n + b;
      if (seen.has(key)) continue;
      seen.add(key);
      us.push(a);
      vs.push(b);
    }
  }
  const trainCount = y.shape[0]!;
  const mask = (ids: Iterable<number>) => {
    const m = new Uint8Array(n);
    for (const i of ids) m[i] = 1;
    return m;
  };
  return finish(name, {
    numNodes: n,
    numFeatures: allx.cols,
    features,
    edges: Int32Array.from([...us, ...vs]),
    labels: Int32Array.from(labelList),
    numClasses: ally.classes,
    masks: {
      train: mask(Array.from({ length: trainCount }, (_, i) => i)),
      validation: mask(Array.from({ length: 500 }, (_, i) => trainCount + i)),
      test: mask(sorted),
    },
    files: PLANETOID_RAW.map((f) => file(f)),
    layout: 'planetoid',
  });
}

interface JsonGraph {
  num_nodes: number;
  num_features: number;
  num_classes: number;
  features: { format: string; indptr: number[]; indices: number[] } | null;
  labels: number[];
  edges: [number, number][];
  split: { train: number[]; val: number[]; test: number[] };
}

/** nasx's one-file layout (see the file header). */
export function readPlanetoidJson(file: string, name: PlanetoidName): PlanetoidGraph {
  let g: JsonGraph;
  try {
    g = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as JsonGraph;
  } catch (e) {
    throw dataError(
      name,
      file,
      `is not a gzipped JSON graph (${(e as Error).message})`,
      `replace it with an intact copy, or use Planetoid's ind.${name}.* files (${PLANETOID_DOWNLOAD})`,
    );
  }
  const need = ['num_nodes', 'num_features', 'num_classes', 'labels', 'edges', 'split'] as const;
  const lacking = need.filter((k) => g[k] === undefined);
  if (lacking.length)
    throw dataError(
      name,
      file,
      `lacks ${lacking.join(', ')}`,
      `replace it with an intact copy, or use Planetoid's ind.${name}.* files (${PLANETOID_DOWNLOAD})`,
    );
  const n = g.num_nodes;
  const e = g.edges.length;
  const edges = new Int32Array(2 * e);
  g.edges.forEach(([u, v], i) => {
    edges[i] = u;
    edges[e + i] = v;
  });
  const mask = (ids: number[]) => {
    const m = new Uint8Array(n);
    for (const i of ids) m[i] = 1;
    return m;
  };
  const features: GraphFeatures = g.features
    ? { kind: 'csr', indptr: Int32Array.from(g.features.indptr), indices: Int32Array.from(g.features.indices) }
    : { kind: 'identity' };
  return finish(name, {
    numNodes: n,
    numFeatures: g.features ? g.num_features : n,
    features,
    edges,
    labels: Int32Array.from(g.labels),
    numClasses: g.num_classes,
    masks: { train: mask(g.split.train), validation: mask(g.split.val), test: mask(g.split.test) },
    files: [file],
    layout: 'json',
  });
}

/** Checks what was read (every edge and label in range, the split labelled and disjoint). */
function finish(name: PlanetoidName, g: PlanetoidGraph): PlanetoidGraph {
  const where = g.files[0]!;
  const fix = `download the files again: ${PLANETOID_DOWNLOAD}`;
  for (let i = 0; i < g.edges.length; i++)
    if (g.edges[i]! < 0 || g.edges[i]! >= g.numNodes) throw dataError(name, where, `has an edge to node ${g.edges[i]}, outside 0 … ${g.numNodes - 1}`, fix);
  for (let i = 0; i < g.labels.length; i++)
    if (g.labels[i]! >= g.numClasses) throw dataError(name, where, `labels node ${i} with class ${g.labels[i]} of ${g.numClasses}`, fix);
  if (g.labels.length !== g.numNodes) throw dataError(name, where, `has ${g.labels.length} labels for ${g.numNodes} nodes`, fix);
  const { train, validation, test } = g.masks;
  for (let i = 0; i < g.numNodes; i++) {
    if (train[i]! + validation[i]! + test[i]! > 1) throw dataError(name, where, `puts node ${i} in two splits`, fix);
    if ((train[i] || validation[i] || test[i]) && g.labels[i]! < 0) throw dataError(name, where, `puts node ${i}, which has no label, in a split`, fix);
  }
  return g;
}
