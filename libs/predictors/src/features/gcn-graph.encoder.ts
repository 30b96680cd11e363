import type { ArchGraph, Json } from '@nasx/contracts';
import { predictorError } from '../predictor-error';
import type { EncodedBatch, GraphEncoder } from '../model/predictor-model';
import { directedPropagation, encodeGraph } from './graph-encoding';
import { OpVocabulary } from './op-vocabulary';

/** Options of {@link GcnGraphEncoder.fit}. */
export interface GcnEncoderOptions {
  /** Padded graph size (default: the largest training graph). */
  readonly maxNodes?: number;
}

interface Scale {
  readonly mean: number;
  readonly std: number;
}

interface GcnEncoderState {
  readonly type: 'gcn-graph';
  readonly vocabulary: string[];
  readonly maxNodes: number;
  /** Standardisation of log(1 + FLOPs) / log(1 + params) over real nodes, when the training graphs have them. */
  readonly flops: Scale | null;
  readonly params: Scale | null;
}

/**
 * Inputs of a graph convolutional predictor, from {@link ArchGraph}s alone:
 * - `features` `[N, F]`: one-hot token over the vocabulary, then standardised log(1 + FLOPs) and
 *   log(1 + params) columns when the training graphs carry them;
 * - `incoming`, `outgoing` `[N, N]`: the two propagation matrices of {@link directedPropagation};
 * - `mask` `[N, 1]`: 1 for real nodes (for pooling).
 */
export class GcnGraphEncoder implements GraphEncoder {
  readonly inputShapes: { readonly [name: string]: readonly number[] };
  readonly vocabulary: OpVocabulary;

  private constructor(private readonly state: GcnEncoderState) {
    this.vocabulary = OpVocabulary.fromJSON(state.vocabulary);
    const N = state.maxNodes;
    this.inputShapes = { features: [N, this.featureWidth], incoming: [N, N], outgoing: [N, N], mask: [N, 1] };
  }

  /** Fits the vocabulary, size and feature scaling on training graphs. */
  static fit(graphs: readonly ArchGraph[], options: GcnEncoderOptions = {}): GcnGraphEncoder {
    const largest = Math.max(0, ...graphs.map((g) => g.nodes.length));
    const maxNodes = options.maxNodes ?? largest;
    if (largest > maxNodes) {
      throw predictorError(
        'config',
        `a training graph has ${largest} nodes, more than maxNodes = ${maxNodes}`,
        `raise "maxNodes" to at least ${largest}, or leave it out to use the largest training graph`,
      );
    }
    const logs = (key: 'flops' | 'params'): Scale | null => {
      const xs: number[] = [];
      for (const g of graphs) for (const n of g.nodes) if (typeof n[key] === 'number' && Number.isFinite(n[key])) xs.push(Math.log1p(Math.max(0, n[key]!)));
      if (xs.length === 0) return null;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      return { mean, std: std > 0 ? std : 1 };
    };
    return new GcnGraphEncoder({
      type: 'gcn-graph',
      vocabulary: OpVocabulary.fromGraphs(graphs).toJSON(),
      maxNodes,
      flops: logs('flops'),
      params: logs('params'),
    });
  }

  /** Restores a saved encoder. */
  static fromJSON(json: Json): GcnGraphEncoder {
    const s = json as unknown as GcnEncoderState;
    if (!s || s.type !== 'gcn-graph' || !Number.isInteger(s.maxNodes) || s.maxNodes < 1) {
      throw predictorError(
        'data',
        'the saved predictor state does not hold a GCN graph encoder',
        'delete the saved predictor state so that it is fitted again',
      );
    }
    return new GcnGraphEncoder(s);
  }

  /** Padded graph size N. */
  get maxNodes(): number {
    return this.state.maxNodes;
  }

  /** Width F of a node's feature row. */
  get featureWidth(): number {
    return this.vocabulary.size + (this.state.flops ? 1 : 0) + (this.state.params ? 1 : 0);
  }

  encode(graphs: readonly ArchGraph[]): EncodedBatch {
    const N = this.state.maxNodes;
    const V = this.vocabulary.size;
    const F = this.featureWidth;
    const B = graphs.length;
    const features = new Float32Array(B * N * F);
    const incoming = new Float32Array(B * N * N);
    const outgoing = new Float32Array(B * N * N);
    const mask = new Float32Array(B * N);
    graphs.forEach((graph, b) => {
      const g = encodeGraph(graph, this.vocabulary, N);
      const p = directedPropagation(g);
      incoming.set(p.incoming, b * N * N);
      outgoing.set(p.outgoing, b * N * N);
      mask.set(g.mask, b * N);
      for (let i = 0; i < N; i++) {
        const row = (b * N + i) * F;
        features.set(g.features.subarray(i * V, (i + 1) * V), row);
        let c = V;
        for (const [key, scale] of [
          ['flops', this.state.flops],
          ['params', this.state.params],
        ] as const) {
          if (!scale) continue;
          const v = g[key];
          if (g.mask[i] && v) features[row + c] = (Math.log1p(Math.max(0, v[i]!)) - scale.mean) / scale.std;
          c++;
        }
      }
    });
    return {
      size: B,
      inputs: {
        features: { shape: [N, F], data: features },
        incoming: { shape: [N, N], data: incoming },
        outgoing: { shape: [N, N], data: outgoing },
        mask: { shape: [N, 1], data: mask },
      },
    };
  }

  toJSON(): Json {
    return { ...this.state } as unknown as Json;
  }
}
