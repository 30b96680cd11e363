import { defineSearchSpace, NasxError, withSchemaDefaults } from '@nasx/contracts';
import type { ArchGraph, Architecture, Json, Rng, SearchSpace } from '@nasx/contracts';
import { nb201Graph } from './nb201.graph';
import {
  assertNb201Ops,
  formatNb201,
  NB201_EDGE_COUNT,
  NB201_EDGES,
  NB201_OPS,
  NB201_PACKAGE,
  NB201_SIZE,
  NB201_SPACE_ID,
  nb201EdgeName,
  nb201Error,
  nb201FromCode,
  nb201Key,
  parseNb201,
  type Nb201Genotype,
  type Nb201Op,
} from './nb201.genotype';
import { nb201Schema, type Nb201Options } from './nb201.schema';

export type { Nb201Options } from './nb201.schema';

/** Length of {@link SearchSpace.encode}'s vector: one-hot of 5 ops on each of 6 edges. */
export const NB201_ENCODING_LENGTH = NB201_EDGE_COUNT * NB201_OPS.length;

/** Index of the first edge into cell node j (edges of node j are j consecutive entries). */
const FIRST_EDGE_OF_NODE = [-1, 0, 1, 3] as const;

/** An NB201 architecture object (`{ space: 'nb201', genotype: { ops }, key }`), frozen, canonically keyed. */
export function nb201Architecture(ops: readonly number[]): Architecture {
  assertNb201Ops(ops);
  const genotype: Nb201Genotype = { ops: Object.freeze(ops.slice()) as number[] };
  return Object.freeze({ space: NB201_SPACE_ID, genotype: Object.freeze(genotype), key: nb201Key(ops) });
}

/** Isomorphism classes among the cells of an allowed-op set, by the set (`"0,1,2,3,4"`). */
const UNIQUE_SIZES = new Map<string, number>();

/**
 * The number of isomorphism classes among the cells whose ops `admits`, counted once per process
 * for each allowed-op set. Counting keys all 15,625 cells, and the kernel makes a new space for
 * every run: a spec of 400 tabular runs (REA vs random search) spent three quarters of its time
 * here, recounting the same number.
 */
function uniqueSizeOf(allowed: readonly number[], admits: (ops: readonly number[]) => boolean): number {
  const id = allowed.join(',');
  let n = UNIQUE_SIZES.get(id);
  if (n === undefined) {
    const keys = new Set<string>();
    for (let code = 0; code < NB201_SIZE; code++) {
      const ops = nb201FromCode(code);
      if (admits(ops)) keys.add(nb201Key(ops));
    }
    n = keys.size;
    UNIQUE_SIZES.set(id, n);
  }
  return n;
}

/**
 * The NAS-Bench-201 cell space (Dong & Yang, ICLR 2020): 6 edges × 5 ops = 15,625 cells,
 * 6,466 up to isomorphism. With `ops` restricted, every generator (sample, mutate, neighbours,
 * crossover, enumerate, decisions) stays inside the subset; encodings, graphs and keys are those
 * of the full space so that tables, predictors and caches are shared across restrictions.
 */
export class Nb201SearchSpace implements SearchSpace {
  readonly id = NB201_SPACE_ID;
  readonly size: number;
  readonly encodingLength = NB201_ENCODING_LENGTH;

  /** Allowed op indices, ascending. */
  private readonly allowed: readonly number[];
  /** Position of each op index in {@link allowed}, or -1. */
  private readonly position: readonly number[];
  private readonly decisionList: readonly { readonly name: string; readonly choices: readonly string[] }[];

  /** `options` as the kernel validates them; missing ones take the schema's defaults. */
  constructor(options: Partial<Nb201Options> = {}) {
    this.allowed = allowedOps(withSchemaDefaults<Nb201Options>(nb201Schema, options).ops);
    this.position = NB201_OPS.map((_, i) => this.allowed.indexOf(i));
    this.size = this.allowed.length ** NB201_EDGE_COUNT;
    const choices = Object.freeze(this.allowed.map((i) => NB201_OPS[i]!));
    this.decisionList = Object.freeze(NB201_EDGES.map(([to, from]) => Object.freeze({ name: `node${to}<-node${from}`, choices })));
  }

