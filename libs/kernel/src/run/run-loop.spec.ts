import { startTestKernel, type TestKernel } from '@nasx/testing';
import { readJournal } from './journal';

describe('run loop (in-process, toy plugin)', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel();
  });
  afterAll(() => tk.cleanup());

  const base = { space: 'toy', estimator: 'toy-score', searcher: 'toy-hill-climber' };

  it('runs to the evaluation budget and reports the best', async () => {
    const run = await tk.run({ ...base, seed: 1, budget: { evaluations: 40 } });
    const finished = run.of('run-finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]?.status).toBe('budget-exhausted');
    expect(finished[0]?.evaluations).toBe(40);
    expect(run.of('evaluated').filter((e) => !e.cached)).toHaveLength(40);
    const bestSeen = Math.max(...run.of('evaluated').map((e) => e.objective as number));
    expect(finished[0]?.best?.objective).toBe(bestSeen);
    // seq is gap-free from 0
    run.events.forEach((e, i) => expect(e.seq).toBe(i));
  });

  it('is reproducible from the seed, at any concurrency', async () => {
    const keys = async (seed: number, concurrency: number) =>
      (await tk.run({ ...base, seed, concurrency, estimator: { use: 'toy-score', options: { delayMs: 1 } }, budget: { evaluations: 25 } }))
        .of('proposed')
        .map((e) => e.arch.key);
    const a = await keys(3, 1);
    expect(await keys(3, 1)).toEqual(a);
    const c4 = await keys(3, 4);
    expect(await keys(3, 4)).toEqual(c4);
    expect(await keys(4, 1)).not.toEqual(a);
  });

  it('answers duplicates from the cache without spending budget', async () => {
    const run = await tk.run({ ...base, seed: 2, budget: { evaluations: 30 } });
    const cached = run.of('evaluated').filter((e) => e.cached);
    const counted = run.of('evaluated').filter((e) => !e.cached);
    expect(counted).toHaveLength(30);
    expect(new Set(counted.map((e) => e.arch.key)).size).toBe(30);
    // the hill climber revisits architectures, so the cache is exercised
    expect(cached.length).toBeGreaterThan(0);
  });

  it('marks a throwing estimate as a failed trial and goes on', async () => {
    const failOn: string[] = [];
    for (let i = 0; i < 5 ** 5; i++) failOn.push(`0${i.toString(5).padStart(5, '0')}`, `1${i.toString(5).padStart(5, '0')}`);
    const run = await tk.run({ ...base, seed: 5, estimator: { use: 'toy-score', options: { failOn } }, budget: { evaluations: 15, failures: 0 } });
    expect(run.of('failed').length).toBeGreaterThan(0);
    for (const f of run.of('failed')) expect(f.arch?.key[0]).toMatch(/[01]/);
    expect(run.of('run-finished')[0]?.status).toBe('budget-exhausted');
    expect(run.of('run-finished')[0]?.evaluations).toBe(15);
  });

  it('stops after the failure limit', async () => {
    const keys = [];
    for (let i = 0; i < 5 ** 6; i++) keys.push(i.toString(5).padStart(6, '0'));
    const run = await tk.run({ ...base, seed: 5, estimator: { use: 'toy-score', options: { failOn: keys } }, budget: { evaluations: 20, failures: 3 } });
    const fin = run.of('run-finished')[0];
    expect(fin?.status).toBe('failed');
    expect(fin?.failures).toBe(3);
    expect(run.of('failed')[0]?.error).toMatch(/toy failure/);
  });

  it('gives up on a searcher that only proposes failing or evaluated architectures', async () => {
    const failOn: string[] = [];
    for (let i = 0; i < 5 ** 5; i++) failOn.push(`0${i.toString(5).padStart(5, '0')}`);
    // The hill climber gets stuck at its optimum: every neighbour is evaluated or fails.
    const run = await tk.run(
      { ...base, seed: 5, estimator: { use: 'toy-score', options: { failOn } }, budget: { evaluations: 1000, failures: 0 } },
      { persist: false },
    );
    const fin = run.of('run-finished')[0];
    expect(fin?.status).toBe('completed');
    expect(fin?.evaluations).toBeLessThan(1000);
    expect(run.of('log').some((l) => /stuck/.test(l.message))).toBe(true);
  });

  it('stops at the wall-clock budget', async () => {
    const run = await tk.run({ ...base, seed: 1, estimator: { use: 'toy-score', options: { delayMs: 20 } }, budget: { seconds: 0.3, evaluations: 1000 } });
    const fin = run.of('run-finished')[0];
    expect(fin?.status).toBe('budget-exhausted');
    expect(fin?.reason).toMatch(/wall-clock/);
    expect(fin?.evaluations).toBeGreaterThan(2);
    expect(fin?.evaluations).toBeLessThan(100);
  });

  it('resumes from a truncated journal to the same result as an uninterrupted run', async () => {
    const cfg = { ...base, seed: 9, budget: { evaluations: 30 } };
    const full = await tk.run(cfg);
    const partial = await tk.run(cfg);
    // Cut the journal after the 12th evaluation, mid-line, as a kill would.
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(partial.runDir as string, 'events.ndjson');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let n = 0;
    const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && ++n === 12);
    fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n' + lines[cut + 1]?.slice(0, 10));
    const resumed = await tk.resume(partial.runDir as string);
    expect(resumed.report.evaluations).toBe(30);
    expect(resumed.report.best?.arch.key).toBe(full.report.best?.arch.key);
    expect(resumed.of('run-started')[0]?.resumed).toBe(true);
    const keysFull = full.of('evaluated').map((e) => e.arch.key);
    const all = readJournal(file)
      .filter((e) => e.type === 'evaluated')
      .map((e) => (e as { arch: { key: string } }).arch.key);
    expect(all).toEqual(keysFull);
  });
});
