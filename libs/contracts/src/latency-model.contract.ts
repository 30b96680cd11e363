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
  /** Latency in milliseconds; throws `NasxError('architecture')` for an unknown architecture. */
  predict(arch: Architecture | ArchGraph, device: string): number | Promise<number>;
}

/** Injection token of the run's {@link LatencyModel}s (multi-registered). */
export const LatencyModel: InjectionToken<LatencyModel> = Symbol.for('nasx.LatencyModel');
