import type { ArchGraph, Json } from '@nasx/contracts';
import { NasxError } from '@nasx/contracts';
import { SeededRandom, trainPredictorNetwork, type EncodedBatch, type SavedTensor } from '@nasx/predictors';
import { assertTensorBackend, tf } from '@nasx/tensor';
import { LatencyFeatureEncoder } from './latency-features.encoder';
import { LatencyNetwork } from './latency-network';
import { ID, PKG } from './latency-table';

/** Version of the saved form. */
export const LEARNED_STATE_VERSION = 2;
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
  /**
   * Networks trained independently (seeds {@link memberSeed}) whose standardised outputs are
   * averaged: averaging removes part of each network's fitting noise from the basis that the
   * few-shot adaptation combines (chosen on HELP's meta-validation devices, see the README).
   */
  readonly ensemble: number;
  readonly signal?: AbortSignal;
}

/** A device fitted from a few measurements: log(ms) = intercept + Σ weight_k · output_k. */
export interface AdaptedDevice {
  readonly device: string;
  readonly weights: readonly number[];
  readonly intercept: number;
  readonly samples: number;
}

/** How an adaptation fits the target's measurements. */
export interface AdaptFit {
  /** Ridge penalty on the weights (the intercept is not penalised). */
  readonly lambda: number;
  /**
   * `huber` (Huber's M-estimator, k = 1.345 robust standard deviations, by iteratively reweighted
   * least squares): one slow or quantised measurement among a handful does not tilt the fit;
   * `l2`: plain ridge regression.
   */
  readonly loss: 'huber' | 'l2';
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
  /** The ensemble's networks, each its saved parameters. */
  readonly members: readonly { readonly parameters: readonly SavedTensor[]; readonly buffers: readonly SavedTensor[] }[];
}

function logMs(ms: number): number {
  return Math.log(Math.max(ms, FLOOR_MS));
}

/** Seed of the ensemble's m-th network (the first keeps the model's seed). */
export function memberSeed(seed: number, member: number): number {
  return seed + 10_007 * member;
}

/** Huber's tuning constant for 95 % efficiency under Gaussian noise (Huber 1981). */
const HUBER_K = 1.345;

/**
 * Weighted ridge regression y ≈ b + X·w with an unpenalised intercept: solves
 * (Xcᵀ U Xc + λI) w = Xcᵀ U (y − ȳ) on columns centred by the weighted means.
 */
