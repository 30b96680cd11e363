import type { InjectionToken } from 'tsyringe';
import type { ArchGraph, Architecture } from './architecture';

/**
 * Hardware latency of an architecture on a device: a lookup table (HW-NAS-Bench, HELP), a per-op
 * LUT summed over the graph (MnasNet, ProxylessNAS), a measurement on the local backend, or a
 * learned predictor.
 */
export interface LatencyModel {
  readonly id: string;
  /** Devices it knows, e.g. `pixel3`, `raspi4`, `local-wasm`. */
  readonly devices: readonly string[];
  /**
   * True when every latency is a lookup in a per-architecture table (no model, no measurement):
   * scoring a whole enumerable space is then cheap, and reports show the exact Pareto front.
   */
  readonly tabulated?: boolean;
  /** Latency in milliseconds; throws `NasxError('architecture')` for an unknown architecture. */
  predict(arch: Architecture | ArchGraph, device: string): number | Promise<number>;
  /** Many latencies at once, where batching is faster (a learned predictor); same values as {@link predict}. */
  predictMany?(archs: readonly (Architecture | ArchGraph)[], device: string): number[] | Promise<number[]>;
  /**
   * Energy of one inference in millijoules, for devices whose data has it (HW-NAS-Bench-360's
   * Raspberry Pi 5). The kernel adds it as the metric `energy_mj` (`energy_mj:<device>`) when present.
   */
  energy?(arch: Architecture | ArchGraph, device: string): number | Promise<number>;
  /**
   * Where the number comes from, recorded with the run (e.g. `tfjs wasm, 2 threads, median of 20`
   * for a measurement on the local backend).
   */
  readonly provenance?: string;
  /**
   * Keep what the model fitted in the run's state folder, so a resumed run reloads it (its factory
   * gets `stateDir` then). Called once the folder of a new run exists, which is after the model was
   * created (a run makes its folder only when everything composed).
   */
  save?(stateDir: string): void;
}

/** Injection token of the run's {@link LatencyModel}s (multi-registered). */
export const LatencyModel: InjectionToken<LatencyModel> = Symbol.for('nasx.LatencyModel');
