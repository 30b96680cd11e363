/**
 * Generated networks in the spirit of DeepNets-1M (Knyazev et al., NeurIPS 2021, Sec. 3): the
 * diverse computational graphs a graph hypernetwork (GHN-2) is trained and tested on, as a search
 * space. `@nasx/tensor` generates and builds them (`sampleDeepNets`, the `deepnets` network
 * builder); this space adds mutation, encoding, the text form and the graph.
 *
 * Genotype: `{ channels, layers, stem, normal: cell, reduce: cell }`, a cell
 * `{ nodes: [{ inputs: [i, …], ops: [op, …] }] }` (inputs 0 and 1 are the two previous cells, k ≥ 2
 * is node k − 2). Text form: the genotype's JSON.
 */
import { defineSearchSpace, NasxError, withSchemaDefaults } from '@nasx/contracts';
import type { ArchGraph, Architecture, Rng, SearchSpace } from '@nasx/contracts';
import {
  DEEPNETS_OPS,
  DEEPNETS_SPACE,
  computeGraphToArchGraph,
  deepnetsArchitecture,
  deepnetsGenotype,
  deepnetsGraph,
  planDeepNets,
  sampleDeepNets,
  traceNetwork,
  type DeepNetsCell,
  type DeepNetsGenotype,
  type DeepNetsOp,
  type DeepNetsRanges,
} from '@nasx/tensor';
import { deepnetsSchema, type DeepnetsOptions } from './deepnets.schema';

export type { DeepnetsOptions } from './deepnets.schema';

const PKG = '@nasx/search-space-deepnets';

/** The input and classes `toGraph` traces a network for (CIFAR-10's). */
export const DEEPNETS_GRAPH_TASK = { inputShape: [3, 32, 32], numClasses: 10 } as const;

/** The generated-networks space. */
export class DeepNetsSearchSpace implements SearchSpace {
  readonly id = DEEPNETS_SPACE;
  readonly ranges: DeepNetsRanges;
  readonly encodingLength: number;
  private readonly maxNodes: number;

  constructor(options: Partial<DeepnetsOptions> = {}) {
    const o = withSchemaDefaults<DeepnetsOptions>(deepnetsSchema, options);
    const pair = (name: string, v: readonly number[]): [number, number] => {
      if (v[0]! > v[1]!) {
        throw new NasxError('config', `option ${name} is [${v.join(', ')}]: its minimum is above its maximum`, {
          pkg: PKG,
          contribution: DEEPNETS_SPACE,
          pointer: `/space/options/${name}`,
          fix: `write [min, max], e.g. [${v[1]}, ${v[0]}]`,
        });
      }
      return [v[0]!, v[1]!];
    };
    this.ranges = {
      channels: [...o.channels],
      layers: pair('layers', o.layers),
      nodes: pair('nodes', o.nodes),
      stem: [...o.stem],
      ops: [...o.ops] as DeepNetsOp[],
    };
    this.maxNodes = this.ranges.nodes[1];
    // 3 scalars, then per cell, node and input slot: present, op one-hot, input one-hot.
    this.encodingLength = 3 + 2 * this.maxNodes * 2 * (1 + DEEPNETS_OPS.length + this.maxNodes + 1);
  }

  private genotype(arch: Architecture): DeepNetsGenotype {
    return deepnetsGenotype(this.validate(arch));
  }

  sample(rng: Rng): Architecture {
    return sampleDeepNets(rng, this.ranges);
  }

