import {
  NasxError,
  isNasxError,
  type Architecture,
  type Estimate,
  type EventDraft,
  type Fidelity,
  type JsonObject,
  type MetricDeclaration,
} from '@nasx/contracts';

/** What a worker thread is started with: the config to compose and where its plugins are. */
export interface WorkerInit {
  readonly configData: JsonObject;
  readonly configFile: string;
  /** Where the config's relative paths resolve (a saved run's: its original config's folder, not the run folder). */
  readonly configDir: string;
  /** Package folders of the contributions the worker composes (no discovery beyond them). */
  readonly pluginDirs: readonly string[];
  readonly index: number;
}

/** An error crossing the thread boundary. */
export interface SerializedError {
  readonly message: string;
  /** The error's class name (`RuntimeError` for a trapped WebAssembly instance). */
  readonly name?: string;
  readonly nasx?: { kind: NasxError['kind']; where: NasxError['where']; fix?: string };
}

/** Messages to a worker. */
export type ToWorker =
  | {
      readonly type: 'estimate';
      readonly id: number;
      readonly arch: Architecture;
      readonly trial: number;
      readonly seed: number;
      readonly fidelity?: Fidelity;
      readonly parent?: { readonly trial: number; readonly arch: Architecture };
      readonly stateDir?: string;
    }
  /** Prepare the worker's estimators (named ones first, then the primary), reloading from `stateDir`. */
  | { readonly type: 'prepare'; readonly id: number; readonly seed: number; readonly stateDir?: string }
  | { readonly type: 'cancel'; readonly id: number };

/** Messages from a worker. */
export type FromWorker =
  /** `prepares`: one of its estimators has a `prepare()` (else the pool's prepare() has nothing to do). */
  | { readonly type: 'ready'; readonly metrics: readonly MetricDeclaration[]; readonly estimatorId: string; readonly prepares: boolean }
  | { readonly type: 'result'; readonly id: number; readonly estimate: Estimate }
  | { readonly type: 'prepared'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'event'; readonly id: number; readonly draft: EventDraft }
  | { readonly type: 'fatal'; readonly error: SerializedError };

/** Flatten an error for postMessage. */
export function serializeError(e: unknown): SerializedError {
  if (isNasxError(e)) return { message: e.message, nasx: { kind: e.kind, where: e.where, fix: e.fix } };
  if (e instanceof Error) return { message: e.message, name: e.name };
  return { message: String(e) };
}

/** Rebuild an error posted by a worker (a `NasxError` stays one). */
export function deserializeError(s: SerializedError): Error {
  if (s.nasx) return new NasxError(s.nasx.kind, s.message, { ...s.nasx.where, fix: s.nasx.fix });
  const e = new Error(s.message);
  if (s.name && s.name !== 'Error') e.name = s.name;
  return e;
}

/**
 * Emscripten's abort (`Aborted(...)`), a WebAssembly trap (`RuntimeError`: out-of-bounds memory
 * access, `unreachable`) and their echoes on later calls. TF.js's wasm backend does not recover
 * from them: once its module aborted, every later kernel call of that thread fails with "memory
 * access out of bounds", although the same architecture scores fine in a fresh thread.
 */
const POISONED = /\bAborted\(|\bRuntimeError\b|memory access out of bounds|unreachable executed|table index is out of bounds|Cannot enlarge memory/;

/**
 * An allocation that did not fit (the estimator explained the abort as out of memory, or the
 * module could not grow its heap): deterministic for the candidate, so not worth a retry.
 */
const OUT_OF_MEMORY = /\bran out of memory\b|Cannot enlarge memory/;

/** True if a worker's estimate error says the candidate did not fit in the backend's memory. */
export function isOutOfMemory(e: SerializedError): boolean {
  return OUT_OF_MEMORY.test(e.message);
}

/** True if an estimate error means the thread's WebAssembly backend is broken for good. */
export function isBackendPoisoned(e: SerializedError): boolean {
  return e.name === 'RuntimeError' || POISONED.test(e.message);
}
