// A small search space for searcher tests: `positions` slots, each holding a value in
// [0, values). Like NB201 (6 edges x 5 ops) by default: sample is uniform, mutate changes exactly
// one position to a different value. With `canonical: 'sorted'` keys ignore the order of values,
// so several architectures share a key (as isomorphic NB201 cells do) and uniqueSize < size.
import { NasxError, type Architecture, type ArchGraph, type Rng, type SearchSpace } from '@nasx/contracts';

export interface ToySpaceOptions {
  readonly positions?: number;
  readonly values?: number;
  /** `identity`: key = values joined (every architecture its own key); `sorted`: key of the multiset. */
  readonly canonical?: 'identity' | 'sorted';
  /** Provide `enumerate()` (default true). */
  readonly enumerable?: boolean;
  /** A custom canonical key (overrides `canonical`); give `uniqueSize` with it. */
  readonly key?: (values: readonly number[]) => string;
  readonly uniqueSize?: number;
}

export type ToySpace = SearchSpace & { readonly positions: number; readonly values: number };

/** Values of a toy architecture. */
export function toyValues(arch: Architecture): number[] {
  return arch.genotype as number[];
}

/** Number of positions where two toy architectures differ. */
export function hamming(a: Architecture, b: Architecture): number {
  const x = toyValues(a);
  const y = toyValues(b);
  return x.reduce((n, v, i) => n + (v === y[i] ? 0 : 1), 0);
}

/** The toy objective: how many positions hold the value 3 (optimum: all of them). */
export function countOfThrees(arch: Architecture): number {
  return toyValues(arch).filter((v) => v === 3).length;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

export function toySpace(opts: ToySpaceOptions = {}): ToySpace {
  const positions = opts.positions ?? 6;
  const values = opts.values ?? 5;
  const canonical = opts.canonical ?? 'identity';
  const id = 'toy';
  const make = (vs: readonly number[]): Architecture => {
    if (opts.key) return { space: id, genotype: [...vs], key: opts.key(vs) };
    const keyed = canonical === 'sorted' ? [...vs].sort((a, b) => a - b) : vs;
    return { space: id, genotype: [...vs], key: keyed.join('.') };
  };
  const validate = (arch: Architecture): Architecture => {
    const vs = arch.genotype;
    if (arch.space !== id || !Array.isArray(vs) || vs.length !== positions || !vs.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < values)) {
      throw new NasxError('architecture', `not a toy architecture: ${JSON.stringify(arch.genotype)}`);
    }
    return make(vs as number[]);
  };
  const space: ToySpace = {
    id,
    positions,
    values,
    size: values ** positions,
    uniqueSize: opts.uniqueSize ?? (canonical === 'sorted' ? binomial(values + positions - 1, positions) : values ** positions),
    sample: (rng: Rng) => make(Array.from({ length: positions }, () => rng.int(values))),
    mutate: (arch: Architecture, rng: Rng) => {
      const vs = [...toyValues(arch)];
      const i = rng.int(positions);
      const v = rng.int(values - 1);
      vs[i] = v >= (vs[i] as number) ? v + 1 : v;
      return make(vs);
    },
    encode: (arch: Architecture) => {
      const out = new Float32Array(positions * values);
      toyValues(arch).forEach((v, i) => (out[i * values + v] = 1));
      return out;
    },
    toGraph: (arch: Architecture): ArchGraph => {
      const vs = toyValues(arch);
      const nodes = [{ id: 'in', op: 'input' }, ...vs.map((v, i) => ({ id: `p${i}`, op: 'conv', attrs: { value: v } })), { id: 'out', op: 'output' }];
      return { space: id, level: 'network', nodes, edges: nodes.slice(1).map((n, i) => ({ from: (nodes[i] as { id: string }).id, to: n.id })) };
    },
    parse: (text: string) => validate({ space: id, genotype: text.split('.').map(Number), key: '' }),
    format: (arch: Architecture) => toyValues(arch).join('.'),
    validate,
    neighbours: (arch: Architecture) => {
      const out: Architecture[] = [];
      toyValues(arch).forEach((cur, i) => {
        for (let v = 0; v < values; v++) if (v !== cur) out.push(make(toyValues(arch).map((x, j) => (j === i ? v : x))));
      });
      return out;
    },
  };
  if (opts.enumerable ?? true) {
    return {
      ...space,
      *enumerate() {
        const total = values ** positions;
        for (let n = 0; n < total; n++) {
          const vs: number[] = [];
          for (let i = 0, r = n; i < positions; i++, r = Math.floor(r / values)) vs.push(r % values);
          yield make(vs);
        }
      },
    };
  }
  return space;
}
