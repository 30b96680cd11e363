/**
 * The graph neural network space of AGNN (Zhou et al. 2019, "Auto-GNN: Neural Architecture Search
 * of Graph Neural Networks", Table 1) and GraphNAS (Gao et al. 2019): a fixed number of
 * message-passing layers, each choosing its hidden size, attention function, attention heads,
 * aggregator, combine function, skip connection and activation. The last layer's width is the
 * task's number of classes (its heads are averaged), so it has no hidden-size decision.
 *
 * Genotype: `{ layers: GnnLayer[] }` with the values themselves (`{ hidden: 64, attention: 'gat',
 * … }`), checked by `gnnGenotype` of `@nasx/tensor`, which builds the networks.
 *
 * Text form: layers separated by ` | `, each `heads×hidden:attention:aggregator:combine:skip:activation`
 * (`heads:…` for the output layer), e.g. GAT on Cora: `8x8:gat:sum:constant:none:elu | 1:gat:sum:constant:none:linear`.
 * `parse` also takes the presets `gcn` and `gat` (Kipf & Welling's and Veličković et al.'s
 * networks) for two-layer spaces.
 */
import { defineSearchSpace, NasxError, withSchemaDefaults } from '@nasx/contracts';
import type { ArchGraph, ArchGraphEdge, ArchGraphNode, Architecture, Json, Rng, SearchSpace } from '@nasx/contracts';
import {
  GNN_ACTIVATIONS,
  GNN_AGGREGATORS,
  GNN_ATTENTIONS,
  GNN_COMBINES,
  GNN_HEADS,
  GNN_HIDDEN,
  GNN_SKIPS,
  GNN_SPACE,
  gnnGenotype,
  type GnnGenotype,
  type GnnLayer,
} from '@nasx/tensor';
import { gnnSchema, type GnnOptions } from './gnn.schema';

export type { GnnOptions } from './gnn.schema';

const PKG = '@nasx/search-space-gnn';

/** A layer decision (AGNN's action classes). */
export const GNN_DECISION_CLASSES = ['hidden', 'attention', 'heads', 'aggregator', 'combine', 'skip', 'activation'] as const;
export type GnnDecisionClass = (typeof GNN_DECISION_CLASSES)[number];

const CHOICES: { readonly [k in GnnDecisionClass]: readonly (string | number)[] } = {
  hidden: GNN_HIDDEN,
  attention: GNN_ATTENTIONS,
  heads: GNN_HEADS,
  aggregator: GNN_AGGREGATORS,
  combine: GNN_COMBINES,
  skip: GNN_SKIPS,
  activation: GNN_ACTIVATIONS,
};

/** Decisions of layer `i` of `n` (the output layer has no hidden size). */
function layerClasses(i: number, n: number): readonly GnnDecisionClass[] {
  return i === n - 1 ? GNN_DECISION_CLASSES.filter((c) => c !== 'hidden') : GNN_DECISION_CLASSES;
}

/** The two-layer GCN of Kipf & Welling (ICLR 2017): 16 hidden units, ReLU. */
export const GNN_GCN = '1x16:gcn:sum:constant:none:relu | 1:gcn:sum:constant:none:linear';
/** The two-layer GAT of Veličković et al. (ICLR 2018) on Cora/Citeseer: 8 heads × 8 units, ELU, one output head. */
export const GNN_GAT = '8x8:gat:sum:constant:none:elu | 1:gat:sum:constant:none:linear';
const PRESETS: { readonly [name: string]: string } = { gcn: GNN_GCN, gat: GNN_GAT };

function layerText(l: GnnLayer): string {
  const width = l.hidden === undefined ? String(l.heads) : `${l.heads}x${l.hidden}`;
  return [width, l.attention, l.aggregator, l.combine, l.skip, l.activation].join(':');
}

/** The text form of a GNN genotype. */
export function formatGnn(g: GnnGenotype): string {
  return g.layers.map(layerText).join(' | ');
}

/** A GNN architecture from its layers (checked). */
export function gnnArchitecture(layers: readonly GnnLayer[]): Architecture {
  const g = gnnGenotype({ layers: layers as unknown as Json[] });
  return { space: GNN_SPACE, genotype: g as unknown as Json, key: `${GNN_SPACE}:${formatGnn(g)}` };
}

function parseError(text: string, message: string, specific?: string): NasxError {
  return new NasxError('architecture', `"${text}" is not a GNN architecture: ${message}`, {
    pkg: PKG,
    contribution: GNN_SPACE,
    fix: `${specific ? `${specific}; ` : ''}write layers as heads×hidden:attention:aggregator:combine:skip:activation separated by " | " (the output layer: heads:attention:…), e.g. "${GNN_GAT}", or a preset: ${Object.keys(PRESETS).join(', ')}`,
  });
}

