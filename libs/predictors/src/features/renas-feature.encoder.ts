import type { ArchGraph, Json } from '@nasx/contracts';
import { predictorError } from '../predictor-error';
import type { EncodedBatch, GraphEncoder } from '../model/predictor-model';
import { encodeGraph, type EncodedGraph } from './graph-encoding';
import { OpVocabulary } from './op-vocabulary';

/** A channel of the ReNAS feature tensor. */
export type RenasChannel = 'type' | 'flops' | 'params';

/**
 * The ReNAS feature tensor of one encoded graph (Xu et al., "ReNAS: Relativistic Evaluation of
 * Neural Architecture Search", CVPR 2021, Sec. 3.2 and Fig. 1(c)–(e)): N×N matrices stacked as the
 * channels of an image, channels last (`[N, N, C]`, row-major), one per entry of `channels`:
 * - `type`: the adjacency matrix with each edge i → j replaced by the op code of node j (its
 *   vocabulary index + 1, so 0 stays "no edge"): the node-type vector broadcast over the columns
 *   and multiplied element-wise with the adjacency;
 * - `flops`, `params`: the same with node j's FLOPs or parameter count (0 where unknown).
 *
 * Every node but the input has an incoming edge, so every op appears in its column; the input
 * node's type is the same in every graph and carries no information.
 */
export function renasFeatureTensor(g: EncodedGraph, channels: readonly RenasChannel[]): Float32Array {
  const N = g.maxNodes;
  const C = channels.length;
  const out = new Float32Array(N * N * C);
  const column = channels.map((c) => (c === 'type' ? Float32Array.from(g.ops, (op) => (op >= 0 ? op + 1 : 0)) : (g[c] ?? new Float32Array(N))));
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      if (!g.adjacency[i * N + j]) continue;
      for (let c = 0; c < C; c++) out[(i * N + j) * C + c] = column[c]![j]!;
    }
  }
  return out;
}

/** Options of {@link RenasFeatureEncoder.fit}. */
export interface RenasEncoderOptions {
  /** Padded graph size (default: the largest training graph). */
  readonly maxNodes?: number;
}

interface RenasEncoderState {
  readonly type: 'renas-feature';
  readonly vocabulary: string[];
  readonly maxNodes: number;
  readonly channels: RenasChannel[];
  /** Per-element standardisation of the N·N·C features, fitted on the training tensors. */
  readonly mean: number[];
  readonly std: number[];
}

/**
 * The input of a ReNAS predictor: the feature tensor (`tensor`, `[N, N, C]`) of each graph, with
 * the output node padded to the last position (Fig. 1(d)) and each of the N·N·C features
 * standardised with the training set's mean and standard deviation, as the authors' code does
 * (scikit-learn `StandardScaler`; a constant feature is centred only). The `flops` and `params`
 * channels are there when the training graphs carry those numbers.
 */
export class RenasFeatureEncoder implements GraphEncoder {
  readonly inputShapes: { readonly [name: string]: readonly number[] };
  readonly vocabulary: OpVocabulary;
  private readonly mean: Float32Array;
  private readonly std: Float32Array;

  private constructor(private readonly state: RenasEncoderState) {
    this.vocabulary = OpVocabulary.fromJSON(state.vocabulary);
    const N = state.maxNodes;
    this.inputShapes = { tensor: [N, N, state.channels.length] };
    this.mean = Float32Array.from(state.mean);
    this.std = Float32Array.from(state.std);
  }

  /** Fits the vocabulary, size, channels and standardisation on training graphs. */
  static fit(graphs: readonly ArchGraph[], options: RenasEncoderOptions = {}): RenasFeatureEncoder {
    const largest = Math.max(0, ...graphs.map((g) => g.nodes.length));
    const maxNodes = options.maxNodes ?? largest;
    if (largest > maxNodes) {
      throw predictorError(
        'config',
        `a training graph has ${largest} nodes, more than maxNodes = ${maxNodes}`,
        `raise "maxNodes" to at least ${largest}, or leave it out to use the largest training graph`,
      );
    }
    const has = (key: 'flops' | 'params') => graphs.some((g) => g.nodes.some((n) => typeof n[key] === 'number' && Number.isFinite(n[key])));
    const channels: RenasChannel[] = ['type', ...(has('flops') ? (['flops'] as const) : []), ...(has('params') ? (['params'] as const) : [])];
    const vocabulary = OpVocabulary.fromGraphs(graphs);
    const size = maxNodes * maxNodes * channels.length;
    const raw = graphs.map((g) => renasFeatureTensor(encodeGraph(g, vocabulary, maxNodes, { outputLast: true }), channels));
    const mean = new Array<number>(size).fill(0);
    const std = new Array<number>(size).fill(1);
    if (raw.length > 0) {
      for (let k = 0; k < size; k++) {
        let s = 0;
        for (const t of raw) s += t[k]!;
        const m = s / raw.length;
        let v = 0;
        for (const t of raw) v += (t[k]! - m) ** 2;
        const sd = Math.sqrt(v / raw.length);
        mean[k] = m;
        std[k] = sd > 0 ? sd : 1;
      }
    }
    return new RenasFeatureEncoder({ type: 'renas-feature', vocabulary: vocabulary.toJSON(), maxNodes, channels, mean, std });
  }

  /** Restores a saved encoder. */
  static fromJSON(json: Json): RenasFeatureEncoder {
    const s = json as unknown as RenasEncoderState;
    const size = s && Number.isInteger(s.maxNodes) && Array.isArray(s.channels) ? s.maxNodes * s.maxNodes * s.channels.length : -1;
    if (!s || s.type !== 'renas-feature' || size <= 0 || s.mean?.length !== size || s.std?.length !== size) {
      throw predictorError(
        'data',
        'the saved predictor state does not hold a ReNAS feature encoder',
        'delete the saved predictor state so that it is fitted again',
      );
    }
    return new RenasFeatureEncoder(s);
  }

  /** Padded graph size N. */
  get maxNodes(): number {
    return this.state.maxNodes;
  }

  /** The channels, in order. */
  get channels(): readonly RenasChannel[] {
    return this.state.channels;
  }

  encode(graphs: readonly ArchGraph[]): EncodedBatch {
    const N = this.state.maxNodes;
    const size = N * N * this.state.channels.length;
    const data = new Float32Array(graphs.length * size);
    graphs.forEach((graph, b) => {
      const t = renasFeatureTensor(encodeGraph(graph, this.vocabulary, N, { outputLast: true }), this.state.channels);
      for (let k = 0; k < size; k++) data[b * size + k] = (t[k]! - this.mean[k]!) / this.std[k]!;
    });
    return { size: graphs.length, inputs: { tensor: { shape: [N, N, this.state.channels.length], data } } };
  }

  toJSON(): Json {
    return { ...this.state } as unknown as Json;
  }
}
