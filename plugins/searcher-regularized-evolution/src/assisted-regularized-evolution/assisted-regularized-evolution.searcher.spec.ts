import { definePlugin, defineEstimator, type Architecture, type AskTellSearcher, type Estimator, type TrialResult } from '@nasx/contracts';
import { createAjv } from '@nasx/kernel';
import { createToySpace, describeSearcherContract, searcherDeps, startTestKernel, toyHamming, toyScore, toyThrees, type TestKernel } from '@nasx/testing';
import plugin from '../index';
import { recordingSpace } from '../regularized-evolution/__fixtures__/recording.space';
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

/** The toy score as a proxy, optionally answering only for a fixed list of cells (a score table). */
function toyProxy(domain?: readonly Architecture[]): Estimator {
  return {
    id: domain ? 'toy-table' : 'toy-proxy',
    metrics: [{ name: 'score', direction: 'maximize' }],
    ...(domain ? { domain: () => domain } : {}),
    estimate: async (a: Architecture) => {
      if (domain && !domain.some((d) => d.key === a.key)) throw new Error(`cell ${a.key} not in the table`);
      return { metrics: { score: toyScore(a) }, cost: { seconds: 0 } };
    },
  };
}

const ctx = { signal: new AbortController().signal, emit: () => undefined } as never;

describe('AREA follows the paper (Mellor et al., ICML 2021, §4.1 and Algorithm 2)', () => {
  it('defaults: population 10, M = 2P = 20 proxy-ranked samples, tournaments without replacement', () => {
    const validate = createAjv().compile(assistedRegularizedEvolutionSearcher.optionsSchema);
    const filled: Record<string, unknown> = {};
    expect(validate(filled)).toBe(true);
    expect(filled).toEqual({ proxy: 'proxy', samplesFrom: 'space', population: 10, sampleSize: 3, tournamentReplacement: false, mutation: 'space' });
  });

  it('scores 2P samples by default and proposes their proxy top P first, best first', async () => {
    const rec = recordingSpace(createToySpace());
    const deps = searcherDeps(rec.space, 3, { estimators: { proxy: toyProxy() } });
    const area = (await assistedRegularizedEvolutionSearcher.create({ population: 4 }, deps)) as AskTellSearcher;
    const first = await area.ask(4, ctx);
    const sampled = rec.calls.filter((c) => c.op === 'sample').map((c) => c.result);
    expect(sampled).toHaveLength(8); // M = 2P
    const top = [...sampled].sort((a, b) => toyScore(b) - toyScore(a)).slice(0, 4);
    expect(first.map((a) => toyScore(a as Architecture))).toEqual(top.map(toyScore));
  });

  it('draws tournaments without replacement: with S = P the parent is always the best member', async () => {
    const rec = recordingSpace(createToySpace());
    const deps = searcherDeps(rec.space, 11, { estimators: { proxy: toyProxy() } });
    const area = (await assistedRegularizedEvolutionSearcher.create({ population: 3, sampleSize: 3, samples: 30 }, deps)) as AskTellSearcher;
    const population: { arch: Architecture; objective: number }[] = [];
    let trial = 0;
    let checked = 0;
    const tell = (arch: Architecture, objective: number): void => {
      area.tell([{ trial: trial++, arch, objective } satisfies TrialResult], ctx);
      population.push({ arch, objective });
      if (population.length > 3) population.shift();
    };
    // Objectives unrelated to the proxy (a hash of the cell), so the best member is not the proxy's.
    const objective = (a: Architecture): number => [...a.key].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 1009, 7);
    for (const a of (await area.ask(3, ctx)) as Architecture[]) tell(a, objective(a));
    for (let i = 0; i < 200; i++) {
      const before = rec.calls.length;
      const [child] = (await area.ask(1, ctx)) as Architecture[];
      const call = rec.calls.slice(before).find((c) => c.op === 'mutate');
      if (!call || call.op !== 'mutate') throw new Error('expected a mutation');
      const best = Math.max(...population.map((m) => m.objective));
      expect(population.find((m) => m.arch === call.parent)?.objective).toBe(best);
      expect(toyHamming(call.parent, child!)).toBe(1);
      checked++;
      tell(child!, objective(child!));
    }
    expect(checked).toBe(200);
  });

  it('samplesFrom: proxy draws the M samples from the cells the proxy table holds', async () => {
    const space = createToySpace();
    const table = ['000000', '111111', '222222', '333333', '012340', '432101', '001122', '334411'].map((t) => space.parse(t));
    const deps = searcherDeps(space, 5, { estimators: { proxy: toyProxy(table) } });
    const area = (await assistedRegularizedEvolutionSearcher.create({ population: 3, samples: 6, samplesFrom: 'proxy' }, deps)) as AskTellSearcher;
    const first = (await area.ask(3, ctx)) as Architecture[];
    for (const a of first) expect(table.map((t) => t.key)).toContain(a.key);
    // sampling the space instead would ask the table about cells it lacks
    const bad = (await assistedRegularizedEvolutionSearcher.create(
      { population: 3, samples: 6 },
      searcherDeps(space, 5, { estimators: { proxy: toyProxy(table) } }),
    )) as AskTellSearcher;
    await expect(bad.ask(3, ctx)).rejects.toThrow(/not in the table/);
  });

  it('refuses samplesFrom: proxy with a proxy that is not a table, and fewer samples than the population', async () => {
    const deps = searcherDeps(createToySpace(), 1, { estimators: { proxy: toyProxy() } });
    await expect(Promise.resolve().then(() => assistedRegularizedEvolutionSearcher.create({ samplesFrom: 'proxy' }, deps))).rejects.toMatchObject({
      kind: 'config',
      where: { pointer: '/searcher/options/samplesFrom' },
    });
    await expect(Promise.resolve().then(() => assistedRegularizedEvolutionSearcher.create({ population: 10, samples: 5 }, deps))).rejects.toMatchObject({
      kind: 'config',
      where: { pointer: '/searcher/options/samples' },
    });
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
