/**
 * The layer vocabulary of graph neural networks searched by AGNN (Zhou et al. 2019, "Auto-GNN",
 * Table 1) and GraphNAS (Gao et al. 2019): per message-passing layer, a hidden dimension, an
 * attention function, a number of attention heads, an aggregator, a combine function, a skip
 * connection and an activation. The search space plugin (`@nasx/search-space-gnn`) and the
 * builder here share these lists, so that a genotype the space makes is one the builder takes.
 */
import { NasxError, type Json } from '@nasx/contracts';

/** Hidden dimensions per head (AGNN: 4 … 256). */
export const GNN_HIDDEN = [4, 8, 16, 32, 64, 128, 256] as const;
/**
 * Attention functions (GraphNAS's formulas, on `x = hW` per head):
 * - `const`: every neighbour weighs 1 (a plain sum of messages);
 * - `gcn`: 1/√(dᵢdⱼ) with self-loops counted (Kipf & Welling's normalisation);
 * - `gat`: softmax over neighbours of LeakyReLU(aₗ·xᵢ + aᵣ·xⱼ) (Veličković et al.);
 * - `sym-gat`: the GAT score of (i, j) plus that of (j, i);
 * - `cos`: Σ (aₗ ⊙ xᵢ)(aᵣ ⊙ xⱼ);
 * - `linear`: tanh(aᵣ·xⱼ);
 * - `generalized-linear`: w · tanh(aₗ ⊙ xᵢ + aᵣ ⊙ xⱼ).
 * Every score but `const` and `gcn` is normalised by a softmax over the neighbours of node i.
 */
export const GNN_ATTENTIONS = ['const', 'gcn', 'gat', 'sym-gat', 'cos', 'linear', 'generalized-linear'] as const;
/** Attention heads (AGNN: 1, 2, 4, 6, 8, 16). */
export const GNN_HEADS = [1, 2, 4, 6, 8, 16] as const;
/**
 * Aggregators of the weighted messages: `sum`, `mean`, `max` (element-wise over neighbours),
 * `mlp` (the sum, then a two-layer perceptron with a ReLU and 128 hidden units per head, shared
 * across heads, as GIN does).
 */
export const GNN_AGGREGATORS = ['sum', 'mean', 'max', 'mlp'] as const;
/**
 * Combine functions of a node's own representation and its aggregated neighbours: `constant`
 * treats the node as its own neighbour (a self-loop, as GCN and GAT do); `mlp` aggregates the
 * other neighbours only and maps the concatenation [xᵢ ‖ aggᵢ] through a learned linear layer.
 */
export const GNN_COMBINES = ['constant', 'mlp'] as const;
/** Skip connections: none, or a learned linear map of the layer's input added before the activation. */
export const GNN_SKIPS = ['none', 'residual'] as const;
/** Activations (AGNN / GraphNAS). */
export const GNN_ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'linear', 'softplus', 'leaky-relu', 'relu6', 'elu'] as const;

export type GnnAttention = (typeof GNN_ATTENTIONS)[number];
export type GnnAggregator = (typeof GNN_AGGREGATORS)[number];
export type GnnCombine = (typeof GNN_COMBINES)[number];
export type GnnSkip = (typeof GNN_SKIPS)[number];
export type GnnActivation = (typeof GNN_ACTIVATIONS)[number];

/**
 * One message-passing layer. `hidden` is the dimension per head; the output layer has none (its
 * dimension is the task's number of classes, and its heads are averaged instead of concatenated).
 */
export interface GnnLayer {
  readonly hidden?: number;
  readonly attention: GnnAttention;
  readonly heads: number;
  readonly aggregator: GnnAggregator;
  readonly combine: GnnCombine;
  readonly skip: GnnSkip;
  readonly activation: GnnActivation;
}

/** A GNN: its layers, input to output. */
export interface GnnGenotype {
  readonly layers: readonly GnnLayer[];
}

/** The space id the GNN builder answers for. */
export const GNN_SPACE = 'gnn';

const PKG = '@nasx/tensor';

function bad(message: string, fix: string): NasxError {
  return new NasxError('architecture', message, { pkg: PKG, fix });
}

function oneOf<T extends string | number>(value: Json | undefined, list: readonly T[], what: string, layer: number): T {
  if (!(list as readonly Json[]).includes(value as Json)) {
    throw bad(`GNN layer ${layer + 1}: ${what} ${JSON.stringify(value)} is not one of ${list.join(', ')}`, `give layer ${layer + 1} a ${what} from that list`);
  }
  return value as T;
}

/**
 * Checks a GNN genotype (from a space, a file or a user) and returns it typed. Every layer but the
 * last has a `hidden` from {@link GNN_HIDDEN}; the last has none. Throws a `NasxError`
 * ('architecture') naming the layer and the field.
 */
export function gnnGenotype(genotype: Json): GnnGenotype {
  const layers = (genotype as { layers?: Json } | null)?.layers;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw bad('a GNN genotype is { layers: [ … ] } with at least one layer', 'build GNN architectures with the gnn space (sample, parse)');
  }
  const out = layers.map((raw, i): GnnLayer => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(`GNN layer ${i + 1} is not an object`, 'give each layer its fields');
    const l = raw as { [k: string]: Json };
    const last = i === layers.length - 1;
    if (last && l['hidden'] !== undefined) {
      throw bad(
        `GNN layer ${i + 1} is the output layer, whose dimension is the number of classes, but it has hidden ${JSON.stringify(l['hidden'])}`,
        'drop hidden from the last layer',
      );
    }
    if (!last && l['hidden'] === 0) {
      throw bad(`GNN layer ${i + 1} has a hidden size of 0`, `give it one of ${GNN_HIDDEN.join(', ')}`);
    }
    const known = new Set(['hidden', 'attention', 'heads', 'aggregator', 'combine', 'skip', 'activation']);
    const extra = Object.keys(l).filter((k) => !known.has(k));
    if (extra.length) throw bad(`GNN layer ${i + 1} has unknown field(s) ${extra.join(', ')}`, `use only ${[...known].join(', ')}`);
    return {
      ...(last ? {} : { hidden: oneOf(l['hidden'], GNN_HIDDEN, 'hidden size', i) }),
      attention: oneOf(l['attention'], GNN_ATTENTIONS, 'attention', i),
      heads: oneOf(l['heads'], GNN_HEADS, 'number of heads', i),
      aggregator: oneOf(l['aggregator'], GNN_AGGREGATORS, 'aggregator', i),
      combine: oneOf(l['combine'], GNN_COMBINES, 'combine function', i),
      skip: oneOf(l['skip'], GNN_SKIPS, 'skip connection', i),
      activation: oneOf(l['activation'], GNN_ACTIVATIONS, 'activation', i),
    };
  });
  return { layers: out };
}

/** Output width of each layer: hidden × heads for hidden layers (concatenated), `classes` for the last. */
export function gnnLayerWidths(g: GnnGenotype, classes: number): number[] {
  return g.layers.map((l, i) => (i === g.layers.length - 1 ? classes : l.hidden! * l.heads));
}
