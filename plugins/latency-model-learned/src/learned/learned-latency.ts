import type { ArchGraph, Json } from '@nasx/contracts';
import { NasxError } from '@nasx/contracts';
import { RidgeRegression, SeededRandom, trainPredictorNetwork, type EncodedBatch, type SavedTensor } from '@nasx/predictors';
import { assertTensorBackend, tf } from '@nasx/tensor';
import { LatencyFeatureEncoder } from './latency-features.encoder';
import { LatencyNetwork } from './latency-network';
import { ID, PKG } from './latency-table';

/** Version of the saved form. */
export const LEARNED_STATE_VERSION = 1;
/** Latencies are floored here before the log (HW-NAS-Bench's cut-off cells measure ~0.003 ms). */
const FLOOR_MS = 1e-3;

/** Measured latencies of one device on some graphs. */
export interface DeviceSamples {
  readonly device: string;
  readonly latencies: readonly number[];
}

/** How the network is trained. */
export interface LearnedTraining {
  readonly seed: number;
  readonly hidden: number;
  readonly epochs: number;
  /** Cells per device in a mini-batch (a batch holds this many cells of every training device). */
  readonly batchSize: number;
  readonly learningRate: number;
  /** `l1` (median regression in log space, robust to measurement drift) or `mse`. */
  readonly loss: 'l1' | 'mse';
  readonly signal?: AbortSignal;
}

/** A device fitted from a few measurements: log(ms) = intercept + Σ weight_k · output_k. */
export interface AdaptedDevice {
  readonly device: string;
  readonly weights: readonly number[];
  readonly intercept: number;
  readonly samples: number;
}

/** The saved form of a {@link LearnedLatencyPredictor}. */
export interface LearnedLatencyState {
  readonly format: 'nasx-learned-latency';
  readonly version: number;
  readonly hidden: number;
  readonly seed: number;
  /** Training devices, in output order, with the log-latency scaling of each output. */
  readonly devices: readonly { readonly name: string; readonly mean: number; readonly std: number }[];
  readonly encoder: Json;
  readonly adapted: readonly AdaptedDevice[];
  readonly parameters: readonly SavedTensor[];
  readonly buffers: readonly SavedTensor[];
}

function logMs(ms: number): number {
  return Math.log(Math.max(ms, FLOOR_MS));
}

/**
 * The `learned` latency predictor. Training (one or more devices): a {@link LatencyNetwork}
 * regresses each device's standardised log-latency with MSE, so the error it minimises is the
 * relative error. Adaptation to a device it was not trained on (HELP's few-shot setting, Lee et
 * al., NeurIPS 2021): the device's log-latency is fitted by ridge regression on the training
 * devices' predicted standardised log-latencies, from a few measured cells. The fitted weights play
 * the role of HELP's hardware embedding (how the new device relates to the known ones); unlike
 * HELP there is no MAML inner loop, the ridge fit is closed-form.
 */
export class LearnedLatencyPredictor {
  private readonly index: ReadonlyMap<string, number>;
  private readonly adaptedByName: Map<string, AdaptedDevice>;

  private constructor(
    readonly encoder: LatencyFeatureEncoder,
    readonly network: LatencyNetwork,
    readonly devices: readonly { readonly name: string; readonly mean: number; readonly std: number }[],
    readonly seed: number,
    adapted: readonly AdaptedDevice[],
  ) {
    this.index = new Map(devices.map((d, i) => [d.name, i]));
    this.adaptedByName = new Map(adapted.map((a) => [a.device, a]));
  }

  /** Fits on `graphs` and every device's measured latency of each graph (same order). */
  static async fit(graphs: readonly ArchGraph[], measured: readonly DeviceSamples[], training: LearnedTraining): Promise<LearnedLatencyPredictor> {
    assertTensorBackend('training the learned latency model');
    const n = graphs.length;
    const D = measured.length;
    const encoder = LatencyFeatureEncoder.fit(graphs);
    const features = encoder.encode(graphs).inputs['features']!.data;
    const W = encoder.width;
    const scaling = measured.map((m) => {
      const y = m.latencies.map(logMs);
      const mean = y.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
      return { name: m.device, mean, std: sd > 1e-9 ? sd : 1 };
    });
    // One sample per (cell, device): the cell's features and the device's one-hot row.
    const x = new Float32Array(n * D * W);
    const onehot = new Float32Array(n * D * D);
    const targets = new Float32Array(n * D);
    for (let d = 0; d < D; d++) {
      for (let i = 0; i < n; i++) {
        const s = d * n + i;
        x.set(features.subarray(i * W, (i + 1) * W), s * W);
        onehot[s * D + d] = 1;
        targets[s] = (logMs(measured[d]!.latencies[i]!) - scaling[d]!.mean) / scaling[d]!.std;
      }
    }
    const batch: EncodedBatch = { size: n * D, inputs: { features: { shape: [W], data: x }, device: { shape: [D], data: onehot } } };
    const network = new LatencyNetwork(W, training.hidden, D, training.seed);
    try {
      await trainPredictorNetwork(
        network,
        batch,
        targets,
        {
          loss: training.loss,
          epochs: training.epochs,
          batchSize: training.batchSize * D,
          learningRate: training.learningRate,
          weightDecay: 0,
          schedule: 'cosine',
        },
        { seed: training.seed, signal: training.signal },
      );
    } catch (e) {
      network.parameters.dispose();
      throw e;
    }
    return new LearnedLatencyPredictor(encoder, network, scaling, training.seed, []);
  }

