import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isNasxError, type SearchEvent } from '@nasx/contracts';
import { catchNasxError, toyPlugin } from '@nasx/testing';
import { lastValueFrom, toArray } from 'rxjs';
import { Kernel, type RunHandle } from '../kernel';

// A run whose config names its plugins and data by relative paths is resumed and reported by a
// new kernel (a new process), from anywhere; reports cover every session of the run.

const FIXTURE = path.join(__dirname, '__fixtures__', 'relative-plugin');

function project(workers = 0): { root: string; config: string; data: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-relative-'));
  fs.cpSync(FIXTURE, path.join(root, 'my-plugin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'data'));
  fs.writeFileSync(path.join(root, 'data', 'weights.json'), JSON.stringify([1, 2, 4]));
  fs.mkdirSync(path.join(root, 'configs'));
  const config = path.join(root, 'configs', 'search.yaml');
  fs.writeFileSync(
    config,
    [
      'name: rel',
      'plugins: [../my-plugin]',
      'dataDir: ../data',
      'space: triples',
      'estimator: weights-file',
      'searcher: toy-hill-climber',
      'budget: { evaluations: 8 }',
      `workers: ${workers}`,
      '',
    ].join('\n'),
  );
  return { root, config, data: path.join(root, 'data') };
}

/** A kernel as a new process has it: the toy plugin (its searcher), nothing of the run's. */
const freshKernel = (): Kernel => Kernel.open({ discover: false, plugins: [{ name: '@nasx/testing (toy)', definition: toyPlugin }] });

/** Run until `n` evaluations, then stop (as Ctrl-C does). */
async function stopAt(handle: RunHandle, n: number): Promise<SearchEvent[]> {
  const events: SearchEvent[] = [];
  await new Promise<void>((resolve, reject) =>
    handle.events$.subscribe({
      next(e) {
        events.push(e);
        if (e.type === 'evaluated' && !e.cached && e.evaluations === n) handle.stop();
      },
      error: reject,
      complete: resolve,
    }),
  );
  return events;
}

describe('resume and report with relative paths, across sessions', () => {
  let root: string;
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('resumes a run with plugins: and dataDir: relative to its config, and reports every session', async () => {
    const p = project();
    root = p.root;
    const runsDir = path.join(root, 'runs');
    const first = freshKernel();
    const handle = await first.start(first.loadConfig(p.config), { runsDir });
    const session1 = await stopAt(handle, 4);
    expect(session1.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'cancelled' });
    const runDir = handle.runDir as string;

    // A new kernel (a new process) resumes it: the plugin and the data are found from the saved config's folder.
    const resumed = await freshKernel().resume(runDir);
    const session2 = await lastValueFrom(resumed.events$.pipe(toArray()));
    expect(session2.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'budget-exhausted', evaluations: 8 });

    // The summary of the resumed session lists the top trials of the whole run, formatted by the plugin's space.
    const live = resumed.report();
    expect(live.sessions).toBe(2);
    const fromSession1 = new Set(session1.flatMap((e) => (e.type === 'evaluated' && !e.cached ? [e.arch.key] : [])));
    const all = [...session1, ...session2].flatMap((e) => (e.type === 'evaluated' && !e.cached ? [e] : []));
    const bestKeys = [...all].sort((a, b) => (b.objective as number) - (a.objective as number)).map((e) => e.arch.key);
    expect(live.top.map((t) => t.arch.key)).toEqual([...new Set(bestKeys)].slice(0, 8));
    expect(live.top.some((t) => fromSession1.has(t.arch.key))).toBe(true);
    for (const t of live.top) expect(t.text).toMatch(/^T\[\d-\d-\d\]$/);

    // `nasx report` in another process: the run's own plugin formats the architectures.
    const report = await freshKernel().report(runDir, { top: 3 });
    expect(report.best?.text).toMatch(/^T\[\d-\d-\d\]$/);
    expect(report.top).toHaveLength(3);
    expect(report.top.map((t) => t.arch.key)).toEqual(live.top.slice(0, 3).map((t) => t.arch.key));
    expect(report.top[0]?.text).toBe(report.best?.text);
  });

  it('resumes with worker threads that resolve relative paths against the original config folder, not the run folder', async () => {
    const p = project(1);
    root = p.root;
    const handle = await freshKernel().start(freshKernel().loadConfig(p.config), { runsDir: path.join(root, 'runs') });
    const session1 = await stopAt(handle, 3);
    const resumed = await freshKernel().resume(handle.runDir as string);
    const session2 = await lastValueFrom(resumed.events$.pipe(toArray()));
    expect(session2.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'budget-exhausted', evaluations: 8 });
    const dirs = (events: SearchEvent[]) => new Set(events.flatMap((e) => (e.type === 'evaluated' && !e.cached ? [e.estimate.info?.['configDir']] : [])));
    expect(dirs(session1)).toEqual(new Set([path.join(root, 'configs')]));
    expect(dirs(session2)).toEqual(new Set([path.join(root, 'configs')]));
  }, 60_000);

  it('resumes with another data directory when the data moved, and says which is missing otherwise', async () => {
    const p = project();
    root = p.root;
    const kernel = freshKernel();
    const handle = await kernel.start(kernel.loadConfig(p.config), { runsDir: path.join(root, 'runs') });
    await stopAt(handle, 3);
    const moved = path.join(root, 'moved-data');
    fs.renameSync(p.data, moved);

    const err = await freshKernel()
      .resume(handle.runDir as string)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isNasxError(err) && err.kind).toBe('data');
    expect(String((err as Error).message)).toMatch(/weights\.json not found/);

    const resumed = await freshKernel().resume(handle.runDir as string, { dataDir: moved });
    const events = await lastValueFrom(resumed.events$.pipe(toArray()));
    expect(events.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'budget-exhausted', evaluations: 8 });
  });

  it("loads a finished run's config for tools on its results (nasx export): its plugins, relative paths, overrides", async () => {
    const p = project();
    root = p.root;
    const kernel = freshKernel();
    const handle = await kernel.start(kernel.loadConfig(p.config), { runsDir: path.join(root, 'runs') });
    await lastValueFrom(handle.events$.pipe(toArray()));
    const config = freshKernel().loadRunConfig(handle.runDir as string, { overrides: ['seed=5'] });
    expect([config.space.id, config.estimator.id, config.seed, config.dataDir]).toEqual(['triples', 'weights-file', 5, p.data]);
    const parts = await freshKernel().createSpaceAndTask(config);
    expect(parts.space.id).toBe('triples');
    await parts.dispose();
  });

  it('refuses to resume a finished run', async () => {
    const p = project();
    root = p.root;
    const kernel = freshKernel();
    const handle = await kernel.start(kernel.loadConfig(p.config), { runsDir: path.join(root, 'runs') });
    await lastValueFrom(handle.events$.pipe(toArray()));
    const err = await freshKernel()
      .resume(handle.runDir as string)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(
      catchNasxError(() => {
        throw err;
      }).message,
    ).toMatch(/already finished/);
  });
});
