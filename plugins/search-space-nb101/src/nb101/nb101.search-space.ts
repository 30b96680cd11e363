import * as path from 'node:path';
import { defineSearchSpace, NasxError, withSchemaDefaults } from '@nasx/contracts';
import type { ArchGraph, Architecture, Logger, OptionsInput, Rng, SearchSpace, SearchSpaceDeps } from '@nasx/contracts';
import { encodeAdjacency, encodePaths, NB101_ADJACENCY_LENGTH, NB101_PATH_LENGTH, paddedPosition } from './nb101.encoding';
import {
  cellOfGenotype,
  cellOfSpec,
  edgeBit,
  formatNb101,
  genotypeOf,
  NB101_EDGE_SPOTS,
  NB101_MAX_EDGES,
  NB101_MAX_VERTICES,
  NB101_OP_SPOTS,
  NB101_OPS,
  NB101_PACKAGE,
  NB101_SPACE_ID,
  NB101_UNIQUE_SIZE,
  nb101Error,
  parseNb101Text,
  popcount,
  pruneBits,
  sizeProblem,
  type Nb101Cell,
  type Nb101Genotype,
} from './nb101.genotype';
import { nb101Graph } from './nb101.graph';
import { nb101Hash } from './nb101.hash';
import { loadNb101Index, nb101CacheDir, type Nb101Index } from './nb101.index';
import { HASH_PATTERN, readKeysFile, type KeyAt } from './nb101.keys';
import { nb101Schema, type Nb101Options } from './nb101.schema';

export type { Nb101Options } from './nb101.schema';

/** Attempts of `mutate` before it gives up on a random child and falls back (see {@link Nb101SearchSpace.mutate}). */
const MUTATION_ATTEMPTS = 1000;
/** Attempts of `sample` (NB101's random spec is valid about a third of the time). */
const SAMPLE_ATTEMPTS = 100_000;

/** Where the restriction came from, for messages. */
interface Restriction {
  /** Index positions of the allowed cells, ascending (hash order). */
  readonly positions: Int32Array;
  /** 1 at the index position of each allowed cell. */
  readonly allowed: Uint8Array;
  /** `option keys` or `keysFrom <file> (column <c>)`. */
  readonly source: string;
}

/** Architectures this module made: their cell, so hot paths skip re-validating genotypes. */
const CELLS = new WeakMap<Architecture, Nb101Cell>();

function deepFreeze(g: Nb101Genotype): Nb101Genotype {
  for (const row of g.matrix) Object.freeze(row);
  Object.freeze(g.matrix);
  Object.freeze(g.ops);
  return Object.freeze(g);
}

/**
 * An NB101 architecture object (`{ space: 'nb101', genotype: { matrix, ops }, key }`), frozen,
 * keyed by the official module hash (computed when `key` is not given).
 */
export function nb101Architecture(cell: Nb101Cell, key: string = nb101Hash(cell)): Architecture {
  const arch: Architecture = Object.freeze({ space: NB101_SPACE_ID, genotype: deepFreeze(genotypeOf(cell)), key });
  CELLS.set(arch, cell);
  return arch;
}

/**
 * The NAS-Bench-101 cell space (Ying et al., ICML 2019): every DAG of at most 7 vertices and 9
 * edges from an input to an output vertex, interior vertices conv3x3-bn-relu, conv1x1-bn-relu or
 * maxpool3x3; 423,624 cells up to isomorphism. Architectures are stored pruned and keyed by NB101's
 * module hash, so keys match NB101 tables and isomorphic cells share a key.
 */
export class Nb101SearchSpace implements SearchSpace {
  readonly id = NB101_SPACE_ID;
  readonly size: number;
  readonly uniqueSize: number;
  readonly encodingLength: number;

  private readonly encoding: 'adjacency' | 'path';
  private readonly uniform: boolean;
  private readonly edgeProb: number;
  private readonly opProb: number;
  private indexState: Nb101Index | undefined;
  private readonly restriction: Restriction | undefined;
  private readonly cacheDir: string | false;
  private readonly logger: Logger | undefined;