  /** Restores a saved predictor (a state of another format is a `data` error). */
  static restore(state: LearnedLatencyState): LearnedLatencyPredictor {
    if (state?.format !== 'nasx-learned-latency' || state.version !== LEARNED_STATE_VERSION || !Array.isArray(state.devices)) {
      throw new NasxError('data', `latency model "${ID}": the saved state is not a learned latency model of version ${LEARNED_STATE_VERSION}`, {
        pkg: PKG,
        contribution: ID,
        fix: 'delete the saved state file so that the model is fitted again',
      });
    }
    const encoder = LatencyFeatureEncoder.restore(state.encoder);
    const network = new LatencyNetwork(encoder.width, state.hidden, state.devices.length, state.seed);
    try {
      network.parameters.load(state);
    } catch (e) {
      network.parameters.dispose();
      throw e;
    }
    return new LearnedLatencyPredictor(encoder, network, state.devices, state.seed, state.adapted ?? []);
  }

  /** Devices it answers for: the training devices, then the adapted ones. */
  get knownDevices(): string[] {
    return [...this.devices.map((d) => d.name), ...this.adaptedByName.keys()];
  }

  /**
   * Adapts to `device` from its measured latencies of `graphs`: ridge regression (penalty
   * `lambda`, unpenalised intercept) of log(ms) on the training devices' standardised outputs.
   */
  adapt(device: string, graphs: readonly ArchGraph[], latencies: readonly number[], lambda: number): AdaptedDevice {
    const z = this.outputs(graphs);
    const D = this.devices.length;
    const rows = graphs.map((_, i) => z.subarray(i * D, (i + 1) * D));
    const ridge = new RidgeRegression(lambda).fit(rows, latencies.map(logMs));
    // The weights are read back through predictions on the unit vectors (RidgeRegression keeps them private).
    const intercept = ridge.predict([new Float64Array(D)])[0]!;
    const weights = Array.from(
      ridge.predict(Array.from({ length: D }, (_, k) => Float64Array.from({ length: D }, (_, j) => (j === k ? 1 : 0)))),
      (v) => v - intercept,
    );
    const adapted: AdaptedDevice = { device, weights, intercept, samples: graphs.length };
    this.adaptedByName.set(device, adapted);
    return adapted;
  }

  /** The training devices' standardised outputs, row-major `[graphs, devices]`. */
  private outputs(graphs: readonly ArchGraph[], chunk = 4096): Float32Array {
    assertTensorBackend('predicting latency');
    const W = this.encoder.width;
    const D = this.devices.length;
    const out = new Float32Array(graphs.length * D);
    for (let start = 0; start < graphs.length; start += chunk) {
      const part = graphs.slice(start, start + chunk);
      const data = this.encoder.encode(part).inputs['features']!.data;
      const y = tf.tidy(() => this.network.heads(tf.tensor2d(data, [part.length, W])));
      out.set(y.dataSync() as Float32Array, start * D);
      y.dispose();
    }
    return out;
  }

  /** Latencies in ms of `graphs` on `device` (a training or an adapted device). */
  predict(graphs: readonly ArchGraph[], device: string): number[] {
    const D = this.devices.length;
    const k = this.index.get(device);
    const adapted = this.adaptedByName.get(device);
    if (k === undefined && !adapted) {
      throw new NasxError('config', `latency model "${ID}" knows no device "${device}"`, {
        pkg: PKG,
        contribution: ID,
        fix: `ask for one of: ${this.knownDevices.join(', ')}`,
      });
    }
    const z = this.outputs(graphs);
    const out = new Array<number>(graphs.length);
    for (let i = 0; i < graphs.length; i++) {
      let log: number;
      if (k !== undefined) log = z[i * D + k]! * this.devices[k]!.std + this.devices[k]!.mean;
      else {
        log = adapted!.intercept;
        for (let j = 0; j < D; j++) log += adapted!.weights[j]! * z[i * D + j]!;
      }
      out[i] = Math.exp(log);
    }
    return out;
  }

  /** The saved form (with `adapted: false`, the trained network alone). */
  toState(options: { adapted?: boolean } = {}): LearnedLatencyState {
    return {
      format: 'nasx-learned-latency',
      version: LEARNED_STATE_VERSION,
      hidden: this.network.hidden,
      seed: this.seed,
      devices: this.devices,
      encoder: this.encoder.toJSON(),
      adapted: options.adapted === false ? [] : [...this.adaptedByName.values()],
      ...this.network.parameters.save(),
    };
  }

  /** Frees the network's variables. */
  dispose(): void {
    this.network.parameters.dispose();
  }
}

/** A seeded sample of `k` distinct indices below `n` (the first `k` of a seeded permutation). */
export function sampleRows(n: number, k: number, seed: number, label: string): number[] {
  return Array.from(new SeededRandom(seed, label).permutation(n).subarray(0, k));
}
