import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '@nasx/kernel';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import plugin from './index';

// End to end through the kernel's run loop (dedup, journal, resume by replay).
describe('random searcher in the kernel (toy plugin)', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: '@nasx/searcher-random', definition: plugin }] });
  });
  afterAll(() => tk.cleanup());

  it('resumes a run cut mid-way (3 in flight) to the same trials as an uninterrupted run', async () => {
    const cfg = {
      space: 'toy',
      estimator: 'toy-score',
      searcher: { use: 'random', options: { unique: true } },
      seed: 4,
      concurrency: 3,
      budget: { evaluations: 40 },
    };
    const full = await tk.run(cfg);
    const partial = await tk.run(cfg);
    const file = path.join(partial.runDir as string, 'events.ndjson');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let n = 0;
    const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && ++n === 17);
    fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');
    const resumed = await tk.resume(partial.runDir as string);
    expect(resumed.of('run-started')[0]?.resumed).toBe(true);
    expect(resumed.report.evaluations).toBe(40);
    const keys = (events: ReturnType<typeof readJournal>) => events.flatMap((e) => (e.type === 'proposed' ? [e.arch.key] : []));
    expect(keys(readJournal(file))).toEqual(keys(full.events));
    expect(resumed.report.best?.arch.key).toBe(full.report.best?.arch.key);
  }, 30_000);

  it('with unique, ends the run on its own once a small space is exhausted', async () => {
    const run = await tk.run({
      space: { use: 'toy', options: { positions: 2, values: 3 } },
      estimator: 'toy-score',
      searcher: { use: 'random', options: { unique: true } },
      seed: 1,
      concurrency: 2,
      budget: { evaluations: 100 },
    });
    const proposed = run.of('proposed').map((e) => e.arch.key);
    expect(new Set(proposed).size).toBe(9);
    expect(proposed).toHaveLength(9);
    expect(run.of('run-finished')[0]).toMatchObject({ evaluations: 9 });
    expect(run.of('run-finished')[0]?.status).not.toBe('failed');
  }, 30_000);
});