  /**
   * One random change, each kind equally likely where possible: the width, the depth (±1), the
   * stem, one operation, one input of a node, or a node added to or removed from a cell (removing
   * renumbers the later nodes' inputs).
   */
  mutate(arch: Architecture, rng: Rng): Architecture {
    const g = this.genotype(arch);
    const r = this.ranges;
    for (let attempt = 0; attempt < 32; attempt++) {
      const kind = rng.int(7);
      const which = rng.int(2) === 0 ? 'normal' : 'reduce';
      const cell = g[which];
      let next: DeepNetsGenotype | undefined;
      if (kind === 0 && r.channels.length > 1) next = { ...g, channels: rng.pick(r.channels.filter((c) => c !== g.channels)) };
      else if (kind === 1) {
        const layers = g.layers + (rng.int(2) === 0 ? -1 : 1);
        if (layers >= r.layers[0] && layers <= r.layers[1]) next = { ...g, layers };
      } else if (kind === 2 && r.stem.length > 1) next = { ...g, stem: rng.pick(r.stem.filter((s) => s !== g.stem)) };
      else if (kind === 3) {
        const k = rng.int(cell.nodes.length);
        const node = cell.nodes[k]!;
        const j = rng.int(node.inputs.length);
        const allowed = r.ops.filter((o) => o !== node.ops[j] && !(which === 'reduce' && node.inputs[j]! < 2 && o === 'se'));
        if (allowed.length)
          next = withCell(g, which, replaceNode(cell, k, { inputs: node.inputs, ops: node.ops.map((o, x) => (x === j ? rng.pick(allowed) : o)) }));
      } else if (kind === 4) {
        const k = rng.int(cell.nodes.length);
        const node = cell.nodes[k]!;
        const j = rng.int(node.inputs.length);
        const options = Array.from({ length: k + 2 }, (_, i) => i).filter((i) => !node.inputs.includes(i));
        const input = options.length ? rng.pick(options) : undefined;
        if (input !== undefined && !(which === 'reduce' && input < 2 && node.ops[j] === 'se')) {
          const pairs = node.inputs.map((i, x) => [x === j ? input : i, node.ops[x]!] as const).sort((a, b) => a[0] - b[0]);
          next = withCell(g, which, replaceNode(cell, k, { inputs: pairs.map((p) => p[0]), ops: pairs.map((p) => p[1]) }));
        }
      } else if (kind === 5 && cell.nodes.length < r.nodes[1]) {
        const k = cell.nodes.length;
        const input = rng.int(k + 2);
        const ops = r.ops.filter((o) => !(which === 'reduce' && input < 2 && o === 'se'));
        next = withCell(g, which, { nodes: [...cell.nodes, { inputs: [input], ops: [rng.pick(ops.length ? ops : ['skip'])] }] });
      } else if (kind === 6 && cell.nodes.length > r.nodes[0]) {
        next = withCell(g, which, removeNode(cell, rng.int(cell.nodes.length)));
      }
      if (next) {
        const a = deepnetsArchitecture(next);
        if (a.key !== arch.key) return a;
      }
    }
    // Every kind failed (degenerate ranges): a fresh sample.
    return this.sample(rng);
  }

  encode(arch: Architecture): Float32Array {
    const g = this.genotype(arch);
    const out = new Float32Array(this.encodingLength);
    out[0] = g.channels / Math.max(...this.ranges.channels);
    out[1] = g.layers / this.ranges.layers[1];
    out[2] = g.stem / Math.max(...this.ranges.stem);
    const slot = 1 + DEEPNETS_OPS.length + this.maxNodes + 1;
    let o = 3;
    for (const cell of [g.normal, g.reduce]) {
      for (let k = 0; k < this.maxNodes; k++) {
        const node = cell.nodes[k];
        for (let j = 0; j < 2; j++) {
          if (node && j < node.inputs.length) {
            out[o] = 1;
            out[o + 1 + DEEPNETS_OPS.indexOf(node.ops[j]!)] = 1;
            out[o + 1 + DEEPNETS_OPS.length + Math.min(node.inputs[j]!, this.maxNodes + 1)] = 1;
          }
          o += slot;
        }
      }
    }
    return out;
  }

