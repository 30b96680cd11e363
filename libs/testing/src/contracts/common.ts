import { isNasxError } from '@nasx/contracts';
import * as os from 'node:os';
import type { CommonDeps, Logger, OptionsInput, RunContext } from '@nasx/contracts';
import { compileSchema, createRng } from '@nasx/kernel';

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Factory deps for tests: seeded RNG, no data directory unless given. */
export function testDeps(seed = 0, extra: Partial<CommonDeps> = {}): CommonDeps {
  return { configDir: os.tmpdir(), logger: silentLogger, rng: createRng(seed), ...extra };
}

/** Options after the kernel's validation (defaults filled in); throws if invalid. */
export function validatedOptions(schema: object, options: object = {}): any {
  const copy = JSON.parse(JSON.stringify(options));
  const validate = compileSchema(schema);
  if (!validate(copy)) throw new Error(`options ${JSON.stringify(options)} do not validate: ${JSON.stringify(validate.errors)}`);
  return copy;
}

/**
 * The options a contribution's `create` receives from the kernel for the given ones: validated
 * with the kernel's ajv, schema defaults filled in, typed as the contribution's options.
 *
 * @example
 * const e = await naswotEstimator.create(optionsFor(naswotEstimator, { batchSize: 8 }), deps);
 */
export function optionsFor<O>(def: { readonly optionsSchema: object; create(options: O, deps: never): unknown }, options: OptionsInput<O> = {}): O {
  return validatedOptions(def.optionsSchema, options) as O;
}

/** A plain AbortSignal that never aborts. */
export const neverAborted: AbortSignal = new AbortController().signal;

/** The context the kernel hands to `ask`/`tell`, for driving a searcher without a kernel. */
export function testRunContext(signal: AbortSignal = neverAborted): RunContext {
  return { runId: 'test', signal, logger: silentLogger, emit: () => undefined };
}

/**
 * The `NasxError` a call throws (for asserting kind, pointer and fix); fails the test when it
 * throws something else or nothing.
 */
export function catchNasxError(f: () => unknown): import('@nasx/contracts').NasxError {
  try {
    f();
  } catch (e) {
    if (isNasxError(e)) return e;
    throw e;
  }
  throw new Error('expected a NasxError, but nothing was thrown');
}

/** The NasxError `f` rejects with (fails the test when it resolves or rejects with anything else). */
export async function catchNasxErrorAsync(f: () => Promise<unknown>): Promise<import('@nasx/contracts').NasxError> {
  try {
    await f();
  } catch (e) {
    if (isNasxError(e)) return e;
    throw e;
  }
  throw new Error('expected a NasxError, but nothing was thrown');
}
