import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JsonObject, SearchEvent } from '@nasx/contracts';
import { lastValueFrom, toArray } from 'rxjs';
import { Kernel } from '../kernel';

const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');
const fixture = path.join(__dirname, '__fixtures__', 'worker-plugin');

async function run(config: JsonObject): Promise<SearchEvent[]> {
  const kernel = Kernel.open({ roots: [workspaceRoot], paths: [fixture] });
  const resolved = kernel.loadConfigObject(config);
  const handle = await kernel.start(resolved, { persist: false });
  return lastValueFrom(handle.events$.pipe(toArray()));
}

const base = { space: 'nb201', searcher: 'random', seed: 3 };

describe('worker pool for compute-heavy estimators', () => {
  it('runs estimates in several threads (one per worker), with "auto" concurrency matching the workers', async () => {
    const kernel = Kernel.open({ roots: [workspaceRoot], paths: [fixture] });
    const auto = kernel.loadConfigObject({ ...base, estimator: 'thread-probe', budget: { evaluations: 4 } });
    expect(auto.workers).toBe(os.availableParallelism());
    expect(auto.concurrency).toBe(auto.workers);
    const events = await run({ ...base, estimator: 'thread-probe', workers: 2, budget: { evaluations: 12 } });
    const threads = new Set(events.flatMap((e) => (e.type === 'evaluated' ? [e.estimate.info?.['threadId']] : [])));
    expect(threads.size).toBe(2);
    expect(threads.has(0)).toBe(false); // never the main thread
    // events a worker's estimator emits reach the run's stream
    expect(events.filter((e) => e.type === 'metric' && e.name === 'probe')).toHaveLength(12);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'budget-exhausted', evaluations: 12 });
  });

  it('gives the same results as in-process estimation (same per-trial seeds, same order)', async () => {
    const pick = (events: SearchEvent[]) =>
      events.flatMap((e) => (e.type === 'evaluated' ? [[e.arch.key, e.estimate.metrics['score'], e.estimate.info?.['seed']]] : []));
    const pooled = await run({ ...base, estimator: 'thread-probe', workers: 2, budget: { evaluations: 10 } });
    const inProcess = await run({ ...base, estimator: 'thread-probe', workers: 0, concurrency: 2, budget: { evaluations: 10 } });
    expect(pick(pooled)).toEqual(pick(inProcess));
  });

  it('restarts a crashed worker and retries its candidate once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-crash-once-'));
    const events = await run({
      ...base,
      estimator: { use: 'thread-probe', options: { crashOnceDir: dir, delayMs: 1 } },
      workers: 2,
      budget: { evaluations: 6 },
    });
    expect(events.filter((e) => e.type === 'failed')).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ status: 'budget-exhausted', evaluations: 6 });
    expect(fs.readdirSync(dir).length).toBeGreaterThanOrEqual(6); // every candidate crashed a worker once
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('marks a candidate failed when it crashes the worker twice, and goes on', async () => {
    // Find the first proposal of this seed to crash on.
    const first = (await run({ ...base, estimator: { use: 'thread-probe', options: { delayMs: 1 } }, workers: 0, budget: { evaluations: 1 } })).find(
      (e) => e.type === 'proposed',
    );
    const key = first && first.type === 'proposed' ? first.arch.key : '';
    const events = await run({
      ...base,
      estimator: { use: 'thread-probe', options: { crashOn: [key], delayMs: 1 } },
      workers: 2,
      budget: { evaluations: 5, failures: 0 },
    });
    const failed = events.filter((e) => e.type === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ error: expect.stringMatching(/died twice/) });
    expect(events.at(-1)).toMatchObject({ status: 'budget-exhausted', evaluations: 5 });
  });

  it("prepares every worker's estimators: the first computes and saves the state, the others reload it", async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-prepared-'));
    const kernel = Kernel.open({ roots: [workspaceRoot], paths: [fixture] });
    const handle = await kernel.start(kernel.loadConfigObject({ ...base, estimator: 'prepared-probe', workers: 2, budget: { evaluations: 6 } }), { runsDir });
    const events = await lastValueFrom(handle.events$.pipe(toArray()));
    // prepared-probe fails every estimate it is asked before prepare()
    expect(events.filter((e) => e.type === 'failed')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ status: 'budget-exhausted', evaluations: 6 });
    const log = fs
      .readFileSync(path.join(handle.runDir as string, 'state', 'prepare.log'), 'utf8')
      .trim()
      .split('\n');
    expect(log.filter((l) => l.startsWith('computed'))).toHaveLength(1);
    expect(log.filter((l) => l.startsWith('loaded'))).toHaveLength(1);
    expect(log.some((l) => l.endsWith(' 0'))).toBe(false); // in worker threads, not the main one
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('prepares a restarted worker before it takes work (reloading the saved state)', async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-prepared-'));
    const crashes = path.join(runsDir, 'crashes');
    fs.mkdirSync(crashes);
    const kernel = Kernel.open({ roots: [workspaceRoot], paths: [fixture] });
    const handle = await kernel.start(
      kernel.loadConfigObject({ ...base, estimator: { use: 'prepared-probe', options: { crashOnceDir: crashes } }, workers: 1, budget: { evaluations: 3 } }),
      { runsDir },
    );
    const events = await lastValueFrom(handle.events$.pipe(toArray()));
    expect(events.filter((e) => e.type === 'failed')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ status: 'budget-exhausted', evaluations: 3 });
    const log = fs
      .readFileSync(path.join(handle.runDir as string, 'state', 'prepare.log'), 'utf8')
      .trim()
      .split('\n');
    expect(log.filter((l) => l.startsWith('computed'))).toHaveLength(1);
    // Every candidate crashed the one worker once; each replacement reloaded the state before its retry.
    expect(log.filter((l) => l.startsWith('loaded'))).toHaveLength(3);
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('prepares the workers once without a run folder too (in a temporary state folder)', async () => {
    const events = await run({ ...base, estimator: 'prepared-probe', workers: 2, budget: { evaluations: 4 } });
    expect(events.filter((e) => e.type === 'failed')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ status: 'budget-exhausted', evaluations: 4 });
  });

  it('replaces workers whose wasm backend aborted, so no trial fails for it', async () => {
    const events = await run({ ...base, estimator: { use: 'thread-probe', options: { poisonAfter: 2, delayMs: 1 } }, workers: 2, budget: { evaluations: 10 } });
    expect(events.filter((e) => e.type === 'failed')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ status: 'budget-exhausted', evaluations: 10 });
    expect(events.some((e) => e.type === 'log' && /broken WebAssembly backend/.test(e.message))).toBe(true);
  });

  it("reports a worker's start-up error as the run's start-up error", async () => {
    await expect(
      run({ ...base, estimator: { use: 'thread-probe', options: { failStartup: true } }, workers: 2, budget: { evaluations: 2 } }),
    ).rejects.toMatchObject({
      kind: 'data',
      message: expect.stringMatching(/probe data folder is missing/),
    });
  });
});
