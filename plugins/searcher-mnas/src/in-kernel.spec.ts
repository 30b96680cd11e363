import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '@nasx/kernel';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import plugin from './index';

// End to end through the kernel's run loop (dedup, journal, resume by replay).
describe('mnas controller in the kernel (toy plugin)', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: '@nasx/searcher-mnas', definition: plugin }] });
  });
  afterAll(() => tk.cleanup());

  it('resumes a run cut mid-batch (4 in flight) to the same trials as an uninterrupted run', async () => {
    const cfg = {
      space: 'toy',
      estimator: 'toy-score',
      searcher: { use: 'mnas', options: { batchSize: 8, hidden: 16, lr: 0.02 } },
      seed: 6,
      concurrency: 4,
      budget: { evaluations: 60 },
    };
    const full = await tk.run(cfg);
    const partial = await tk.run(cfg);
    const file = path.join(partial.runDir as string, 'events.ndjson');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let n = 0;
    // After 3 policy updates, in the middle of the 4th batch.
    const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && ++n === 29);
    fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');
    const resumed = await tk.resume(partial.runDir as string);
    expect(resumed.of('run-started')[0]?.resumed).toBe(true);
    // The toy optimum is easy: the policy converges (20 batches of repeats only) before the budget,
    // and the searcher reports done; the resumed run ends at the same point.
    expect(full.of('run-finished')[0]).toMatchObject({ status: 'completed', reason: 'the searcher finished' });
    expect(resumed.report.evaluations).toBe(full.report.evaluations);
    const keys = (events: ReturnType<typeof readJournal>) => events.flatMap((e) => (e.type === 'proposed' ? [e.arch.key] : []));
    expect(keys(readJournal(file))).toEqual(keys(full.events));
    expect(keys(full.events).length).toBeGreaterThan(full.report.evaluations); // repeats, answered from the cache
    expect(resumed.report.best?.arch.key).toBe(full.report.best?.arch.key);
  }, 60_000);

  it('refuses an invalid option before the run starts', async () => {
    await expect(
      tk.run({ space: 'toy', estimator: 'toy-score', searcher: { use: 'mnas', options: { algorithm: 'a2c' } }, budget: { evaluations: 5 } }),
    ).rejects.toMatchObject({ kind: 'config', where: { pointer: '/searcher/options/algorithm' } });
  }, 30_000);
});