  /** Isomorphism classes of the (allowed) cells, counted on first use: every run creates a space, few read this. */
  get uniqueSize(): number {
    return uniqueSizeOf(this.allowed, (ops) => this.admits(ops));
  }

  /** Uniform over the (allowed) cells: each edge's op drawn independently and uniformly. */
  sample(rng: Rng): Architecture {
    const k = this.allowed.length;
    const ops = new Array<number>(NB201_EDGE_COUNT);
    for (let e = 0; e < NB201_EDGE_COUNT; e++) ops[e] = this.allowed[rng.int(k)]!;
    return nb201Architecture(ops);
  }

  /**
   * One edge set to a uniformly chosen different op, as in the regularized-evolution baseline of
   * NB201 (paper Sec. 5; AutoDL-Projects `exps/NATS-algos/regularized_ea.py`, `mutate_arch_func`):
   * a cell node j ∈ {1,2,3} is drawn uniformly, then one of its j incoming edges, so edge 1←0 is
   * hit with probability 1/3, each edge into node 2 with 1/6 and each edge into node 3 with 1/9.
   * The child may be isomorphic to the parent (same key), as in the benchmark's protocol.
   */
  mutate(arch: Architecture, rng: Rng): Architecture {
    const ops = this.opsOf(arch);
    const j = 1 + rng.int(3);
    const e = FIRST_EDGE_OF_NODE[j]! + rng.int(j);
    let p = rng.int(this.allowed.length - 1);
    if (p >= this.position[ops[e]!]!) p++;
    ops[e] = this.allowed[p]!;
    return nb201Architecture(ops);
  }

  /** One-hot, edge-major: `v[5·e + op] = 1` for each edge e in arch-string order (30 floats). */
  encode(arch: Architecture): Float32Array {
    const ops = this.opsOf(arch);
    const v = new Float32Array(NB201_ENCODING_LENGTH);
    for (let e = 0; e < NB201_EDGE_COUNT; e++) v[e * NB201_OPS.length + ops[e]!] = 1;
    return v;
  }

  toGraph(arch: Architecture): ArchGraph {
    return nb201Graph(this.opsOf(arch));
  }

  parse(text: string): Architecture {
    const ops = parseNb201(text);
    this.checkAllowed(ops);
    return nb201Architecture(ops);
  }

  format(arch: Architecture): string {
    return formatNb201(this.opsOf(arch));
  }

  validate(arch: Architecture): Architecture {
    return nb201Architecture(this.opsOf(arch));
  }

  /** Every allowed cell, in ascending `nb201Code` order. */
  *enumerate(): Generator<Architecture> {
    for (let code = 0; code < NB201_SIZE; code++) {
      const ops = nb201FromCode(code);
      if (this.admits(ops)) yield nb201Architecture(ops);
    }
  }

  /** All 6·(k−1) one-edge changes (24 in the full space), edge-major then op order; may include isomorphs. */
  neighbours(arch: Architecture): Architecture[] {
    const ops = this.opsOf(arch);
    const out: Architecture[] = [];
    for (let e = 0; e < NB201_EDGE_COUNT; e++) {
      for (const op of this.allowed) {
        if (op === ops[e]) continue;
        const child = ops.slice();
        child[e] = op;
        out.push(nb201Architecture(child));
      }
    }
    return out;
  }

  /** Uniform crossover: each edge's op from either parent with probability 1/2. */
  crossover(a: Architecture, b: Architecture, rng: Rng): Architecture {
    const x = this.opsOf(a);
    const y = this.opsOf(b);
    return nb201Architecture(x.map((op, e) => (rng.next() < 0.5 ? op : y[e]!)));
  }

  /** 6 decisions, one per edge in arch-string order, each choosing among the allowed ops. */
  decisions(): readonly { readonly name: string; readonly choices: readonly string[] }[] {
    return this.decisionList;
  }

  fromDecisions(choices: readonly number[]): Architecture {
    const k = this.allowed.length;
    if (!Array.isArray(choices) || choices.length !== NB201_EDGE_COUNT) {
      throw nb201Error(
        `nb201 needs 6 decisions (one per edge), got ${Array.isArray(choices) ? choices.length : typeof choices}`,
        `pass one choice index per entry of decisions(), each in 0..${k - 1}`,
      );
    }
    return nb201Architecture(
      choices.map((c, e) => {
        if (!Number.isInteger(c) || c < 0 || c >= k) {
          throw nb201Error(
            `decision ${e + 1} (${nb201EdgeName(e)}) is ${String(c)}, expected an integer in 0..${k - 1}`,
            `choices are ${this.decisionList[e]!.choices.join(', ')}`,
          );
        }
        return this.allowed[c]!;
      }),
    );
  }

