import { NasxError, defineEstimator, type ArchGraph, type Architecture, type Estimator } from '@nasx/contracts';
import { syntheticSchema, type SyntheticOptions } from './synthetic.schema';

export type { SyntheticOptions } from './synthetic.schema';

/** Per-op contribution: parameterised ops help, pooling a little, zero nothing. */
const OP_VALUE: Readonly<Record<string, number>> = {
  conv: 3,
  sep_conv: 3,
  dil_conv: 2.5,
  mbconv: 3,
  dense: 2,
  identity: 1,
  avg_pool: 1.2,
  max_pool: 1.2,
  zero: 0,
};

function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

/**
 * A landscape with the shape NAS benchmarks have (parameterised ops on the paths from input to
 * output matter most, a cell cut off from its input scores low, and there is per-architecture
 * noise) but no data: useful to smoke-test searchers and the quick start. It is NOT an accuracy.
 */
export function syntheticScore(graph: ArchGraph, key: string, options: SyntheticOptions): number {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const incoming = graph.nodes.map(() => [] as number[]);
  for (const e of graph.edges) incoming[index.get(e.to) as number]?.push(index.get(e.from) as number);
  // best[i]: the largest sum of op values along a live path from an input node to node i.
  const best = graph.nodes.map(() => Number.NEGATIVE_INFINITY);
  let opSum = 0;
  graph.nodes.forEach((n, i) => {
    const v = OP_VALUE[n.op] ?? 0.5;
    if (n.op === 'input') best[i] = 0;
    else if (n.op === 'zero') best[i] = Number.NEGATIVE_INFINITY;
    else {
      const from = Math.max(...(incoming[i] ?? []).map((j) => best[j] as number), Number.NEGATIVE_INFINITY);
      best[i] = from + v;
      opSum += v;
    }
  });
  const out = graph.nodes.findIndex((n) => n.op === 'output');
  const path = out >= 0 ? (best[out] as number) : Math.max(...best);
  if (!Number.isFinite(path)) return 10 + options.noise * hash32(key, options.seed);
  return 40 + 6 * path + 1.5 * opSum + options.noise * 3 * hash32(key, options.seed);
}

/** The synthetic estimator contribution. */
export const syntheticEstimator = defineEstimator<SyntheticOptions>({
  id: 'synthetic',
  title: 'Synthetic objective (not an accuracy)',
  description: 'A deterministic, data-free function of the architecture graph for smoke runs and the quick start; its numbers are not accuracies.',
  optionsSchema: syntheticSchema,
  create(options, deps): Estimator {
    return {
      id: 'synthetic',
      metrics: [{ name: 'synthetic', direction: 'maximize', description: 'synthetic objective (not an accuracy)' }],
      async estimate(arch: Architecture) {
        if (arch.space !== deps.space.id)
          throw new NasxError('architecture', `an architecture of space "${arch.space}" was given to a run over "${deps.space.id}"`, {
            fix: 'score architectures of the configured space',
          });
        const started = performance.now();
        const value = syntheticScore(deps.space.toGraph(deps.space.validate(arch)), arch.key, options);
        return { metrics: { synthetic: value }, fidelity: { kind: 'synthetic' }, cost: { seconds: (performance.now() - started) / 1000 } };
      },
    };
  },
});
