/**
 * Operator profiling: times each network-level operator alone on the current TensorFlow.js
 * backend, for a latency lookup table in nasx's layout (`formatOperatorTable` in
 * `@nasx/contracts`), the way MnasNet, FBNet and ProxylessNAS estimate a network's latency as the
 * sum of its operators'. Runs in Node and in a browser page alike: it uses tfjs-core, the clock of
 * `performance.now()` and nothing of Node.
 */
import { NasxError, operatorKey, type ArchGraphNode, type OperatorTableRow } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../init/seeded-random';
import { createNetworkOp, resolveOpAttrs } from '../ops/network-op';

const PKG = '@nasx/tensor';

/** Progress of {@link profileOperators}: called after each operator. */
export interface ProfileProgress {
  /** Operators timed so far (1-based count). */
  readonly done: number;
  /** Distinct operators to time. */
  readonly total: number;
  /** `operatorKey` of the operator just timed. */
  readonly key: string;
  /** Its median latency in milliseconds. */
  readonly ms: number;
}

/** Options of {@link profileOperators}. */
export interface ProfileOperatorsOptions {
  /** Batch size of each timed forward pass (default 1, the mobile-latency setting of MnasNet). */
  readonly batch?: number;
  /** Untimed runs before timing, per operator (default 2): kernel set-up, weight packing, caches. */
  readonly warmup?: number;
  /** Timed runs per operator (default 5). */
  readonly repeats?: number;
  /**
   * What `ms` reports of the timed runs: `median` (default) or `min`. On a busy machine a run that
   * lasts longer than the scheduler's time slice is often preempted, which inflates medians of long
   * operators more than of short ones; the minimum is the least disturbed run.
   */
  readonly statistic?: 'median' | 'min';
  /** Seed of the weights and of the random input (default 0). */
  readonly seed?: number;
  /** Called after each operator. */
  readonly onProgress?: (progress: ProfileProgress) => void;
  /** Stops between runs (throws the signal's reason, as `AbortSignal.throwIfAborted`). */
  readonly signal?: AbortSignal;
}

/** What {@link profileOperators} measured. */
export interface ProfileOperatorsResult {
  /** One row per distinct operator, in first-seen order. */
  readonly rows: OperatorTableRow[];
  /** How it was measured, e.g. `tfjs 4.22.0 wasm, 1 thread, simd` (for the table's `backend` line). */
  readonly backend: string;
}

/** The backend in use as one line: tfjs version, backend name, wasm threads and SIMD. */
export async function describeTensorBackend(): Promise<string> {
  const name = tf.getBackend();
  const parts = [`tfjs ${tf.version_core} ${name}`];
  if (name === 'wasm') {
    const wasm = (tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm;
    const threads = wasm?.tfjs?.getThreadsCount?.();
    if (typeof threads === 'number') parts.push(`${threads} thread${threads === 1 ? '' : 's'}`);
    const simd: unknown = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    if (typeof simd === 'boolean') parts.push(simd ? 'simd' : 'no simd');
  }
  if (name === 'webgl') {
    const version = tf.env().get('WEBGL_VERSION');
    parts.push(`WebGL ${String(version)}`);
  }
  return parts.join(', ');
}

function checkCount(name: string, value: number | undefined, def: number, min: number): number {
  const v = value ?? def;
  if (!Number.isInteger(v) || v < min) {
    throw new NasxError('usage', `profileOperators: ${name} must be an integer ≥ ${min}, got ${String(value)}`, {
      pkg: PKG,
      fix: `pass ${name} ≥ ${min} (default ${def})`,
    });
  }
  return v;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Yields to the event loop (once per operator), so a browser page repaints and an abort can arrive. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Times every distinct operator (by `operatorKey`) of `nodes` alone on the current backend:
 * builds it with seeded weights, feeds a random batch of its input shape in inference mode, runs
 * `warmup` untimed passes, then `repeats` timed ones, each ending when the output is read back
 * (`await data()`), so the time includes the work of asynchronous backends (WebGL). Reports the
 * median (or, with `statistic: 'min'`, the minimum) in milliseconds. Needs an initialised backend (`initTensorBackend()` in Node,
 * `tf.setBackend()` in a page).
 *
 * @example
 * const { rows, backend } = await profileOperators(space.operators!(), { repeats: 5, onProgress: (p) => log(`${p.done}/${p.total}`) });
 * const csv = formatOperatorTable({ device: 'local-wasm', backend, batch: 1 }, rows);
 */
export async function profileOperators(nodes: readonly ArchGraphNode[], options: ProfileOperatorsOptions = {}): Promise<ProfileOperatorsResult> {
  const batch = checkCount('batch', options.batch, 1, 1);
  const warmup = checkCount('warmup', options.warmup, 2, 0);
  const repeats = checkCount('repeats', options.repeats, 5, 1);
  const seed = options.seed ?? 0;
  const statistic = options.statistic ?? 'median';
  if (statistic !== 'median' && statistic !== 'min') {
    throw new NasxError('usage', `profileOperators: statistic must be "median" or "min", got ${JSON.stringify(statistic)}`, {
      pkg: PKG,
      fix: 'pass median (default) or min',
    });
  }
  const distinct = new Map<string, ArchGraphNode>();
  for (const node of nodes) {
    if (node.op === 'input' || node.op === 'output') continue;
    const key = operatorKey(node);
    if (!distinct.has(key)) {
      resolveOpAttrs(node); // fail before timing anything
      distinct.set(key, node);
    }
  }
  const rows: OperatorTableRow[] = [];
  let done = 0;
  for (const [key, node] of distinct) {
    options.signal?.throwIfAborted();
    const op = createNetworkOp(node, { seed });
    const inputShape = [
      batch,
      ...(op.plan.attrs.input.length === 3 ? [op.plan.attrs.input[1]!, op.plan.attrs.input[2]!, op.plan.attrs.input[0]!] : op.plan.attrs.input),
    ];
    const size = inputShape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(new SeededRandom(seed, `input ${key}`).fillUniform(new Float32Array(size), 1), inputShape);
    try {
      const times: number[] = [];
      for (let i = 0; i < warmup + repeats; i++) {
        options.signal?.throwIfAborted();
        const start = performance.now();
        const y = op.apply(x, { training: false });
        await y.data();
        const elapsed = performance.now() - start;
        y.dispose();
        if (i >= warmup) times.push(elapsed);
      }
      await yieldToLoop();
      const ms = statistic === 'min' ? Math.min(...times) : median(times);
      rows.push({ key, ms, samples: repeats });
      options.onProgress?.({ done: ++done, total: distinct.size, key, ms });
    } finally {
      x.dispose();
      op.dispose();
    }
  }
  return { rows, backend: await describeTensorBackend() };
}
