import type { ArchGraph, Json } from '@nasx/contracts';
import { NasxError } from '@nasx/contracts';
import { OpVocabulary, type EncodedBatch, type GraphEncoder } from '@nasx/predictors';
import { ID, PKG } from './latency-table';

/** The saved form of a {@link LatencyFeatureEncoder}. */
interface SavedEncoder {
  readonly space: string;
  readonly tokens: Json;
  readonly maxNodes: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * The input of the latency predictor: a fixed-length vector per graph, standardised column-wise on
 * the training graphs. Its parts:
 * - how often each op token occurs (latency is close to a function of the ops executed: on the
 *   HELP GPU and CPU settings but two drifting CPUs, the median latency of the cells with the same
 *   multiset of NB201 ops is within ±10 % of 93.8–100 % of the cells);
 * - each node's one-hot token at its position (where an op sits: which tensors it reads);
 * - the padded adjacency (for spaces whose wiring varies), nodes in the graph's order;
 * - log(1 + total FLOPs) and log(1 + total params) over the nodes that carry them.
 */
export class LatencyFeatureEncoder implements GraphEncoder {
  readonly inputShapes: { readonly [name: string]: readonly number[] };
  readonly width: number;

  private constructor(
    readonly space: string,
    readonly vocab: OpVocabulary,
    readonly maxNodes: number,
    private readonly mean: Float64Array,
    private readonly std: Float64Array,
  ) {
    this.width = LatencyFeatureEncoder.widthOf(vocab.size, maxNodes);
    this.inputShapes = { features: [this.width] };
  }

  private static widthOf(v: number, n: number): number {
    return v + n * v + n * n + 2;
  }

  /** Fits vocabulary, padded size and column scaling on the training graphs (all of one space). */
  static fit(graphs: readonly ArchGraph[]): LatencyFeatureEncoder {
    const space = graphs[0]!.space;
    const vocab = OpVocabulary.fromGraphs(graphs);
    const maxNodes = Math.max(...graphs.map((g) => g.nodes.length));
    const width = LatencyFeatureEncoder.widthOf(vocab.size, maxNodes);
    const raw = new LatencyFeatureEncoder(space, vocab, maxNodes, new Float64Array(width), new Float64Array(width).fill(1)).rawFeatures(graphs);
    const n = graphs.length;
    const mean = new Float64Array(width);
    const std = new Float64Array(width);
    for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) mean[j]! += raw[i * width + j]! / n;
    for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) std[j]! += (raw[i * width + j]! - mean[j]!) ** 2 / n;
    // A constant column (NB201's fixed wiring) stays centred at 0 instead of being divided by 0.
    for (let j = 0; j < width; j++) std[j] = std[j]! > 1e-12 ? Math.sqrt(std[j]!) : 1;
    return new LatencyFeatureEncoder(space, vocab, maxNodes, mean, std);
  }

  /** Restores a saved encoder. */
  static restore(state: Json): LatencyFeatureEncoder {
    const s = state as unknown as SavedEncoder;
    const vocab = OpVocabulary.fromJSON(s?.tokens);
    const width = LatencyFeatureEncoder.widthOf(vocab.size, s.maxNodes);
    if (!Array.isArray(s.mean) || s.mean.length !== width || !Array.isArray(s.std) || s.std.length !== width) {
      throw new NasxError('data', `latency model "${ID}": the saved feature scaling does not fit the saved vocabulary`, {
        pkg: PKG,
        contribution: ID,
        fix: 'delete the saved predictor state so that it is fitted again',
      });
    }
    return new LatencyFeatureEncoder(s.space, vocab, s.maxNodes, Float64Array.from(s.mean), Float64Array.from(s.std));
  }

  /**
   * The unscaled feature rows. Written straight into one array (no per-graph padded matrices as
   * `encodeGraph` makes): encoding is most of the cost of a batched prediction.
   */
  private rawFeatures(graphs: readonly ArchGraph[]): Float32Array {
    const V = this.vocab.size;
    const N = this.maxNodes;
    const W = this.width;
    const out = new Float32Array(graphs.length * W);
    const position = new Map<string, number>();
    graphs.forEach((g, i) => {
      if (g.space !== this.space) {
        throw new NasxError('architecture', `latency model "${ID}" was trained on graphs of space "${this.space}", not "${g.space}"`, {
          pkg: PKG,
          contribution: ID,
          fix: `search the ${this.space} space, or train the model on latencies of the space searched`,
        });
      }
      if (g.nodes.length > N) {
        throw new NasxError('architecture', `latency model "${ID}": a graph has ${g.nodes.length} nodes, more than the ${N} of its training graphs`, {
          pkg: PKG,
          contribution: ID,
          fix: 'train the model on graphs as large as those it predicts',
        });
      }
      const row = i * W;
      let flops = 0;
      let params = 0;
      position.clear();
      g.nodes.forEach((node, p) => {
        position.set(node.id, p);
        const op = this.vocab.indexOf(node);
        out[row + op]! += 1;
        out[row + V + p * V + op] = 1;
        if (typeof node.flops === 'number' && Number.isFinite(node.flops)) flops += node.flops;
        if (typeof node.params === 'number' && Number.isFinite(node.params)) params += node.params;
      });
      const adjacency = row + V + N * V;
      for (const e of g.edges) {
        const from = position.get(e.from);
        const to = position.get(e.to);
        if (from === undefined || to === undefined) {
          throw new NasxError(
            'architecture',
            `latency model "${ID}": a graph of space "${g.space}" has an edge ${e.from} → ${e.to} to a node that does not exist`,
            {
              pkg: PKG,
              contribution: ID,
              fix: 'make every edge of the ArchGraph join two of its nodes (a search-space bug)',
            },
          );
        }
        out[adjacency + from * N + to] = 1;
      }
      out[row + W - 2] = Math.log1p(flops);
      out[row + W - 1] = Math.log1p(params);
    });
    return out;
  }

  encode(graphs: readonly ArchGraph[]): EncodedBatch {
    const data = this.rawFeatures(graphs);
    const W = this.width;
    for (let i = 0; i < graphs.length; i++) for (let j = 0; j < W; j++) data[i * W + j] = (data[i * W + j]! - this.mean[j]!) / this.std[j]!;
    return { size: graphs.length, inputs: { features: { shape: [W], data } } };
  }

  toJSON(): Json {
    return { space: this.space, tokens: this.vocab.toJSON(), maxNodes: this.maxNodes, mean: Array.from(this.mean), std: Array.from(this.std) };
  }
}