  /** `given` options as the kernel validates them; missing ones take the schema's defaults. */
  constructor(
    given: OptionsInput<Nb101Options> = {},
    context: { readonly index?: Nb101Index; readonly restriction?: Restriction; readonly cacheDir?: string | false; readonly logger?: Logger } = {},
  ) {
    const options = withSchemaDefaults<Nb101Options>(nb101Schema, given);
    this.encoding = options.encoding;
    if (this.encoding !== 'adjacency' && this.encoding !== 'path') {
      throw configError(`option encoding is ${JSON.stringify(this.encoding)}`, '/options/encoding', 'use "adjacency" or "path"');
    }
    const rate = options.mutationRate;
    if (typeof rate !== 'number' || !(rate > 0 && rate <= 5)) {
      throw configError(
        `option mutationRate is ${JSON.stringify(rate)}`,
        '/options/mutationRate',
        "use a number in (0, 5]; NB101's default is 1 (on average 3 of the 21 edge bits flipped and 1 of the 5 ops changed)",
      );
    }
    const sampling = options.sampling;
    if (sampling !== 'random-spec' && sampling !== 'uniform') {
      throw configError(`option sampling is ${JSON.stringify(sampling)}`, '/options/sampling', 'use "random-spec" (NB101\'s random_spec) or "uniform"');
    }
    this.uniform = sampling === 'uniform';
    if (this.uniform && !context.index)
      throw configError('option sampling "uniform" needs the index', '/options/sampling', 'create the space with createNb101SearchSpace, which loads it');
    this.edgeProb = rate / NB101_MAX_VERTICES;
    this.opProb = rate / NB101_OP_SPOTS;
    this.encodingLength = this.encoding === 'path' ? NB101_PATH_LENGTH : NB101_ADJACENCY_LENGTH;
    this.indexState = context.index;
    this.restriction = context.restriction;
    this.cacheDir = context.cacheDir ?? nb101CacheDir() ?? false;
    this.logger = context.logger;
    this.size = this.restriction ? this.restriction.positions.length : NB101_UNIQUE_SIZE;
    this.uniqueSize = this.size;
  }

  /** The hash index, when loaded (option `loadIndex`, `keys`/`keysFrom`, or after `enumerate`). */
  get index(): Nb101Index | undefined {
    return this.indexState;
  }

  /** Loads the index (from memory, the disk cache, or by building it once); see `loadNb101Index`. */
  loadIndex(): Nb101Index {
    this.indexState ??= loadNb101Index({ cacheDir: this.cacheDir, logger: this.logger }).index;
    return this.indexState;
  }

  /** True when the space is restricted by `keys` / `keysFrom`. */
  get restricted(): boolean {
    return this.restriction !== undefined;
  }

  /**
   * NB101's `random_spec` (colab example): a uniform 0/1 upper-triangular 7×7 matrix and uniform
   * interior ops, redrawn until the pruned cell is valid. Cells are far from equally likely: many
   * specs prune to the same small cell (about 10 % of draws are the input → output cell, 0.3 %
   * have 7 vertices). With option `sampling: uniform`: uniform over the 423,624 cells. In a
   * restricted space: uniform over the allowed cells.
   */
  sample(rng: Rng): Architecture {
    const r = this.restriction;
    if (r || this.uniform) {
      const index = this.indexState!;
      const pos = r ? r.positions[rng.int(r.positions.length)]! : rng.int(index.size);
      return nb101Architecture(index.cellAt(pos), index.hashAt(pos));
    }
    const labels = new Array<number>(NB101_OP_SPOTS);
    for (let attempt = 0; attempt < SAMPLE_ATTEMPTS; attempt++) {
      const bits = rng.int(1 << NB101_EDGE_SPOTS);
      for (let t = 0; t < NB101_OP_SPOTS; t++) labels[t] = rng.int(3);
      const cell = pruneCell(NB101_MAX_VERTICES, bits, labels);
      if (cell) return nb101Architecture(cell);
    }
    throw new NasxError('run', `nb101: no valid cell in ${SAMPLE_ATTEMPTS} random specs (the random generator looks broken)`, {
      pkg: NB101_PACKAGE,
      contribution: NB101_SPACE_ID,
    });
  }

