import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isNasxError } from '@nasx/contracts';
import { readJournal } from '@nasx/kernel';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import Database from 'better-sqlite3';
import { ExperimentStore, STORE_FILE } from './store';

// The store as it is fed: real runs of the toy pipeline (journals written by the kernel), read
// incrementally as they grow (a torn last line included), rebuilt, and compared with the journals.

const TOY = { space: 'toy', estimator: 'toy-score', searcher: 'toy-hill-climber', workers: 0 };

/** Everything the store answers about a runs directory, for equality checks. */
function snapshot(store: ExperimentStore): unknown {
  return store.listRuns().map((r) => ({
    run: { ...r, updatedAt: undefined },
    trials: store.trials(r.id),
    trajectory: store.trajectory(r.id),
    events: store.events(r.id),
  }));
}

describe('experiment store', () => {
  let tk: TestKernel;
  let runIds: string[];
  beforeAll(async () => {
    tk = startTestKernel();
    const a = await tk.run({ ...TOY, name: 'alpha', seed: 1, budget: { evaluations: 40 } });
    const b = await tk.run({ ...TOY, name: 'beta', seed: 2, budget: { evaluations: 25 } });
    runIds = [a.runId, b.runId];
  });
  afterAll(() => tk.cleanup());

  it('indexes every run with its journal’s trials, best and trajectory', () => {
    const store = ExperimentStore.open(tk.runsDir);
    try {
      expect(store.sync()).toMatchObject({ runs: 2, reingested: 2 });
      const runs = store.listRuns();
      expect(runs.map((r) => r.id).sort()).toEqual([...runIds].sort());
      for (const r of runs) {
        const events = readJournal(path.join(tk.runsDir, r.id, 'events.ndjson'));
        const evaluated = events.filter((e) => e.type === 'evaluated');
        const finished = events.find((e) => e.type === 'run-finished')!;
        expect(r).toMatchObject({
          space: 'toy',
          searcher: 'toy-hill-climber',
          estimator: 'toy-score',
          status: finished.status,
          evaluations: finished.evaluations,
          sessions: 1,
        });
        expect(r.trials).toBe(evaluated.length);
        const values = evaluated.map((e) => e.objective as number);
        expect(r.best?.value).toBe(Math.max(...values));
        expect(store.trials(r.id).map((t) => [t.trial, t.value, t.arch?.key, t.cached])).toEqual(
          evaluated.map((e) => [e.trial, e.objective, e.arch.key, e.cached === true]).sort((x, y) => (x[0] as number) - (y[0] as number)),
        );
        const curve = store.trajectory(r.id);
        expect(curve.map((p) => p.value)).toEqual(values);
        let best = -Infinity;
        expect(curve.map((p) => p.best)).toEqual(values.map((v) => (best = Math.max(best, v))));
        const top = store.trials(r.id, { sort: 'value', order: 'desc', limit: 3 });
        expect(top.map((t) => t.value)).toEqual([...values].sort((x, y) => y - x).slice(0, 3));
      }
      expect(store.listRuns({ name: 'alph' }).map((r) => r.id)).toEqual([runIds[0]]);
      expect(store.listRuns({ status: 'budget-exhausted', limit: 1 })).toHaveLength(1);
      expect(store.listRuns({ searcher: 'random' })).toEqual([]);
      // A second sync reads nothing new.
      expect(store.sync()).toMatchObject({ reingested: 0, lines: 0 });
    } finally {
      store.close();
    }
  });

  it('syncs a journal as it grows (a torn last line waits), and equals a rebuild; a killed run is interrupted, a locked one running', () => {
    const source = path.join(tk.runsDir, runIds[0]!);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-store-'));
    try {
      const target = path.join(dir, runIds[0]!);
      fs.mkdirSync(target);
      fs.copyFileSync(path.join(source, 'config.json'), path.join(target, 'config.json'));
      const text = fs.readFileSync(path.join(source, 'events.ndjson'), 'utf8');
      const lines = text.split('\n');
      const journal = path.join(target, 'events.ndjson');
      const store = ExperimentStore.open(dir);
      try {
        // A third of the lines and half of the next one (a run killed mid-write).
        const third = Math.floor(lines.length / 3);
        const next = lines[third]!;
        fs.writeFileSync(journal, `${lines.slice(0, third).join('\n')}\n${next.slice(0, next.length >> 1)}`);
        store.sync();
        const early = store.run(runIds[0]!);
        expect(early.status).toBe('interrupted');
        expect(store.trials(early.id).length).toBeLessThan(40);
        fs.writeFileSync(path.join(target, 'lock'), `${process.pid}\n`);
        expect(store.run(early.id).status).toBe('running');
        fs.rmSync(path.join(target, 'lock'));
        // The rest arrives in two pieces.
        fs.appendFileSync(journal, `${next.slice(next.length >> 1)}\n${lines.slice(third + 1, 2 * third).join('\n')}\n`);
        store.sync();
        fs.appendFileSync(journal, `${lines.slice(2 * third).join('\n')}`);
        store.sync();
        const incremental = snapshot(store);
        const rebuilt = ExperimentStore.open(dir, { file: path.join(dir, 'other.db') });
        try {
          rebuilt.rebuild();
          expect(incremental).toEqual(snapshot(rebuilt));
        } finally {
          rebuilt.close();
        }
        expect(store.run(runIds[0]!).status).toBe('budget-exhausted');
        // Another run written over the same folder (same size or not): read again from the start.
        fs.writeFileSync(journal, fs.readFileSync(path.join(tk.runsDir, runIds[1]!, 'events.ndjson')));
        expect(store.sync().reingested).toBe(1);
        expect(store.trials(runIds[0]!).length).toBe(store.run(runIds[0]!).trials);
        expect(store.run(runIds[0]!).seed).toBe(2);
        // A deleted run folder leaves the store.
        fs.rmSync(target, { recursive: true });
        expect(store.sync().removed).toBe(1);
        expect(store.listRuns()).toEqual([]);
      } finally {
        store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compares runs at common evaluation counts, nothing past a run’s end', () => {
    const store = ExperimentStore.open(tk.runsDir);
    try {
      store.sync();
      const c = store.compare(runIds);
      expect(c.at).toEqual([1, 2, 5, 10, 20, 25, 40]);
      const short = c.runs.findIndex((r) => r.evaluations === 25);
      expect(c.best[short]![c.at.indexOf(40)]).toBeUndefined();
      for (const [k, r] of c.runs.entries()) {
        const curve = store.trajectory(r.id);
        c.at.forEach((n, i) => {
          const upTo = curve.filter((p) => p.evaluations <= n);
          if (n <= r.evaluations) expect(c.best[k]![i]).toBe(upTo[upTo.length - 1]!.best);
        });
      }
    } finally {
      store.close();
    }
  });

  it('an unknown run id, a missing runs directory and a damaged database are clear errors; another schema version is rebuilt', () => {
    const store = ExperimentStore.open(tk.runsDir);
    try {
      store.sync();
      let caught: unknown;
      try {
        store.run(runIds[0]!.slice(0, 8));
      } catch (e) {
        caught = e;
      }
      expect(isNasxError(caught) && caught.message).toMatch(/no run "alpha-20/);
      expect(isNasxError(caught) && caught.fix).toMatch(/did you mean alpha-/);
    } finally {
      store.close();
    }
    expect(() => ExperimentStore.open(path.join(tk.runsDir, 'nope'))).toThrow(/the runs directory .*nope does not exist/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-store-'));
    try {
      fs.writeFileSync(path.join(dir, STORE_FILE), 'not a database, just text '.repeat(200));
      let caught: unknown;
      try {
        ExperimentStore.open(dir);
      } catch (e) {
        caught = e;
      }
      expect(isNasxError(caught) && `${caught.message} ${caught.fix}`).toMatch(/is not a usable experiment store.*nasx store rebuild/s);
      // An older layout is dropped and rebuilt, never misread.
      fs.rmSync(path.join(dir, STORE_FILE));
      const old = new Database(path.join(dir, STORE_FILE));
      old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema', '0'); CREATE TABLE runs (id TEXT)`);
      old.close();
      const s = ExperimentStore.open(dir);
      expect(s.listRuns()).toEqual([]);
      s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
