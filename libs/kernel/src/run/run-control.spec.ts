import { defineEstimator, defineSearcher, type AskTellSearcher, type JsonObject, type RunContext, type SearchEvent } from '@nasx/contracts';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import * as path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { readJournal } from './journal';

// Stopping a run in any phase (preparation, a long ask, a hung estimate), per-trial deadlines and
// the rule for non-finite objectives.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Until the signal aborts (a long computation that checks its signal between steps). */
async function untilAborted(signal: AbortSignal, stepMs = 20): Promise<void> {
  while (!signal.aborted) await sleep(stepMs);
  signal.throwIfAborted();
}

const log: string[] = [];
const asked: RunContext[] = [];

// A searcher whose first ask works until the run is stopped (AREA's ranking, a controller update).
const slowAsker = defineSearcher<Record<string, never>>({
  id: 'slow-asker',
  description: 'first ask runs until stopped',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_o, deps): AskTellSearcher => ({
    id: 'slow-asker',
    async ask(n, ctx) {
      asked.push(ctx);
      await untilAborted(ctx.signal);
      return Array.from({ length: n }, () => deps.space.sample(deps.rng));
    },
    tell() {},
  }),
});

// Uniform samples (the toy plugin's searcher climbs a hill and would not visit every first digit).
const sampler = defineSearcher<Record<string, never>>({
  id: 'sampler',
  description: 'uniform samples',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_o, deps): AskTellSearcher => ({ id: 'sampler', ask: (n) => Array.from({ length: n }, () => deps.space.sample(deps.rng)), tell() {} }),
});

// An estimator whose preparation runs until stopped, and which records when it is disposed.
const slowPrepare = defineEstimator<Record<string, never>>({
  id: 'slow-prepare',
  description: 'prepare runs until stopped',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: () => ({
    id: 'slow-prepare',
    metrics: [{ name: 'score', direction: 'maximize' }],
    async prepare(ctx) {
      log.push('prepare-start');
      try {
        await untilAborted(ctx.signal);
      } finally {
        // Still cleaning up after the stop: dispose must wait for this.
        await sleep(100);
        log.push('prepare-end');
      }
    },
    estimate: async () => ({ metrics: { score: 1 }, cost: { seconds: 0 } }),
    dispose() {
      log.push('dispose');
    },
  }),
});

// An estimator that never answers, and ignores its signal, for some architectures.
const hangOn = defineEstimator<{ hang?: string }>({
  id: 'hang-on',
  description: 'hangs on keys starting with the given digit',
  optionsSchema: { type: 'object', additionalProperties: false, properties: { hang: { type: 'string', default: '0', description: 'first digit that hangs' } } },
  create: (o) => ({
    id: 'hang-on',
    metrics: [{ name: 'score', direction: 'maximize' }],
    estimate: (arch) =>
      arch.key.startsWith(o.hang ?? '0') ? new Promise(() => undefined) : Promise.resolve({ metrics: { score: Number(arch.key[1]) }, cost: { seconds: 0 } }),
  }),
});

// Objectives that are not finite: NaN for keys starting with 1, -Infinity for 2.
const nonFinite = defineEstimator<Record<string, never>>({
  id: 'non-finite',
  description: 'NaN and -Infinity objectives',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: () => ({
    id: 'non-finite',
    metrics: [{ name: 'score', direction: 'maximize' }],
    estimate: async (arch) => ({
      metrics: { score: arch.key.startsWith('1') ? NaN : arch.key.startsWith('2') ? -Infinity : Number(arch.key[0]) },
      cost: { seconds: 0 },
    }),
  }),
});

