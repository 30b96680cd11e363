import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '@nasx/kernel';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import plugin from './index';

// End to end through the kernel's run loop (dedup, journal, resume by replay).
describe('regularized evolution in the kernel (toy plugin)', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: '@nasx/searcher-regularized-evolution', definition: plugin }] });
  });
  afterAll(() => tk.cleanup());

  it('resumes a run cut mid-way (4 in flight) to the same trials as an uninterrupted run', async () => {
    const cfg = {
      space: 'toy',
      estimator: 'toy-score',
      searcher: { use: 'regularized-evolution', options: { population: 8, sampleSize: 3 } },
      seed: 6,
      concurrency: 4,
      budget: { evaluations: 60 },
    };
    const full = await tk.run(cfg);
    const partial = await tk.run(cfg);
    const file = path.join(partial.runDir as string, 'events.ndjson');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let n = 0;
    const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && ++n === 23); // past the random phase
    fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');
    const resumed = await tk.resume(partial.runDir as string);
    expect(resumed.of('run-started')[0]?.resumed).toBe(true);
    expect(resumed.report.evaluations).toBe(60);
    const keys = (events: ReturnType<typeof readJournal>) => events.flatMap((e) => (e.type === 'proposed' ? [e.arch.key] : []));
    expect(keys(readJournal(file))).toEqual(keys(full.events));
    expect(resumed.report.best?.arch.key).toBe(full.report.best?.arch.key);
  }, 30_000);

  it('refuses sampleSize > population before the run starts', async () => {
    await expect(
      tk.run({
        space: 'toy',
        estimator: 'toy-score',
        searcher: { use: 'regularized-evolution', options: { population: 2, sampleSize: 3 } },
        budget: { evaluations: 5 },
      }),
    ).rejects.toMatchObject({ kind: 'config', where: { pointer: '/searcher/options/sampleSize' } });
  }, 30_000);
});
