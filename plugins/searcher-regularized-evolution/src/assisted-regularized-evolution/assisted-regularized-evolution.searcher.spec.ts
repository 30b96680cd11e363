import { definePlugin, defineEstimator } from '@nasx/contracts';
import { createToySpace, describeSearcherContract, startTestKernel, toyScore, toyThrees, type TestKernel } from '@nasx/testing';
import plugin from '../index';
import { assistedRegularizedEvolutionSearcher } from './assisted-regularized-evolution.searcher';

// A proxy that is the toy objective itself (a perfect proxy) or its negation (an adversarial one).
const oracle = defineEstimator<{ sign?: number }>({
  id: 'toy-oracle',
  description: 'the toy score as a proxy',
  optionsSchema: { type: 'object', additionalProperties: false, properties: { sign: { type: 'number', default: 1, description: 'sign' } } },
  create: (o) => ({
    id: 'toy-oracle',
    metrics: [{ name: 'score', direction: 'maximize' }],
    estimate: async (a) => ({ metrics: { score: (o.sign ?? 1) * toyScore(a) }, cost: { seconds: 0 } }),
  }),
});

describe('assisted regularized evolution (AREA)', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({
      plugins: [
        { name: 'rea', definition: plugin },
        { name: 'oracle', definition: definePlugin({ contributions: [oracle] }) },
      ],
    });
  });
  afterAll(() => tk.cleanup());

  const cfg = (proxySign: number, seed: number) => ({
    space: 'toy',
    estimator: 'toy-score',
    estimators: { proxy: { use: 'toy-oracle', options: { sign: proxySign } } },
    searcher: { use: 'assisted-regularized-evolution', options: { samples: 200, population: 10, sampleSize: 3 } },
    seed,
    budget: { evaluations: 30 },
  });

  it("starts from the proxy's top-P of N samples (the first P proposals), without spending budget on the ranking", async () => {
    const run = await tk.run(cfg(1, 4), { persist: false });
    const first = run
      .of('proposed')
      .slice(0, 10)
      .map((e) => toyThrees(e.arch));
    // the best of 200 random 6-digit cells have several 3s; random samples average 1.2
    expect(Math.min(...first)).toBeGreaterThanOrEqual(2);
    expect(first).toEqual([...first].sort((a, b) => b - a));
    expect(run.of('run-finished')[0]?.evaluations).toBe(30);
  });

  it('reports the ranking as a counted phase (for the progress line), ended before the first proposal', async () => {
    const run = await tk.run(cfg(1, 4), { persist: false });
    const ranking = run.of('phase').filter((p) => p.label === 'ranking 200 cells with proxy');
    expect(ranking[0]).toMatchObject({ done: 0, total: 200, unit: 'cells', source: 'assisted-regularized-evolution' });
    // Rate-limited updates, but the last cell always, then the end.
    expect(ranking.at(-2)).toMatchObject({ done: 200, total: 200 });
    expect(ranking.at(-1)).toMatchObject({ ended: true });
    const done = ranking.slice(0, -1).map((p) => p.done as number);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(run.events.indexOf(ranking.at(-1)!)).toBeLessThan(run.events.findIndex((e) => e.type === 'proposed'));
  });

  it('beats the same evolution seeded by an adversarial proxy, over seeds', async () => {
    let good = 0;
    let bad = 0;
    for (let seed = 0; seed < 20; seed++) {
      good += (await tk.run(cfg(1, seed), { persist: false })).report.best?.objective as number;
      bad += (await tk.run(cfg(-1, seed), { persist: false })).report.best?.objective as number;
    }
    expect(good / 20).toBeGreaterThan(bad / 20 + 5); // at least half a "3" better on average
  });

  it('refuses a config without the proxy estimator, naming the fix', async () => {
    await expect(tk.run({ ...cfg(1, 0), estimators: {} }, { persist: false })).rejects.toMatchObject({
      kind: 'config',
      where: { pointer: '/searcher/options/proxy' },
      fix: expect.stringMatching(/estimators: \{ proxy: \{ use: naswot \} \}/),
    });
  });

  it('resumes by replay to the same trials', async () => {
    const full = await tk.run(cfg(1, 7));
    const again = await tk.run(cfg(1, 7));
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(again.runDir as string, 'events.ndjson');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const cut = lines.findIndex((l) => l.includes('"trial":14') && l.includes('"type":"evaluated"'));
    fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');
    const resumed = await tk.resume(again.runDir as string);
    expect(resumed.report.best?.arch.key).toBe(full.report.best?.arch.key);
    expect(resumed.report.evaluations).toBe(30);
  });
});

describeSearcherContract(assistedRegularizedEvolutionSearcher, {
  options: { samples: 50 },
  space: () => createToySpace(),
  deps: {
    estimators: {
      proxy: {
        id: 'p',
        metrics: [{ name: 'score', direction: 'maximize' }],
        estimate: async (a: import('@nasx/contracts').Architecture) => ({ metrics: { score: toyScore(a) }, cost: { seconds: 0 } }),
      },
    },
  },
});