describe('stopping and deadlines', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: 'run-control-fixtures', definition: { contributions: [slowAsker, sampler, slowPrepare, hangOn, nonFinite] } }] });
  });
  afterAll(() => tk.cleanup());

  /** Start a run, stop it after `afterMs`, and return its events and how long the stop took. */
  async function stopAfter(config: JsonObject, afterMs: number): Promise<{ events: SearchEvent[]; stopMs: number }> {
    const handle = await tk.kernel.start(tk.kernel.loadConfigObject({ runsDir: tk.runsDir, workers: 0, ...config }), { persist: false });
    const done = lastValueFrom(handle.events$.pipe(toArray()));
    await sleep(afterMs);
    const t0 = Date.now();
    handle.stop();
    const events = await done;
    return { events, stopMs: Date.now() - t0 };
  }

  const finished = (events: SearchEvent[]) => events.find((e) => e.type === 'run-finished');

  it('gives ask a context whose signal stops a long ask: the run ends cancelled within a second', async () => {
    asked.length = 0;
    const { events, stopMs } = await stopAfter({ space: 'toy', estimator: 'toy-score', searcher: 'slow-asker', budget: { evaluations: 5 } }, 200);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked[0]?.signal.aborted).toBe(true);
    expect(finished(events)).toMatchObject({ status: 'cancelled' });
    expect(stopMs).toBeLessThan(1000);
  });

  it('stops the preparation with the run, and disposes the estimators only after it settled', async () => {
    log.length = 0;
    const { events, stopMs } = await stopAfter({ space: 'toy', estimator: 'slow-prepare', searcher: 'toy-hill-climber', budget: { evaluations: 5 } }, 200);
    expect(finished(events)).toMatchObject({ status: 'cancelled' });
    expect(events.filter((e) => e.type === 'evaluated')).toHaveLength(0);
    expect(stopMs).toBeLessThan(1000);
    await sleep(300);
    expect(log).toEqual(['prepare-start', 'prepare-end', 'dispose']);
  });

  it('stops a run whose estimator hangs (and ignores its signal) at the first stop', async () => {
    const { events, stopMs } = await stopAfter(
      { space: 'toy', estimator: { use: 'hang-on', options: { hang: '' } }, searcher: 'toy-hill-climber', budget: { evaluations: 5 } },
      200,
    );
    expect(finished(events)).toMatchObject({ status: 'cancelled' });
    expect(stopMs).toBeLessThan(1000);
  });

  it('fails a trial that exceeds budget.trialSeconds and goes on', async () => {
    const run = await tk.run(
      {
        space: 'toy',
        estimator: { use: 'hang-on', options: { hang: '0' } },
        searcher: 'sampler',
        budget: { evaluations: 30, failures: 0, trialSeconds: 0.05 },
        workers: 0,
      },
      { persist: false },
    );
    const failed = run.of('failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(f.arch?.key.startsWith('0')).toBe(true);
      expect(f.error).toMatch(/timed out after 0\.05 s \(budget\.trialSeconds\)/);
    }
    expect(run.report.evaluations).toBe(30);
  });

  it('fails a trial whose objective is NaN, and keeps -Infinity as the worst value', async () => {
    // Persisted: the journal (which the test kernel's report reads back) keeps -Infinity exactly.
    const run = await tk.run({ space: 'toy', estimator: 'non-finite', searcher: 'sampler', budget: { evaluations: 40, failures: 0 }, workers: 0 });
    const nan = run.of('failed').filter((f) => f.arch?.key.startsWith('1'));
    expect(nan.length).toBeGreaterThan(0);
    expect(nan[0]?.error).toMatch(/the objective metric "score" is NaN; a NaN objective fails the trial/);
    const minusInf = run.of('evaluated').filter((e) => e.arch.key.startsWith('2'));
    expect(minusInf.length).toBeGreaterThan(0);
    expect(minusInf.every((e) => e.objective === -Infinity)).toBe(true);
    expect(run.of('run-finished')[0]?.best?.objective).toBeGreaterThan(2);
    const journaled = readJournal(path.join(run.runDir as string, 'events.ndjson')).filter((e) => e.type === 'evaluated' && e.arch.key.startsWith('2'));
    expect(journaled.map((e) => e.type === 'evaluated' && e.objective)).toEqual(minusInf.map(() => -Infinity));
    expect(run.report.failures).toBe(nan.length);
  });
});

describe('errors from another copy of @nasx/contracts', () => {
  it('stop the run as input errors (not 100 retried ask failures)', async () => {
    // A third-party plugin that bundles its own @nasx/contracts throws its own NasxError class.
    let Foreign: typeof import('@nasx/contracts').NasxError | undefined;
    jest.isolateModules(() => {
      Foreign = (jest.requireActual('@nasx/contracts') as typeof import('@nasx/contracts')).NasxError;
    });
    const { NasxError: Ours } = await import('@nasx/contracts');
    expect(Foreign).toBeDefined();
    expect(Foreign).not.toBe(Ours);
    const ForeignError = Foreign as typeof Ours;
    const badOptions = defineSearcher<Record<string, never>>({
      id: 'foreign-config-error',
      description: 'throws a config error of another contracts copy from ask',
      optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
      create: (): AskTellSearcher => ({
        id: 'foreign-config-error',
        ask() {
          throw new ForeignError('config', 'option "x" must be set before the first ask', { fix: 'set searcher.options.x' });
        },
        tell() {},
      }),
    });
    const tk = startTestKernel({ plugins: [{ name: 'foreign', definition: { contributions: [badOptions] } }] });
    try {
      const handle = await tk.kernel.start(
        tk.kernel.loadConfigObject({ space: 'toy', estimator: 'toy-score', searcher: 'foreign-config-error', budget: { evaluations: 5 }, workers: 0 }),
        { persist: false },
      );
      const seen: SearchEvent[] = [];
      const err = await new Promise<unknown>((resolve) =>
        handle.events$.subscribe({ next: (e) => seen.push(e), error: resolve, complete: () => resolve(undefined) }),
      );
      expect(err).toBeInstanceOf(ForeignError);
      expect((err as Error).message).toMatch(/option "x" must be set/);
      expect(seen.filter((e) => e.type === 'failed')).toHaveLength(0);
    } finally {
      tk.cleanup();
    }
  });
});

describe('Kernel.evaluate (nasx evaluate)', () => {
  it('prepares the estimators before estimating, as a run does', async () => {
    const needsPrepare = defineEstimator<Record<string, never>>({
      id: 'needs-prepare',
      description: 'fails unless prepared',
      optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
      create: () => {
        let prepared = false;
        return {
          id: 'needs-prepare',
          metrics: [{ name: 'score', direction: 'maximize' }],
          async prepare() {
            prepared = true;
          },
          async estimate() {
            if (!prepared) throw new Error('estimate before prepare');
            return { metrics: { score: 7 }, cost: { seconds: 0 } };
          },
        };
      },
    });
    const tk = startTestKernel({ plugins: [{ name: 'needs-prepare', definition: { contributions: [needsPrepare] } }] });
    try {
      const config = tk.kernel.loadConfigObject({
        space: 'toy',
        estimator: 'needs-prepare',
        searcher: 'toy-hill-climber',
        budget: { evaluations: 1 },
        workers: 0,
      });
      const out = await tk.kernel.evaluate(config, ['012301']);
      expect(out.map((o) => o.estimate.metrics['score'])).toEqual([7]);
    } finally {
      tk.cleanup();
    }
  });
});
