/**
 * Operator profiling inside a web browser, for `nasx latency profile --browser`: picks the
 * TensorFlow.js backend the user asked for (falling back to the next one that initialises, and
 * recording why), then times each distinct operator alone (`profileOperators`, given by the
 * bundle's entry) and reports progress after each one.
 *
 * Runs in the page, so it uses tfjs-core and `performance.now()` only: no Node module, no
 * `process`. The backends themselves (webgl, wasm, cpu) are registered by the bundle's entry
 * (`browser-entry.ts`), which is the one place that imports them for the browser.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ArchGraphNode, OperatorTableRow } from '@nasx/contracts';

/** The backends a browser can run, in the order nasx falls back through them. */
export const BROWSER_BACKENDS = ['webgl', 'wasm', 'cpu'] as const;

/** One of {@link BROWSER_BACKENDS}. */
export type BrowserBackendName = (typeof BROWSER_BACKENDS)[number];

/** What the page is asked to do (the server sends it as JSON). */
export interface BrowserProfileJob {
  /** The operators to time; nodes with equal `operatorKey` are timed once, `input`/`output` nodes not at all. */
  readonly nodes: readonly ArchGraphNode[];
  /** Backend to use; if it does not initialise, the next of {@link BROWSER_BACKENDS} that does. */
  readonly backend: BrowserBackendName;
  /** Batch size of the timed passes. */
  readonly batch: number;
  /** Timed runs per operator (the table holds their median). */
  readonly repeats: number;
  /** Untimed runs per operator first (shader compilation, wasm operator caches). */
  readonly warmup: number;
  /** What of the timed runs the table keeps: `median` (default) or `min`. */
  readonly statistic?: 'median' | 'min';
}

/** Progress after each operator (the shape `profileOperators` reports). */
export interface BrowserProfileProgress {
  readonly done: number;
  readonly total: number;
  /** The operator just timed and its median. */
  readonly key: string;
  readonly ms: number;
}

/** Options of an {@link OperatorProfiler} call. */
export interface OperatorProfileOptions {
  readonly batch: number;
  readonly repeats: number;
  readonly warmup: number;
  readonly statistic?: 'median' | 'min';
  readonly onProgress: (p: BrowserProfileProgress) => void;
}

/**
 * Times operators on the active backend (`profileOperators` of this package): one row per
 * distinct `operatorKey` (median of `repeats` runs after `warmup`), plus a one-line
 * description of the backend; calls `onProgress` after each operator.
 */
export type OperatorProfiler = (
  nodes: readonly ArchGraphNode[],
  options: OperatorProfileOptions,
) => Promise<{ readonly rows: readonly OperatorTableRow[]; readonly backend: string }>;

/** What the page sends back. */
export interface BrowserProfileResult {
  readonly rows: readonly OperatorTableRow[];
  /** The backend that ran. */
  readonly backend: BrowserBackendName;
  /** Its description: tfjs version, backend and set-up (wasm SIMD/threads, WebGL version and GPU). */
  readonly description: string;
  /** Backends tried before it, with the reason each was passed over. */
  readonly fallbacks: readonly { readonly backend: BrowserBackendName; readonly reason: string }[];
  /**
   * Smallest step of `performance.now()` in this page, in ms. Browsers coarsen it against timing
   * attacks (Chrome: 0.1 ms, 0.005 ms when cross-origin isolated; Safari and Firefox: up to 1 ms),
   * so latencies below a few steps are quantised.
   */
  readonly timerResolutionMs: number;
}

/**
 * Activates `job.backend` (or the next backend that initialises) and profiles `job.nodes` with
 * `profile`, which calls `onProgress` after each operator.
 */
export async function profileInBrowser(
  job: BrowserProfileJob,
  profile: OperatorProfiler,
  onProgress: (p: BrowserProfileProgress) => void = () => undefined,
): Promise<BrowserProfileResult> {
  const { backend, fallbacks } = await activateBackend(job.backend);
  const out = await profile(job.nodes, { batch: job.batch, repeats: job.repeats, warmup: job.warmup, statistic: job.statistic, onProgress });
  return { rows: out.rows, backend, description: withGpu(backend, out.backend), fallbacks, timerResolutionMs: timerResolution() };
}

/** The smallest non-zero step of `performance.now()` over a few ticks. */
function timerResolution(): number {
  let step = Infinity;
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    let now = start;
    while (now === start) now = performance.now();
    step = Math.min(step, now - start);
  }
  // Rounded to 1 ns: the steps are floating-point differences of large numbers.
  return Math.round(step * 1e6) / 1e6;
}

/** `tf.setBackend` on `wanted`, then on the backends after it in {@link BROWSER_BACKENDS} order. */
async function activateBackend(wanted: BrowserBackendName): Promise<{ backend: BrowserBackendName; fallbacks: BrowserProfileResult['fallbacks'] }> {
  const order = [wanted, ...BROWSER_BACKENDS.filter((b) => b !== wanted)];
  const fallbacks: { backend: BrowserBackendName; reason: string }[] = [];
  for (const name of order) {
    if (!tf.findBackendFactory(name)) {
      fallbacks.push({ backend: name, reason: 'not in this bundle' });
      continue;
    }
    try {
      if ((await tf.setBackend(name)) && tf.getBackend() === name) {
        await tf.ready();
        return { backend: name, fallbacks };
      }
      fallbacks.push({ backend: name, reason: 'did not initialise in this browser' });
    } catch (e) {
      fallbacks.push({ backend: name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend initialised: ${fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ')}`);
}

/** The profiler's description plus what only the page knows: the GPU behind WebGL. */
function withGpu(backend: BrowserBackendName, description: string): string {
  if (backend !== 'webgl') return description;
  try {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGlLike } }).gpgpu?.gl;
    const info = gl?.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL?: number } | null | undefined;
    const renderer = info?.UNMASKED_RENDERER_WEBGL !== undefined ? gl?.getParameter(info.UNMASKED_RENDERER_WEBGL) : undefined;
    return typeof renderer === 'string' && renderer ? `${description}, ${renderer}` : description;
  } catch {
    // A browser that will not name its GPU: the timings stand without it.
    return description;
  }
}

/** The two methods of a WebGL context the description reads (no DOM types in this package). */
interface WebGlLike {
  getExtension(name: string): unknown;
  getParameter(p: number): unknown;
}