/** Parses the text form (or a preset name) into layers. */
export function parseGnn(text: string): GnnLayer[] {
  const source = PRESETS[text.trim().toLowerCase()] ?? text;
  const parts = source.split('|').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw parseError(text, 'it has an empty layer');
  const layers = parts.map((part, i): GnnLayer => {
    const f = part.split(':').map((s) => s.trim());
    if (f.length !== 6) throw parseError(text, `layer ${i + 1} ("${part}") has ${f.length} fields, not 6`);
    const last = i === parts.length - 1;
    const width = f[0]!.split(/x|×/);
    if (last ? width.length !== 1 : width.length !== 2) {
      throw parseError(
        text,
        last ? `the output layer's first field is its number of heads, not "${f[0]}"` : `layer ${i + 1}'s first field is heads×hidden, not "${f[0]}"`,
      );
    }
    const num = (s: string): number | string => (/^\d+$/.test(s) ? Number(s) : s);
    return {
      ...(last ? {} : { hidden: num(width[1]!) as number }),
      heads: num(width[0]!) as number,
      attention: f[1] as GnnLayer['attention'],
      aggregator: f[2] as GnnLayer['aggregator'],
      combine: f[3] as GnnLayer['combine'],
      skip: f[4] as GnnLayer['skip'],
      activation: f[5] as GnnLayer['activation'],
    };
  });
  try {
    return [...gnnGenotype({ layers: layers as unknown as Json[] }).layers];
  } catch (e) {
    if (e instanceof NasxError) throw parseError(text, e.message, e.fix);
    throw e;
  }
}

export class GnnSearchSpace implements SearchSpace {
  readonly id = GNN_SPACE;
  readonly layers: number;
  readonly size: number;
  readonly encodingLength: number;
  private readonly decisionList: readonly {
    readonly name: string;
    readonly layer: number;
    readonly cls: GnnDecisionClass;
    readonly choices: readonly string[];
  }[];

  constructor(options: Partial<GnnOptions> = {}) {
    const o = withSchemaDefaults<GnnOptions>(gnnSchema, options);
    this.layers = o.layers;
    this.decisionList = Object.freeze(
      Array.from({ length: this.layers }, (_, i) =>
        layerClasses(i, this.layers).map((cls) =>
          Object.freeze({ name: `layer${i + 1}.${cls}`, layer: i, cls, choices: Object.freeze(CHOICES[cls].map(String)) }),
        ),
      ).flat(),
    );
    this.size = this.decisionList.reduce((p, d) => p * d.choices.length, 1);
    this.encodingLength = this.decisionList.reduce((s, d) => s + d.choices.length, 0);
  }

  private layersOf(arch: Architecture): GnnLayer[] {
    return [...gnnGenotype(this.validate(arch).genotype).layers];
  }

  private indices(arch: Architecture): number[] {
    const layers = this.layersOf(arch);
    return this.decisionList.map((d) => CHOICES[d.cls].indexOf(layers[d.layer]![d.cls] as never));
  }

  decisions(): readonly { readonly name: string; readonly choices: readonly string[] }[] {
    return this.decisionList;
  }

  /** The action class (`hidden`, `attention`, …) and layer of each decision, in `decisions()` order. */
  decisionClasses(): readonly { readonly layer: number; readonly cls: GnnDecisionClass }[] {
    return this.decisionList.map((d) => ({ layer: d.layer, cls: d.cls }));
  }

  fromDecisions(choices: readonly number[]): Architecture {
    if (choices.length !== this.decisionList.length) {
      throw new NasxError('architecture', `a ${this.layers}-layer GNN takes ${this.decisionList.length} decisions, got ${choices.length}`, {
        pkg: PKG,
        contribution: GNN_SPACE,
        fix: 'give one choice per entry of decisions()',
      });
    }
    const layers: { [k: string]: Json }[] = Array.from({ length: this.layers }, () => ({}));
    this.decisionList.forEach((d, k) => {
      const c = choices[k]!;
      if (!Number.isInteger(c) || c < 0 || c >= d.choices.length) {
        throw new NasxError('architecture', `decision ${d.name} has ${d.choices.length} choices, got ${c}`, {
          pkg: PKG,
          contribution: GNN_SPACE,
          fix: 'choose an index in range',
        });
      }
      layers[d.layer]![d.cls] = CHOICES[d.cls][c]!;
    });
    return gnnArchitecture(layers as unknown as GnnLayer[]);
  }

  toDecisions(arch: Architecture): number[] {
    return this.indices(arch);
  }

  /** Every decision uniform and independent. */
  sample(rng: Rng): Architecture {
    return this.fromDecisions(this.decisionList.map((d) => rng.int(d.choices.length)));
  }