  /** The traced computational graph (the one a GHN reads) of the network for CIFAR-10's shapes. */
  toGraph(arch: Architecture): ArchGraph {
    const a = this.validate(arch);
    const g = traceNetwork(deepnetsGraph(a, DEEPNETS_GRAPH_TASK), planDeepNets(a, DEEPNETS_GRAPH_TASK));
    const graph = computeGraphToArchGraph(g);
    return { ...graph, meta: { ...graph.meta, inputShape: [...DEEPNETS_GRAPH_TASK.inputShape], numClasses: DEEPNETS_GRAPH_TASK.numClasses } };
  }

  parse(text: string): Architecture {
    let genotype: unknown;
    try {
      genotype = JSON.parse(text);
    } catch (e) {
      throw new NasxError('architecture', `"${text.slice(0, 80)}" is not a deepnets genotype: ${e instanceof Error ? e.message : String(e)}`, {
        pkg: PKG,
        contribution: DEEPNETS_SPACE,
        fix: 'write the genotype as JSON: {"channels":16,"layers":4,"stem":3,"normal":{"nodes":[{"inputs":[0,1],"ops":["conv_3x3","skip"]}]},"reduce":{…}}',
      });
    }
    return this.validate({ space: DEEPNETS_SPACE, genotype: genotype as never, key: '' });
  }

  format(arch: Architecture): string {
    return JSON.stringify(this.validate(arch).genotype);
  }

  validate(arch: Architecture): Architecture {
    const g = deepnetsGenotype(arch);
    const bad = [g.normal, g.reduce].flatMap((c) => c.nodes.flatMap((n) => n.ops)).find((o) => !this.ranges.ops.includes(o));
    if (bad) {
      throw new NasxError('architecture', `deepnets architecture uses op "${bad}", which this space's option ops leaves out`, {
        pkg: PKG,
        contribution: DEEPNETS_SPACE,
        fix: `use ops among ${this.ranges.ops.join(', ')}, or add "${bad}" to the space's ops option`,
      });
    }
    return deepnetsArchitecture(g);
  }
}

function withCell(g: DeepNetsGenotype, which: 'normal' | 'reduce', cell: DeepNetsCell): DeepNetsGenotype {
  return { ...g, [which]: cell };
}

function replaceNode(cell: DeepNetsCell, k: number, node: DeepNetsCell['nodes'][number]): DeepNetsCell {
  return { nodes: cell.nodes.map((n, i) => (i === k ? node : n)) };
}

/** Removes node k; inputs that read it read its first input instead, later nodes are renumbered. */
function removeNode(cell: DeepNetsCell, k: number): DeepNetsCell {
  const removed = cell.nodes[k]!;
  const nodes = cell.nodes
    .filter((_, i) => i !== k)
    .map((n) => {
      const pairs = n.inputs.map((i, x) => [i === k + 2 ? removed.inputs[0]! : i > k + 2 ? i - 1 : i, n.ops[x]!] as const);
      const seen = new Map<number, DeepNetsOp>();
      for (const [i, o] of pairs) if (!seen.has(i)) seen.set(i, o);
      const sorted = [...seen.entries()].sort((a, b) => a[0] - b[0]);
      return { inputs: sorted.map((p) => p[0]), ops: sorted.map((p) => p[1]) };
    });
  return { nodes };
}

/** Creates the space from validated options. */
export function createDeepNetsSearchSpace(options: Partial<DeepnetsOptions> = {}): DeepNetsSearchSpace {
  return new DeepNetsSearchSpace(options);
}

/** The `deepnets` contribution. */
export const deepnetsSearchSpace = defineSearchSpace<DeepnetsOptions>({
  id: DEEPNETS_SPACE,
  title: 'Generated networks (DeepNets-1M style)',
  description:
    'DARTS-style networks with random width, depth, stem, cell size, wiring and operations (conv 1/3/5, separable conv 3/5, max/avg pool, skip, squeeze-and-excitation): the diverse graphs GHN-2 trains and is tested on.',
  optionsSchema: deepnetsSchema,
  create: (options) => createDeepNetsSearchSpace(options),
});
