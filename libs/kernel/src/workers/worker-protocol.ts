import { NasxError, isNasxError, type Architecture, type Estimate, type EventDraft, type Fidelity, type JsonObject, type MetricDeclaration } from '@nasx/contracts';

/** What a worker thread is started with: the config to compose and where its plugins are. */
export interface WorkerInit {
  readonly configData: JsonObject;
  readonly configFile: string;
  /** Package folders of the contributions the worker composes (no discovery beyond them). */
  readonly pluginDirs: readonly string[];
  readonly index: number;
}

/** An error crossing the thread boundary. */
export interface SerializedError {
  readonly message: string;
  readonly nasx?: { kind: NasxError['kind']; where: NasxError['where']; fix?: string };
}

/** Messages to a worker. */
export type ToWorker =
  | { readonly type: 'estimate'; readonly id: number; readonly arch: Architecture; readonly trial: number; readonly seed: number; readonly fidelity?: Fidelity }
  | { readonly type: 'cancel'; readonly id: number };

/** Messages from a worker. */
export type FromWorker =
  | { readonly type: 'ready'; readonly metrics: readonly MetricDeclaration[]; readonly estimatorId: string }
  | { readonly type: 'result'; readonly id: number; readonly estimate: Estimate }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'event'; readonly id: number; readonly draft: EventDraft }
  | { readonly type: 'fatal'; readonly error: SerializedError };

/** Flatten an error for postMessage. */
export function serializeError(e: unknown): SerializedError {
  if (isNasxError(e)) return { message: e.message, nasx: { kind: e.kind, where: e.where, fix: e.fix } };
  return { message: e instanceof Error ? e.message : String(e) };
}

/** Rebuild an error posted by a worker (a `NasxError` stays one). */
export function deserializeError(s: SerializedError): Error {
  if (s.nasx) return new NasxError(s.nasx.kind, s.message, { ...s.nasx.where, fix: s.nasx.fix });
  return new Error(s.message);
}