function weightedRidge(X: readonly Float64Array[], y: readonly number[], u: readonly number[], lambda: number): { w: Float64Array; b: number } {
  const D = X[0]!.length;
  const su = u.reduce((a, b) => a + b, 0);
  const mu = new Float64Array(D);
  let ym = 0;
  X.forEach((row, i) => {
    ym += (u[i]! * y[i]!) / su;
    for (let j = 0; j < D; j++) mu[j]! += (u[i]! * row[j]!) / su;
  });
  const A = Array.from({ length: D }, (_, j) => Float64Array.from({ length: D + 1 }, (_, k) => (k === j ? lambda + 1e-9 : 0)));
  X.forEach((row, i) => {
    for (let j = 0; j < D; j++) {
      const xj = row[j]! - mu[j]!;
      A[j]![D]! += u[i]! * xj * (y[i]! - ym);
      for (let k = 0; k < D; k++) A[j]![k]! += u[i]! * xj * (row[k]! - mu[k]!);
    }
  });
  // Gauss-Jordan elimination with partial pivoting (D is the number of training devices).
  for (let c = 0; c < D; c++) {
    let p = c;
    for (let r = c + 1; r < D; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    for (let r = 0; r < D; r++) {
      if (r === c || A[c]![c] === 0) continue;
      const f = A[r]![c]! / A[c]![c]!;
      for (let k = c; k <= D; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  const w = Float64Array.from({ length: D }, (_, j) => (A[j]![j] === 0 ? 0 : A[j]![D]! / A[j]![j]!));
  let b = ym;
  for (let j = 0; j < D; j++) b -= mu[j]! * w[j]!;
  return { w, b };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Ridge regression of `y` on the rows of `X`, with squared loss or Huber's loss (IRLS: weights
 * min(1, k·s/|r|) with s the residuals' normalised median absolute deviation, 50 steps at most).
 */
export function fitAdaptation(X: readonly Float64Array[], y: readonly number[], fit: AdaptFit): { w: Float64Array; b: number } {
  const ones = y.map(() => 1);
  let sol = weightedRidge(X, y, ones, fit.lambda);
  if (fit.loss === 'l2') return sol;
  for (let step = 0; step < 50; step++) {
    const r = X.map((row, i) => y[i]! - sol.b - row.reduce((a, v, j) => a + v * sol.w[j]!, 0));
    const mid = median(r);
    const scale = 1.4826 * median(r.map((v) => Math.abs(v - mid)));
    if (!(scale > 1e-12)) break;
    const u = r.map((v) => Math.min(1, (HUBER_K * scale) / Math.max(Math.abs(v), 1e-300)));
    const next = weightedRidge(X, y, u, fit.lambda);
    const moved = Math.abs(next.b - sol.b) + next.w.reduce((a, v, j) => a + Math.abs(v - sol.w[j]!), 0);
    sol = next;
    if (moved < 1e-9) break;
  }
  return sol;
}

/**
 * The `learned` latency predictor. Training (one or more devices): an ensemble of
 * {@link LatencyNetwork}s regresses each device's standardised log-latency (L1 or MSE), so the
 * error it minimises is the relative error. Adaptation to a device it was not trained on (HELP's
 * few-shot setting, Lee et al., NeurIPS 2021): the device's log-latency is fitted by robust
 * (Huber) ridge regression on the training devices' predicted standardised log-latencies, from a
 * few measured cells. The fitted weights play the role of HELP's hardware embedding (how the new
 * device relates to the known ones); unlike HELP there is no MAML inner loop, the fit is a few
 * closed-form solves.
 */
export class LearnedLatencyPredictor {
  private readonly index: ReadonlyMap<string, number>;
  private readonly adaptedByName: Map<string, AdaptedDevice>;

  private constructor(
    readonly encoder: LatencyFeatureEncoder,
    /** The ensemble's networks (one when `ensemble` is 1). */
    readonly networks: readonly LatencyNetwork[],
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
    const networks: LatencyNetwork[] = [];
    try {
      for (let m = 0; m < training.ensemble; m++) {
        const seed = memberSeed(training.seed, m);
        const network = new LatencyNetwork(W, training.hidden, D, seed);
        networks.push(network);
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
          { seed, signal: training.signal },
        );
      }
    } catch (e) {
      networks.forEach((n) => n.parameters.dispose());
      throw e;
    }
    return new LearnedLatencyPredictor(encoder, networks, scaling, training.seed, []);
  }

  /** Restores a saved predictor (a state of another format is a `data` error). */
  static restore(state: LearnedLatencyState): LearnedLatencyPredictor {
    if (
      state?.format !== 'nasx-learned-latency' ||
      state.version !== LEARNED_STATE_VERSION ||
      !Array.isArray(state.devices) ||
      !Array.isArray(state.members) ||
      state.members.length === 0
    ) {
      throw new NasxError('data', `latency model "${ID}": the saved state is not a learned latency model of version ${LEARNED_STATE_VERSION}`, {
        pkg: PKG,
        contribution: ID,
        fix: 'delete the saved state file so that the model is fitted again',
      });
    }
    const encoder = LatencyFeatureEncoder.restore(state.encoder);
    const networks: LatencyNetwork[] = [];
    try {
      state.members.forEach((saved, m) => {
        const network = new LatencyNetwork(encoder.width, state.hidden, state.devices.length, memberSeed(state.seed, m));
        networks.push(network);
        network.parameters.load(saved);
      });
    } catch (e) {
      networks.forEach((n) => n.parameters.dispose());
      throw e;
    }
    return new LearnedLatencyPredictor(encoder, networks, state.devices, state.seed, state.adapted ?? []);
  }

  /** Devices it answers for: the training devices, then the adapted ones. */
  get knownDevices(): string[] {
    return [...this.devices.map((d) => d.name), ...this.adaptedByName.keys()];
  }

  /**
   * Adapts to `device` from its measured latencies of `graphs`: ridge regression (penalty
   * `fit.lambda`, unpenalised intercept, squared or Huber loss) of log(ms) on the training
   * devices' standardised outputs.
   */
  adapt(device: string, graphs: readonly ArchGraph[], latencies: readonly number[], fit: AdaptFit): AdaptedDevice {
    const z = this.outputs(graphs);
    const D = this.devices.length;
    const rows = graphs.map((_, i) => Float64Array.from(z.subarray(i * D, (i + 1) * D)));
    const { w, b } = fitAdaptation(rows, latencies.map(logMs), fit);
    const adapted: AdaptedDevice = { device, weights: Array.from(w), intercept: b, samples: graphs.length };
    this.adaptedByName.set(device, adapted);
    return adapted;
  }

  /** The training devices' standardised outputs (mean over the ensemble), row-major `[graphs, devices]`. */
  private outputs(graphs: readonly ArchGraph[], chunk = 4096): Float32Array {
    assertTensorBackend('predicting latency');
    const W = this.encoder.width;
    const D = this.devices.length;
    const out = new Float32Array(graphs.length * D);
    for (let start = 0; start < graphs.length; start += chunk) {
      const part = graphs.slice(start, start + chunk);
      const data = this.encoder.encode(part).inputs['features']!.data;
      const y = tf.tidy(() => {
        const x = tf.tensor2d(data, [part.length, W]);
        const heads = this.networks.map((n) => n.heads(x));
        return heads.length === 1 ? heads[0]! : tf.div(tf.addN(heads), heads.length);
      });
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
      hidden: this.networks[0]!.hidden,
      seed: this.seed,
      devices: this.devices,
      encoder: this.encoder.toJSON(),
      adapted: options.adapted === false ? [] : [...this.adaptedByName.values()],
      members: this.networks.map((n) => n.parameters.save()),
    };
  }

  /** Frees the networks' variables. */
  dispose(): void {
    this.networks.forEach((n) => n.parameters.dispose());
  }
}

/** A seeded sample of `k` distinct indices below `n` (the first `k` of a seeded permutation). */
export function sampleRows(n: number, k: number, seed: number, label: string): number[] {
  return Array.from(new SeededRandom(seed, label).permutation(n).subarray(0, k));
}