  /**
   * NB101's `mutate_spec` (REA colab example) on the cell padded to 7 vertices (pruned-away
   * vertices come back isolated, with random ops): each of the 21 edge bits flips with probability
   * mutationRate/7, each interior op changes with probability mutationRate/5 to one of the other
   * two; the child is pruned and redrawn until it is valid and has another hash (NB101 only
   * requires valid; a same-hash child would waste an evaluation). In a restricted space the child
   * must also be allowed; if 1,000 draws find none, the result is the allowed cell the mutation
   * would most likely have produced (see {@link nearestAllowed}).
   */
  mutate(arch: Architecture, rng: Rng): Architecture {
    const parent = this.cellOf(arch);
    const parentKey = this.keyOf(arch, parent);
    const { bits: bits7, labels: labels7 } = padCell(parent, rng);
    const labels = new Array<number>(NB101_OP_SPOTS);
    for (let attempt = 0; attempt < MUTATION_ATTEMPTS; attempt++) {
      let bits = bits7;
      for (let e = 0; e < NB101_EDGE_SPOTS; e++) if (rng.next() < this.edgeProb) bits ^= 1 << e;
      for (let t = 0; t < NB101_OP_SPOTS; t++) labels[t] = rng.next() < this.opProb ? (labels7[t]! + 1 + rng.int(2)) % 3 : labels7[t]!;
      const cell = pruneCell(NB101_MAX_VERTICES, bits, labels);
      if (!cell) continue;
      const key = nb101Hash(cell);
      if (key === parentKey || !this.allows(key)) continue;
      return nb101Architecture(cell, key);
    }
    if (this.restriction) return this.nearestAllowed(parent, parentKey, rng)[0]!;
    throw new NasxError('run', `nb101: ${MUTATION_ATTEMPTS} mutations of ${parentKey} gave no valid cell with another hash (mutationRate too small?)`, {
      pkg: NB101_PACKAGE,
      contribution: NB101_SPACE_ID,
      fix: 'raise the space option mutationRate (NB101 uses 1)',
    });
  }

  encode(arch: Architecture): Float32Array {
    const cell = this.cellOf(arch);
    return this.encoding === 'path' ? encodePaths(cell) : encodeAdjacency(cell);
  }

  toGraph(arch: Architecture): ArchGraph {
    return nb101Graph(this.cellOf(arch));
  }

  /**
   * Reads `<matrix JSON>|<ops>` (the {@link format} form), a JSON object `{"matrix", "ops"}`, or —
   * with the index loaded — a bare 32-hex module hash. The spec is pruned and checked as NB101 does.
   */
  parse(text: string): Architecture {
    const s = typeof text === 'string' ? text.trim() : text;
    if (typeof s === 'string' && HASH_PATTERN.test(s)) {
      const index = this.indexState;
      if (!index) {
        throw nb101Error(
          `"${s}" is a module hash, but this nb101 space has not loaded its hash index, so it cannot tell which cell it is`,
          'set the space option loadIndex: true (or restrict it with keys/keysFrom, which loads the index), or write the cell as <matrix JSON>|<ops>',
        );
      }
      const pos = index.find(s);
      if (pos < 0)
        throw nb101Error(
          `"${s}" is not the module hash of any of the ${index.size.toLocaleString('en-US')} NB101 cells${index.size < NB101_UNIQUE_SIZE ? ' in this (partial) index' : ''}`,
          "check the hash (NB101's ModelSpec.hash_spec), or write the cell as <matrix JSON>|<ops>",
        );
      const key = s.toLowerCase();
      this.checkAllowed(key);
      return nb101Architecture(index.cellAt(pos), key);
    }
    const spec = parseNb101Text(s as string);
    const cell = cellOfSpec(spec.matrix, spec.ops, 'nb101 architecture');
    const key = nb101Hash(cell);
    this.checkAllowed(key);
    return nb101Architecture(cell, key);
  }

  /** `<pruned matrix as compact JSON>|<ops comma-separated>`, e.g. `[[0,1],[0,0]]|input,output`. */
  format(arch: Architecture): string {
    return formatNb101(this.cellOf(arch));
  }

  validate(arch: Architecture): Architecture {
    const cell = this.cellOf(arch);
    const key = nb101Hash(cell);
    this.checkAllowed(key);
    return nb101Architecture(cell, key);
  }