  /** One decision (uniform over all) set to a uniformly chosen different choice. */
  mutate(arch: Architecture, rng: Rng): Architecture {
    const c = this.indices(arch);
    const k = rng.int(c.length);
    const n = this.decisionList[k]!.choices.length;
    c[k] = (c[k]! + 1 + rng.int(n - 1)) % n;
    return this.fromDecisions(c);
  }

  neighbours(arch: Architecture): Architecture[] {
    const c = this.indices(arch);
    const out: Architecture[] = [];
    c.forEach((v, k) => {
      for (let x = 0; x < this.decisionList[k]!.choices.length; x++) {
        if (x === v) continue;
        const next = [...c];
        next[k] = x;
        out.push(this.fromDecisions(next));
      }
    });
    return out;
  }

  /** Each decision from either parent with probability ½. */
  crossover(a: Architecture, b: Architecture, rng: Rng): Architecture {
    const ca = this.indices(a);
    const cb = this.indices(b);
    return this.fromDecisions(ca.map((v, k) => (rng.next() < 0.5 ? v : cb[k]!)));
  }

  encode(arch: Architecture): Float32Array {
    const c = this.indices(arch);
    const out = new Float32Array(this.encodingLength);
    let o = 0;
    this.decisionList.forEach((d, k) => {
      out[o + c[k]!] = 1;
      o += d.choices.length;
    });
    return out;
  }

  /** Input → one node per layer (op `gcn`, `gat` or `attention`, with every choice as attributes) → output. */
  toGraph(arch: Architecture): ArchGraph {
    const layers = this.layersOf(arch);
    const nodes: ArchGraphNode[] = [{ id: 'input', op: 'input' }];
    const edges: ArchGraphEdge[] = [];
    let prev = 'input';
    layers.forEach((l, i) => {
      const id = `layer${i + 1}`;
      const op = l.attention === 'gcn' ? 'gcn' : l.attention === 'gat' ? 'gat' : 'attention';
      nodes.push({ id, op, attrs: { ...(l as unknown as { [k: string]: Json }), output: i === layers.length - 1 } });
      edges.push({ from: prev, to: id });
      prev = id;
    });
    nodes.push({ id: 'output', op: 'output' });
    edges.push({ from: prev, to: 'output' });
    return { space: GNN_SPACE, level: 'network', nodes, edges, meta: { layers: layers.length } };
  }

  parse(text: string): Architecture {
    const layers = parseGnn(text);
    if (layers.length !== this.layers) {
      throw parseError(text, `it has ${layers.length} layer(s), but this space has ${this.layers} (option layers)`);
    }
    return gnnArchitecture(layers);
  }

  format(arch: Architecture): string {
    return formatGnn(gnnGenotype(this.validate(arch).genotype));
  }

  validate(arch: Architecture): Architecture {
    if (arch.space !== GNN_SPACE) {
      throw new NasxError('architecture', `an architecture of space "${arch.space}" was given to the gnn space`, {
        pkg: PKG,
        contribution: GNN_SPACE,
        fix: 'use GNN architectures (space: gnn) with graph tasks, and image spaces with image tasks',
      });
    }
    let g: GnnGenotype;
    try {
      g = gnnGenotype(arch.genotype);
    } catch (e) {
      if (e instanceof NasxError)
        throw new NasxError('architecture', e.message, { pkg: PKG, contribution: GNN_SPACE, fix: e.fix ?? 'use an architecture of the gnn space' });
      throw e;
    }
    if (g.layers.length !== this.layers) {
      throw new NasxError('architecture', `a GNN with ${g.layers.length} layer(s) is not in this ${this.layers}-layer space`, {
        pkg: PKG,
        contribution: GNN_SPACE,
        fix: `set the space's layers option to ${g.layers.length}, or use ${this.layers}-layer architectures`,
      });
    }
    return gnnArchitecture(g.layers);
  }
}

export function createGnnSearchSpace(options: Partial<GnnOptions> = {}): GnnSearchSpace {
  return new GnnSearchSpace(options);
}

/** The `gnn` contribution. */
export const gnnSearchSpace = defineSearchSpace<GnnOptions>({
  id: GNN_SPACE,
  title: 'Graph neural network layers (AGNN / GraphNAS)',
  description:
    "Per message-passing layer: hidden size 4-256, attention (const, gcn, gat, sym-gat, cos, linear, generalized-linear), heads 1-16, aggregator (sum, mean, max, mlp), combine (constant, mlp), skip (none, residual) and activation (8); the last layer outputs the task's classes.",
  optionsSchema: gnnSchema,
  create: (options) => createGnnSearchSpace(options),
});
