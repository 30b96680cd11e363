import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Architecture, Estimate, EstimateContext, JsonObject, Logger } from '@nasx/contracts';
import { Kernel } from '../kernel';
import { createRng } from '../rng/rng';
import { RESTART_DELAYS_MS, createPooledEstimator, type PooledEstimator } from './pooled-estimator';

// The pool on its own (no run loop): how requests settle when workers die, break or hang.
const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');
const fixture = path.join(__dirname, '__fixtures__', 'worker-plugin');

const logs: string[] = [];
const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => logs.push(m), error: (m) => logs.push(m) };

async function pool(options: JsonObject, workers: number): Promise<PooledEstimator> {
  const kernel = Kernel.open({ roots: [workspaceRoot], paths: [fixture] });
  const config = kernel.loadConfigObject({
    space: 'nb201',
    searcher: 'random',
    estimator: { use: 'thread-probe', options: { delayMs: 1, ...options } },
    workers,
    budget: { evaluations: 1 },
  });
  return createPooledEstimator(config, { logger });
}

const arch = (key: string): Architecture => ({ space: 'nb201', genotype: null, key });

function ctx(trial: number, signal = new AbortController().signal): EstimateContext {
  return { runId: 'test', trial, rng: createRng(trial), signal, logger, emit: () => undefined };
}

/** Settles within `ms` or fails the test with what is still pending (instead of a jest timeout). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms).unref())]);
}

const outcome = (p: Promise<Estimate>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: Error) => e.message,
  );

describe('worker pool recovery', () => {
  let est: PooledEstimator | undefined;
  let tmp: string;
  beforeEach(() => {
    logs.length = 0;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-pool-'));
  });
  afterEach(async () => {
    await est?.dispose?.();
    est = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('fails queued and later requests, instead of hanging, once no worker can be restarted', async () => {
    est = await pool({ breakDir: tmp }, 2);
    // Two in flight (both crash their worker), two queued behind them; no restart can succeed.
    const results = await within(Promise.all(['a', 'b', 'c', 'd'].map((k, i) => outcome(est!.estimate(arch(k), ctx(i))))), 20_000);
    expect(results.every((r) => r !== 'resolved')).toBe(true);
    expect(results.filter((r) => /no estimator worker is left.*cannot start again/.test(r)).length).toBeGreaterThanOrEqual(2);
    // Each slot tried 1 + RESTART_DELAYS_MS.length times before giving up, and said so.
    expect(logs.filter((l) => /could not be restarted \(3 attempts/.test(l))).toHaveLength(2);
    expect(RESTART_DELAYS_MS).toHaveLength(2);
    // A request made afterwards fails at once.
    await expect(within(est.estimate(arch('e'), ctx(4)), 100)).rejects.toThrow(/no estimator worker is left/);
  }, 30_000);

  it('replaces a worker whose wasm backend aborted and retries the trial on a fresh one', async () => {
    est = await pool({ poisonAfter: 2 }, 1);
    // One worker: the 3rd estimate aborts its backend; without replacement every later one fails.
    const scores: number[] = [];
    for (let i = 0; i < 7; i++) scores.push((await within(est.estimate(arch(`k${i}`), ctx(i)), 20_000)).metrics['score'] as number);
    expect(scores).toHaveLength(7);
    expect(logs.filter((l) => /broken WebAssembly backend \(Aborted\(\)/.test(l))).toHaveLength(3); // after the 3rd, 5th and 7th estimate
  }, 60_000);

  it('fails a trial whose retry breaks the fresh worker too', async () => {
    est = await pool({ poisonAfter: 0 }, 1);
    await expect(within(est.estimate(arch('x'), ctx(0)), 20_000)).rejects.toThrow(/Aborted\(\).*broke on this candidate twice/);
  }, 30_000);

  it('fails a trial that ran out of memory at once (no retry) and replaces the worker whose module aborted', async () => {
    est = await pool({ outOfMemoryOn: ['wide'] }, 1);
    const started = logs.length;
    const wide = await within(outcome(est.estimate(arch('wide'), ctx(0))), 20_000);
    expect(wide).toMatch(/^training wide ran out of memory: .*\(Aborted\(\)\)$/);
    // The one worker was replaced once (not retried on a fresh one), and the next trial scores there.
    expect(logs.slice(started).filter((l) => /ran out of WebAssembly memory on trial 0/.test(l))).toHaveLength(1);
    expect(logs.some((l) => /broke on this candidate|broken WebAssembly backend/.test(l))).toBe(false);
    expect((await within(est.estimate(arch('narrow'), ctx(1)), 20_000)).metrics['score']).toEqual(expect.any(Number));
  }, 30_000);

  it('rejects a hung request at once when its signal aborts, and replaces the worker busy on it', async () => {
    est = await pool({ hangOn: ['hang'] }, 1);
    const hung = new AbortController();
    const queued = new AbortController();
    const first = est.estimate(arch('hang'), ctx(0, hung.signal));
    const second = est.estimate(arch('queued'), ctx(1, queued.signal));
    const third = est.estimate(arch('after'), ctx(2));
    await new Promise((r) => setTimeout(r, 300));
    // A queued request leaves the queue.
    queued.abort(new Error('trial 1 was stopped'));
    await expect(within(second, 100)).rejects.toThrow('trial 1 was stopped');
    // The running one rejects with the abort reason (the kernel's per-trial timeout, the run's stop).
    const timeout = new Error('trial 0 timed out after 0.3 s');
    hung.abort(timeout);
    await expect(within(first, 100)).rejects.toBe(timeout);
    // Its worker was terminated and replaced: the next request is answered.
    await expect(within(third, 20_000)).resolves.toMatchObject({ metrics: { score: expect.any(Number) } });
    expect(logs.some((l) => /was busy on trial 0, which was cancelled; restarting it/.test(l))).toBe(true);
    // An already-aborted signal rejects without reaching a worker.
    await expect(within(est.estimate(arch('late'), ctx(3, AbortSignal.abort(new Error('run stopped')))), 100)).rejects.toThrow('run stopped');
  }, 60_000);
});