  /**
   * The 7-vertex spec as controller decisions (the CTNAS/NAO-style NB101 controller): first the
   * 21 possible edges i → j in NB101's bit order (choices `0`/`1`), then the ops of the 5 interior
   * vertices ({@link NB101_OPS}). Most choice sequences are not valid cells (more than 9 edges
   * after pruning, output unreachable) and, in a restricted space, most valid ones are not allowed:
   * {@link fromDecisions} throws an `architecture` error for them and controllers sample again, as
   * NB101's own random and RL searchers redraw invalid specs.
   */
  decisions(): readonly { readonly name: string; readonly choices: readonly string[] }[] {
    return DECISIONS;
  }

  /** The cell of a decision sequence (pruned as NB101 prunes a spec); an `architecture` error when it is invalid or not allowed. */
  fromDecisions(choices: readonly number[]): Architecture {
    if (
      !Array.isArray(choices) ||
      choices.length !== DECISIONS.length ||
      choices.some((c, i) => !Number.isInteger(c) || c < 0 || c >= DECISIONS[i]!.choices.length)
    ) {
      throw nb101Error(
        `decisions must be ${DECISIONS.length} choice indices (21 edges in {0, 1}, then 5 ops in {0, 1, 2}), got ${JSON.stringify(choices)}`,
        'pass one index per entry of decisions()',
      );
    }
    let bits = 0;
    for (let b = 0; b < NB101_EDGE_SPOTS; b++) if (choices[b] === 1) bits |= 1 << b;
    const cell = pruneCell(NB101_MAX_VERTICES, bits, choices.slice(NB101_EDGE_SPOTS));
    if (!cell)
      throw nb101Error(
        `decisions ${choices.join('')} give no valid cell (after pruning the output is unreachable or more than ${NB101_MAX_EDGES} edges remain)`,
        'sample the decisions again',
      );
    const key = nb101Hash(cell);
    this.checkAllowed(key);
    return nb101Architecture(cell, key);
  }

  /** Decisions that {@link fromDecisions} maps back to the same cell: its padded 7-vertex spec, absent vertices isolated with op 0. */
  toDecisions(arch: Architecture): number[] {
    const [bits, ops] = paddedForm(this.cellOf(arch));
    const out: number[] = [];
    for (let b = 0; b < NB101_EDGE_SPOTS; b++) out.push((bits >>> b) & 1);
    for (const op of ops) out.push(Math.max(0, op));
    return out;
  }

  /**
   * Every cell once, one per module hash, in hash order (the allowed ones in a restricted space),
   * each as the index's representative genotype. Loads the index on first use.
   */
  *enumerate(): Generator<Architecture> {
    const index = this.loadIndex();
    const r = this.restriction;
    const n = r ? r.positions.length : index.size;
    for (let i = 0; i < n; i++) {
      const pos = r ? r.positions[i]! : i;
      yield nb101Architecture(index.cellAt(pos), index.hashAt(pos));
    }
  }

  /**
   * The valid cells one change away, one per hash and without the cell itself: each edge flip
   * among the cell's vertices (then pruned), each interior op changed to another, and — while
   * the cell has fewer than 7 vertices and 8 edges — each new interior vertex (any op) wired
   * i → new → j for a pair of vertices i < j, the smallest change that adds a vertex (a flip
   * alone cannot: it would leave the new vertex dangling; without these moves the input → output
   * cell would have no neighbour at all). In a restricted space only allowed ones; when none is
   * allowed, the nearest allowed cells ({@link nearestAllowed}).
   */
  neighbours(arch: Architecture): Architecture[] {
    const cell = this.cellOf(arch);
    const parentKey = this.keyOf(arch, cell);
    const seen = new Set<string>([parentKey]);
    const out: Architecture[] = [];
    const add = (c: Nb101Cell | undefined): void => {
      if (!c) return;
      const key = nb101Hash(c);
      if (seen.has(key)) return;
      seen.add(key);
      if (this.allows(key)) out.push(nb101Architecture(c, key));
    };
    for (let j = 1; j < cell.n; j++) for (let i = 0; i < j; i++) add(pruneCell(cell.n, cell.bits ^ (1 << edgeBit(i, j)), cell.labels));
    for (let t = 0; t < cell.n - 2; t++) {
      for (const d of [1, 2]) {
        const labels = cell.labels.slice();
        labels[t] = (labels[t]! + d) % 3;
        add({ n: cell.n, bits: cell.bits, labels });
      }
    }
    if (cell.n < NB101_MAX_VERTICES && popcount(cell.bits) + 2 <= NB101_MAX_EDGES) {
      for (let i = 0; i < cell.n - 1; i++) {
        for (let j = i + 1; j < cell.n; j++) {
          // New vertex at index i + 1; old vertices above i shift up by one.
          const at = (v: number): number => (v <= i ? v : v + 1);
          let bits = (1 << edgeBit(i, i + 1)) | (1 << edgeBit(i + 1, at(j)));
          for (let b = 1; b < cell.n; b++) for (let a = 0; a < b; a++) if ((cell.bits >>> edgeBit(a, b)) & 1) bits |= 1 << edgeBit(at(a), at(b));
          for (let op = 0; op < 3; op++) add({ n: cell.n + 1, bits, labels: [...cell.labels.slice(0, i), op, ...cell.labels.slice(i)] });
        }
      }
    }
    if (out.length === 0 && this.restriction) return this.nearestAllowed(cell, parentKey);
    return out;
  }

