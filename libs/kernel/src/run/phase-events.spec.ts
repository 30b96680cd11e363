import { defineEstimator, defineSearcher, phaseReporter, type AskTellSearcher, type PhaseEvent } from '@nasx/contracts';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from './journal';
import { SLOW_CALL_MS } from './run-loop';

// Phase events: what a run is busy with, for displays. The kernel names an estimator's preparation
// and a searcher call slower than SLOW_CALL_MS that reports nothing itself; plugins report their own
// counted phases; none of them is journaled.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// The first ask is slow and silent (the kernel names it); the second is slow and reports its own phase.
const slowFirstAsk = defineSearcher<Record<string, never>>({
  id: 'slow-first-ask',
  description: 'first ask silent and slow, second reports a counted phase',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_o, deps): AskTellSearcher => {
    let asks = 0;
    return {
      id: 'slow-first-ask',
      async ask(n, ctx) {
        asks++;
        if (asks === 1) await sleep(SLOW_CALL_MS + 200);
        if (asks === 2) {
          const phase = phaseReporter(ctx, 'ranking 5 cells', { total: 5, unit: 'cells', source: 'slow-first-ask', minIntervalMs: 0 });
          for (let i = 1; i <= 5; i++) {
            await sleep(SLOW_CALL_MS / 3);
            phase.update(i);
          }
          phase.end();
        }
        return Array.from({ length: n }, () => deps.space.sample(deps.rng));
      },
      tell() {},
    };
  },
});

// An estimator with a preparation, whose estimates report a counted phase (training steps).
const stepper = defineEstimator<Record<string, never>>({
  id: 'stepper',
  description: 'prepares, then reports steps',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: () => ({
    id: 'stepper',
    metrics: [{ name: 'score', direction: 'maximize' }],
    async prepare() {
      await sleep(1);
    },
    async estimate(arch, ctx) {
      const phase = phaseReporter(ctx, `training trial ${ctx.trial}`, { total: 3, unit: 'steps', source: 'stepper', minIntervalMs: 0 });
      for (let s = 1; s <= 3; s++) phase.update(s);
      phase.end();
      return { metrics: { score: Number(arch.key.length) }, cost: { seconds: 0.02 } };
    },
  }),
});

describe('phase events', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: 'phase-fixtures', definition: { contributions: [slowFirstAsk, stepper] } }] });
  });
  afterAll(() => tk.cleanup());

  it('name the preparation, a slow silent ask, a plugin’s own counted phases and a trial’s steps; the journal keeps none', async () => {
    const run = await tk.run({ space: 'toy', estimator: 'stepper', searcher: 'slow-first-ask', budget: { evaluations: 3 }, workers: 0 });
    const phases = run.of('phase');
    const of = (label: string): PhaseEvent[] => phases.filter((p) => p.label === label);

    // The preparation: a start and an end, from the kernel, before the first proposal.
    expect(of('preparing estimator stepper').map((p) => Boolean(p.ended))).toEqual([false, true]);
    expect(of('preparing estimator stepper')[0]).toMatchObject({ source: 'kernel' });
    const firstProposal = run.events.findIndex((e) => e.type === 'proposed');
    expect(run.events.indexOf(of('preparing estimator stepper')[1]!)).toBeLessThan(firstProposal);

    // The first ask was slow and silent: the kernel named it, once, and ended it.
    expect(of('searcher slow-first-ask: ask').map((p) => Boolean(p.ended))).toEqual([false, true]);
    // The second reported its own phase, so the kernel added none (only the first ask's two events).
    expect(of('ranking 5 cells').map((p) => p.done)).toEqual([0, 1, 2, 3, 4, 5, undefined]);
    expect(of('ranking 5 cells').at(-1)).toMatchObject({ ended: true, total: 5, unit: 'cells' });
    expect(phases.filter((p) => p.source === 'kernel' && p.label.startsWith('searcher'))).toHaveLength(2);

    // A trial's phases carry its number; they come before its evaluation.
    for (const e of run.of('evaluated')) {
      const steps = of(`training trial ${e.trial}`);
      expect(steps.map((p) => p.done)).toEqual([0, 1, 2, 3, undefined]);
      expect(steps.every((p) => p.trial === e.trial)).toBe(true);
      expect(run.events.indexOf(steps.at(-1)!)).toBeLessThan(run.events.indexOf(e));
    }

    // Displays only: the journal and the summary have no phase events.
    const journal = readJournal(path.join(run.runDir as string, 'events.ndjson'));
    expect(journal.filter((e) => e.type === 'evaluated')).toHaveLength(3);
    expect(journal.some((e) => (e.type as string) === 'phase')).toBe(false);
    expect(fs.readFileSync(path.join(run.runDir as string, 'events.ndjson'), 'utf8')).not.toContain('"phase"');
  });

  it('fast asks emit no phase (a table-lookup run of thousands of trials sends none)', async () => {
    const run = await tk.run(
      { space: 'toy', estimator: 'toy-score', searcher: 'toy-hill-climber', budget: { evaluations: 200 }, workers: 0 },
      { persist: false },
    );
    expect(run.of('evaluated').length).toBeGreaterThan(0);
    expect(run.of('phase')).toHaveLength(0);
  });
});
