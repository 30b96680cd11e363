import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineEstimator, definePlugin } from '@nasx/contracts';
import { readJournal } from '@nasx/kernel';
import { startTestKernel, toyDigits, type TestKernel } from '@nasx/testing';
import plugin from './index';

// End to end through the kernel's run loop (multi objective, dedup, journal, resume by replay).
const twoCounts = defineEstimator({
  id: 'toy-counts',
  description: 'number of 3s and of 0s of a toy architecture',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: () => ({
    id: 'toy-counts',
    metrics: [
      { name: 'threes', direction: 'maximize' as const },
      { name: 'zeros', direction: 'maximize' as const },
    ],
    estimate: async (arch) => ({
      metrics: { threes: toyDigits(arch).filter((d) => d === 3).length, zeros: toyDigits(arch).filter((d) => d === 0).length },
      cost: { seconds: 0 },
    }),
  }),
});

describe('NSGA-II in the kernel (toy plugin)', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({
      plugins: [
        { name: '@nasx/searcher-nsga2', definition: plugin },
        { name: 'toy-counts', definition: definePlugin({ contributions: [twoCounts] }) },
      ],
    });
  });
  afterAll(() => tk.cleanup());

  const cfg = {
    space: 'toy',
    estimator: 'toy-counts',
    objective: { type: 'multi', metrics: [{ metric: 'threes' }, { metric: 'zeros' }] },
    searcher: { use: 'nsga2', options: { population: 8 } },
    seed: 6,
    concurrency: 4,
    budget: { evaluations: 60 },
  };

  it.each([
    ['defaults', {}],
    ['archive parents, local search, per-decision mutation', { archiveProbability: 0.5, localSearchProbability: 0.5, mutation: 'per-decision' }],
  ])(
    'resumes a run cut mid-way (4 in flight) to the same trials and the same front as an uninterrupted run (%s)',
    async (_name, extra) => {
      const run = { ...cfg, searcher: { use: 'nsga2', options: { ...cfg.searcher.options, ...extra } } };
      const full = await tk.run(run);
      const partial = await tk.run(run);
      const file = path.join(partial.runDir as string, 'events.ndjson');
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      let n = 0;
      const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && ++n === 23); // past P0 and a generation
      fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');
      const resumed = await tk.resume(partial.runDir as string);
      expect(resumed.report.evaluations).toBe(60);
      const keys = (events: ReturnType<typeof readJournal>) => events.flatMap((e) => (e.type === 'proposed' ? [e.arch.key] : []));
      expect(keys(readJournal(file))).toEqual(keys(full.events));
      const front = (r: typeof full.report) => r.front?.trials.map((t) => t.arch.key).sort();
      expect(front(await tk.kernel.report(partial.runDir as string))).toEqual(front(full.report));
      expect(full.report.front?.trials.length).toBeGreaterThan(1);
    },
    30_000,
  );

  it('refuses a single-metric objective before the run starts', async () => {
    await expect(tk.run({ ...cfg, objective: 'threes' })).rejects.toMatchObject({ kind: 'config', where: { pointer: '/objective' } });
  }, 30_000);
});