  /**
   * The allowed cells (other than the parent's hash) that NB101's mutation would most likely
   * produce from `parent`: it flips each edge bit independently with probability p_e and changes
   * each op with probability p_o (to a given other op with p_o/2), so a child at (edge flips f,
   * op changes c) from the parent has log-likelihood f·log(p_e/(1−p_e)) + c·log((p_o/2)/(1−p_o))
   * + const. Both cells are compared in the padded 7-vertex layout (ops of absent vertices are
   * free) and in their stored vertex order, so this is a tractable stand-in for the most likely
   * child, not an isomorphism-aware distance. Ties: all (neighbours) or one at random (mutate).
   */
  private nearestAllowed(parent: Nb101Cell, parentKey: string, rng?: Rng): Architecture[] {
    const r = this.restriction!;
    const index = this.indexState!;
    const clamp = (p: number): number => Math.min(Math.max(p, 1e-9), 1 - 1e-9);
    const pe = clamp(this.edgeProb);
    const po = clamp(this.opProb);
    const edgeCost = Math.log((1 - pe) / pe);
    const opCost = Math.log((1 - po) / (po / 2));
    const [pBits, pOps] = paddedForm(parent);
    const parentPos = index.find(parentKey);
    let best = Infinity;
    let ties: number[] = [];
    for (let i = 0; i < r.positions.length; i++) {
      const pos = r.positions[i]!;
      if (pos === parentPos) continue;
      const [bits, ops] = paddedForm(index.cellAt(pos));
      let flips = 0;
      for (let x = (bits ^ pBits) >>> 0; x !== 0; x &= x - 1) flips++;
      let changes = 0;
      for (let t = 0; t < NB101_OP_SPOTS; t++) if (ops[t]! >= 0 && pOps[t]! >= 0 && ops[t] !== pOps[t]) changes++;
      const cost = flips * edgeCost + changes * opCost;
      if (cost < best - 1e-9) {
        best = cost;
        ties = [pos];
      } else if (cost <= best + 1e-9) ties.push(pos);
    }
    const chosen = rng ? [ties[rng.int(ties.length)]!] : ties;
    return chosen.map((pos) => nb101Architecture(index.cellAt(pos), index.hashAt(pos)));
  }

  /** The cell of an architecture of this space (throws `NasxError('architecture')` otherwise). */
  private cellOf(arch: Architecture): Nb101Cell {
    const known = typeof arch === 'object' && arch !== null ? CELLS.get(arch) : undefined;
    if (known) return known;
    if (typeof arch !== 'object' || arch === null) {
      throw nb101Error(
        `expected an architecture object, got ${arch === null ? 'null' : typeof arch}`,
        'pass an architecture made by the nb101 space (sample, parse, validate)',
      );
    }
    if (arch.space !== NB101_SPACE_ID) {
      throw nb101Error(
        `architecture of space ${JSON.stringify(arch.space)} given to the nb101 search space`,
        'use architectures made by the nb101 space (space: "nb101"), or parse an NB101 cell with it',
      );
    }
    return cellOfGenotype(arch.genotype);
  }