  toDecisions(arch: Architecture): number[] {
    return this.opsOf(arch).map((op) => this.position[op]!);
  }

  /** The genotype's ops (a fresh copy) after checking that `arch` belongs to this space. */
  private opsOf(arch: Architecture): number[] {
    if (typeof arch !== 'object' || arch === null) {
      throw nb201Error(
        `expected an architecture object, got ${arch === null ? 'null' : typeof arch}`,
        'pass an architecture made by the nb201 space (sample, parse, validate)',
      );
    }
    if (arch.space !== NB201_SPACE_ID) {
      throw nb201Error(
        `architecture of space ${JSON.stringify(arch.space)} given to the nb201 search space`,
        'use architectures made by the nb201 space (space: "nb201"), or parse an NB201 arch string with it',
      );
    }
    const genotype: Json = arch.genotype;
    if (typeof genotype !== 'object' || genotype === null || Array.isArray(genotype)) {
      throw nb201Error(
        `nb201 genotype must be an object { ops: [...] }, got ${JSON.stringify(genotype) ?? typeof genotype}`,
        'an NB201 genotype is { "ops": [6 integers in 0..4] }',
      );
    }
    const ops = genotype['ops'];
    assertNb201Ops(ops, 'nb201 genotype.ops');
    this.checkAllowed(ops);
    return ops.slice();
  }

  /** True if every edge's op is allowed. */
  private admits(ops: readonly number[]): boolean {
    return ops.every((op) => this.position[op]! >= 0);
  }

  private checkAllowed(ops: readonly number[]): void {
    if (this.allowed.length === NB201_OPS.length) return;
    for (let e = 0; e < NB201_EDGE_COUNT; e++) {
      if (this.position[ops[e]!]! < 0) {
        const names = this.allowed.map((i) => NB201_OPS[i]!);
        throw nb201Error(
          `${nb201EdgeName(e)} uses op "${NB201_OPS[ops[e]!]}", which this nb201 space excludes (option ops = [${names.join(', ')}])`,
          `use only ${names.join(', ')} on every edge, or add "${NB201_OPS[ops[e]!]}" to the search space's ops option`,
        );
      }
    }
  }
}

/** Allowed op indices from the `ops` option, ascending (the kernel has already schema-checked it; this guards direct calls). */
function allowedOps(ops: readonly Nb201Op[]): number[] {
  const fix = `list 2 to 5 distinct ops among ${NB201_OPS.join(', ')}, or leave ops out for all 5`;
  const fail = (problem: string): NasxError =>
    new NasxError('config', `nb201 option ops ${problem}`, { pkg: NB201_PACKAGE, contribution: NB201_SPACE_ID, fix });
  if (!Array.isArray(ops)) throw fail(`must be an array, got ${typeof ops}`);
  const idx = ops.map((op) => {
    const i = (NB201_OPS as readonly string[]).indexOf(op);
    if (i < 0) throw fail(`has unknown op ${JSON.stringify(op)}`);
    return i;
  });
  if (new Set(idx).size !== idx.length) throw fail(`lists an op twice: [${ops.join(', ')}]`);
  if (idx.length < 2) throw fail(`needs at least 2 ops so that mutation can change an edge, got [${ops.join(', ')}]`);
  return idx.sort((a, b) => a - b);
}

/** Create the nb201 space directly (tests, scripts); runs get it through the kernel. */
export function createNb201SearchSpace(options: Partial<Nb201Options> = {}): Nb201SearchSpace {
  return new Nb201SearchSpace(options);
}

/** The nb201 search-space contribution. */
export const nb201SearchSpace = defineSearchSpace<Nb201Options>({
  id: NB201_SPACE_ID,
  title: 'NAS-Bench-201 cell space',
  description: '6 edges x 5 ops cell of NAS-Bench-201 (Dong & Yang, ICLR 2020); canonical keys merge isomorphic cells.',
  optionsSchema: nb201Schema,
  create: (options) => createNb201SearchSpace(options),
});
