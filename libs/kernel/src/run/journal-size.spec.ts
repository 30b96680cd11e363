import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import { readJournal } from './journal';

// A journal grows with evaluations, not proposals: a duplicate answered from the cache is written
// as a reference to the earlier evaluation (a 5,000-evaluation run with every cache hit written out
// took 128 MB).
describe('journal size under many duplicate proposals (in-process run, toy plugin)', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel();
  });
  afterAll(() => tk.cleanup());

  it('a space of 4 architectures and 1,000 proposals: a few dozen bytes per cached trial, every event restored', async () => {
    const run = await tk.run(
      {
        space: { use: 'toy', options: { positions: 2, values: 2 } },
        estimator: 'toy-score',
        searcher: 'toy-hill-climber',
        dedup: true,
        // 5 evaluations cannot be reached in a space of 4: the run goes on proposing duplicates
        budget: { evaluations: 5, seconds: 60 },
      },
      { overrides: [] },
    );
    const proposals = run.of('proposed').length;
    const cached = run.of('evaluated').filter((e) => e.cached).length;
    expect(run.of('evaluated').filter((e) => !e.cached).length).toBeLessThanOrEqual(4);
    expect(proposals).toBeGreaterThanOrEqual(1000);
    expect(cached).toBeGreaterThanOrEqual(990);
    const file = path.join(run.runDir!, 'events.ndjson');
    const bytes = fs.statSync(file).size;
    // each cached trial is two short lines (proposed + evaluated) whose size does not depend on the
    // architecture or the estimate: no "arch", no "estimate", only a reference by key
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const cachedLines = lines.filter((l) => l.includes('"cached":true'));
    expect(cachedLines).toHaveLength(cached);
    for (const l of cachedLines) expect(l).toMatch(/^\{"type":"evaluated","seq":\d+,"time":\d+,"trial":\d+,"evaluations":\d+,"cached":true,"ref":"\d+"\}$/);
    expect(lines.filter((l) => l.includes('"type":"proposed"') && l.includes('"arch"')).length).toBeLessThanOrEqual(4);
    expect(bytes / cached).toBeLessThan(200);
    // and the journal restores the stream exactly (progress events are not journaled)
    expect(readJournal(file)).toEqual(run.events.filter((e) => e.type !== 'progress'));
  }, 120_000);
});