  /** The hash of an architecture: its key when this module made it, else computed. */
  private keyOf(arch: Architecture, cell: Nb101Cell): string {
    return CELLS.get(arch) === cell ? arch.key : nb101Hash(cell);
  }

  private allows(key: string): boolean {
    const r = this.restriction;
    if (!r) return true;
    const pos = this.indexState!.find(key);
    return pos >= 0 && r.allowed[pos] === 1;
  }

  private checkAllowed(key: string): void {
    if (this.allows(key)) return;
    const r = this.restriction!;
    throw nb101Error(
      `cell ${key} is not among the ${r.positions.length.toLocaleString('en-US')} cells this nb101 space is restricted to (${r.source})`,
      'use a cell of the restricted space (sample or enumerate it), or widen or remove the keys/keysFrom option',
    );
  }
}

const DECISIONS: readonly { readonly name: string; readonly choices: readonly string[] }[] = Object.freeze([
  ...Array.from({ length: NB101_EDGE_SPOTS }, (_, b) => {
    let j = 1;
    while (edgeBit(0, j + 1) <= b) j++;
    return { name: `edge ${b - edgeBit(0, j)}->${j}`, choices: ['0', '1'] };
  }),
  ...Array.from({ length: NB101_OP_SPOTS }, (_, t) => ({ name: `op ${t + 1}`, choices: [...NB101_OPS] })),
]);

/** Prunes an n-vertex bit matrix with interior labels (by original vertex) to a valid cell, or undefined. */
function pruneCell(n: number, bits: number, labels: readonly number[]): Nb101Cell | undefined {
  const p = pruneBits(n, bits);
  if (!p || sizeProblem(p.n, p.bits)) return undefined;
  const kept: number[] = [];
  for (let t = 1; t < p.n - 1; t++) kept.push(labels[p.keep[t]! - 1]!);
  return { n: p.n, bits: p.bits, labels: kept };
}

/**
 * The cell in the 7-vertex layout that `mutate` edits: interior vertices keep their index, the
 * output moves to 6, and the missing vertices are isolated with uniformly random ops (NB101 mutates
 * the original 7-vertex spec, whose pruned-away vertices carried random ops).
 */
function padCell(cell: Nb101Cell, rng: Rng): { bits: number; labels: number[] } {
  const { n } = cell;
  let bits = 0;
  for (let j = 1; j < n; j++)
    for (let i = 0; i < j; i++) if ((cell.bits >>> edgeBit(i, j)) & 1) bits |= 1 << edgeBit(paddedPosition(n, i), paddedPosition(n, j));
  const labels: number[] = [];
  for (let t = 0; t < NB101_OP_SPOTS; t++) labels.push(t < n - 2 ? cell.labels[t]! : rng.int(3));
  return { bits, labels };
}

/** Padded bits and ops (−1 for absent vertices) for distance computations. */
function paddedForm(cell: Nb101Cell): [number, number[]] {
  const { n } = cell;
  let bits = 0;
  for (let j = 1; j < n; j++)
    for (let i = 0; i < j; i++) if ((cell.bits >>> edgeBit(i, j)) & 1) bits |= 1 << edgeBit(paddedPosition(n, i), paddedPosition(n, j));
  const ops: number[] = [];
  for (let t = 0; t < NB101_OP_SPOTS; t++) ops.push(t < n - 2 ? cell.labels[t]! : -1);
  return [bits, ops];
}

function configError(problem: string, pointer: string, fix: string): NasxError {
  return new NasxError('config', `nb101 ${problem}`, { pkg: NB101_PACKAGE, contribution: NB101_SPACE_ID, pointer, fix });
}

/**
 * Creates the nb101 space directly (tests, scripts); runs get it through the kernel. Loads the
 * index when `loadIndex`, `keys` or `keysFrom` asks for it, and resolves `keysFrom.file` against
 * `deps.dataDir` and `cacheDir` against `deps.configDir`. `given.index` supplies an index already
 * in hand instead (tools; tests use a partial one from `Nb101Index.build({ maxVertices })`).
 */
export function createNb101SearchSpace(
  partial: OptionsInput<Nb101Options> = {},
  deps: Partial<SearchSpaceDeps> = {},
  given: { readonly index?: Nb101Index } = {},
): Nb101SearchSpace {
  const options = withSchemaDefaults<Nb101Options>(nb101Schema, partial);
  const cacheDir = nb101CacheDir(options.cacheDir, deps.configDir, deps.cacheDir) ?? false;
  const logger = deps.logger;
  if (options.keys !== undefined && options.keysFrom !== undefined) {
    throw configError('has both keys and keysFrom', '/options', 'give the allowed cells either inline (keys) or as a file column (keysFrom), not both');
  }
  let restriction: Restriction | undefined;
  let index = given.index;
  if (!index && (options.keys !== undefined || options.keysFrom !== undefined || options.loadIndex || options.sampling === 'uniform')) {
    index = loadNb101Index({ cacheDir, logger }).index;
  }
  if (options.keys !== undefined || options.keysFrom !== undefined) {
    let keys: KeyAt[];
    let source: string;
    let file: string | undefined;
    if (options.keysFrom !== undefined) {
      const column = options.keysFrom.column;
      const rel = options.keysFrom.file;
      if (!path.isAbsolute(rel) && !deps.dataDir) {
        throw configError(
          `option keysFrom.file "${rel}" is relative, but no data directory is configured to resolve it against`,
          '/options/keysFrom/file',
          "set NASX_DATA, --data-dir or the config's dataDir, or give an absolute path",
        );
      }
      file = path.resolve(deps.dataDir ?? '', rel);
      keys = readKeysFile(file, column);
      source = `option keysFrom: ${file}, column "${column}"`;
    } else {
      if (!Array.isArray(options.keys))
        throw configError(
          'option keys must be an array of 32-hex module hashes',
          '/options/keys',
          'list NB101 module hashes, e.g. ["00005c142e6f48ac74fdcf73e3439874", …]',
        );
      keys = options.keys.map((key, i) => {
        if (typeof key !== 'string' || !HASH_PATTERN.test(key)) {
          throw configError(
            `option keys[${i}] is ${JSON.stringify(key)}, not a 32-hex module hash`,
            `/options/keys/${i}`,
            'list NB101 module hashes (32 hex digits)',
          );
        }
        return { key: key.toLowerCase(), line: i };
      });
      source = 'option keys';
    }
    const allowed = new Uint8Array(index!.size);
    for (const { key, line } of keys) {
      const pos = index!.find(key);
      if (pos < 0) {
        const fix = 'list only module hashes of NB101 cells (nasbench ModelSpec.hash_spec, 32 hex digits); remove this one or fix its digits';
        if (file !== undefined)
          throw new NasxError('config', `${file}:${line}: ${key} is not the module hash of any NB101 cell`, {
            pkg: NB101_PACKAGE,
            contribution: NB101_SPACE_ID,
            file,
            line,
            pointer: '/options/keysFrom',
            fix,
          });
        throw configError(`option keys[${line}] = ${key} is not the module hash of any NB101 cell`, `/options/keys/${line}`, fix);
      }
      allowed[pos] = 1;
    }
    const positions: number[] = [];
    for (let i = 0; i < allowed.length; i++) if (allowed[i]) positions.push(i);
    if (positions.length < 2) {
      throw configError(
        `${source} allows ${positions.length} cell${positions.length === 1 ? '' : 's'}`,
        options.keysFrom ? '/options/keysFrom' : '/options/keys',
        'allow at least 2 distinct cells, so that mutation can move',
      );
    }
    restriction = { positions: Int32Array.from(positions), allowed, source };
    logger?.debug(`nb101: restricted to ${positions.length} cells (${source})`);
  }
  return new Nb101SearchSpace(options, { index, restriction, cacheDir, logger });
}

/** The nb101 search-space contribution. */
export const nb101SearchSpace = defineSearchSpace<Nb101Options>({
  id: NB101_SPACE_ID,
  title: 'NAS-Bench-101 cell space',
  description: '7-vertex, 9-edge cell space of NAS-Bench-101 (Ying et al., ICML 2019): 423,624 unique cells keyed by the official module hash.',
  optionsSchema: nb101Schema,
  create: (options, deps) => createNb101SearchSpace(options, deps),
});
