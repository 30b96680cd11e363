import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isNasxError, type Architecture, type SearchEvent } from '@nasx/contracts';
import { JournalEncoder, readJournal, reportFromJournal } from '@nasx/kernel';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import Database from 'better-sqlite3';
import { ExperimentStore, STORE_FILE, STORE_SCHEMA_VERSION, rebuildStore, syncStore } from './index';
import { createTables } from './schema';

// The store as it is fed: real runs of the toy pipeline (journals written by the kernel) checked
// against the kernel's own reading of the journals (readJournal, reportFromJournal), journals
// synced as they grow (torn last lines included) against a rebuild, a killed run resumed, and the
// mistakes a user can make.

const TOY = { space: 'toy', estimator: 'toy-score', searcher: 'toy-hill-climber', workers: 0 };

/** Everything the store answers about its runs, for equality checks. */
function snapshot(store: ExperimentStore): unknown {
  return {
    heads: store.heads(),
    runs: store.listRuns().map((r) => ({ run: r, trials: store.trials(r.id), trajectory: store.trajectory(r.id), events: store.events(r.id) })),
  };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-store-'));
}

/** The error a function throws (a test fails when it throws none). */
function thrown(f: () => unknown): Error & { fix?: string } {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** A copy of a run folder whose journal holds the first `bytes` bytes of the source's. */
function copyRun(source: string, targetDir: string, bytes?: number): string {
  const target = path.join(targetDir, path.basename(source));
  fs.mkdirSync(target, { recursive: true });
  fs.copyFileSync(path.join(source, 'config.json'), path.join(target, 'config.json'));
  const journal = fs.readFileSync(path.join(source, 'events.ndjson'));
  fs.writeFileSync(path.join(target, 'events.ndjson'), bytes === undefined ? journal : journal.subarray(0, bytes));
  return target;
}

describe('experiment store', () => {
  let tk: TestKernel;
  let alpha: string;
  let beta: string;
  beforeAll(async () => {
    tk = startTestKernel();
    alpha = (await tk.run({ ...TOY, name: 'alpha', seed: 1, budget: { evaluations: 60 } })).runId;
    beta = (await tk.run({ ...TOY, name: 'beta', seed: 2, budget: { evaluations: 25 } })).runId;
  });
  afterAll(() => tk.cleanup());

  it('indexes each run as the kernel reads its journal: trials, counts, best, status, trajectory', () => {
    const store = ExperimentStore.open(tk.runsDir);
    try {
      const report = store.sync();
      expect(report).toMatchObject({ runs: 2, reingested: [alpha, beta].sort(), removed: [] });
      expect(report.changed.slice().sort()).toEqual([alpha, beta].sort());
      expect(report.lines).toBe(
        [alpha, beta].reduce(
          (n, id) =>
            n +
            fs
              .readFileSync(path.join(tk.runsDir, id, 'events.ndjson'), 'utf8')
              .trim()
              .split('\n').length,
          0,
        ),
      );
      for (const id of [alpha, beta]) {
        const events = readJournal(path.join(tk.runsDir, id, 'events.ndjson'));
        const kernel = reportFromJournal(events);
        const evaluatedCount = events.filter((e) => e.type === 'evaluated').length;
        const r = store.run(id);
        expect(r).toMatchObject({
          id,
          name: id.startsWith('alpha') ? 'alpha' : 'beta',
          space: 'toy',
          searcher: 'toy-hill-climber',
          estimator: 'toy-score',
          status: 'finished',
          outcome: kernel.status,
          seed: kernel.seed,
          objective: kernel.objective,
          budget: kernel.budget,
          evaluations: kernel.evaluations,
          cached: kernel.cachedAnswers,
          trials: evaluatedCount,
          failures: kernel.failures,
          sessions: 1,
          elapsedMs: kernel.elapsedMs,
          lastSeq: events.at(-1)!.seq,
        });
        expect(r.best).toEqual({ trial: kernel.best!.trial, value: kernel.best!.objective, key: kernel.best!.arch.key, arch: kernel.best!.arch });
        // Every evaluated line, references resolved as readJournal resolves them.
        const evaluated = events.filter((e): e is Extract<SearchEvent, { type: 'evaluated' }> => e.type === 'evaluated');
        expect(store.trials(id).map((t) => [t.seq, t.trial, t.key, t.arch, t.objective, t.metrics, t.cached, t.evaluations])).toEqual(
          evaluated.map((e) => [e.seq, e.trial, e.arch.key, e.arch, e.objective, e.estimate.metrics, e.cached === true, e.evaluations]),
        );
        // The best-so-far curve: one point per counted evaluation; its improvements are the report's trajectory.
        const curve = store.trajectory(id);
        expect(curve.map((p) => p.evaluations)).toEqual(Array.from({ length: kernel.evaluations }, (_, i) => i + 1));
        expect(curve.filter((p, i) => i === 0 || p.best > curve[i - 1]!.best).map((p) => [p.evaluations, p.best])).toEqual(kernel.trajectory);
        expect(curve.every((p, i) => p.elapsedMs >= (curve[i - 1]?.elapsedMs ?? 0) && p.elapsedMs <= r.elapsedMs)).toBe(true);
        // Sorted and filtered trials.
        const values = evaluated.filter((e) => !e.cached).map((e) => e.objective as number);
        expect(store.trials(id, { sort: 'value', order: 'desc', cached: false, limit: 3 }).map((t) => t.value)).toEqual(
          [...values].sort((x, y) => y - x).slice(0, 3),
        );
        const ascending = store.trials(id, { sort: 'value', status: 'evaluated' }).map((t) => t.value!);
        expect(ascending).toEqual(evaluated.map((e) => e.objective as number).sort((x, y) => x - y));
        expect(store.trials(id, { sort: 'trial', order: 'desc', limit: 1 })[0]!.trial).toBe(Math.max(...evaluated.map((e) => e.trial)));
        expect(store.trials(id, { sort: 'seconds', limit: 5 }).map((t) => t.seconds)).toEqual(
          evaluated
            .map((e) => e.estimate.cost.seconds)
            .sort((x, y) => x - y)
            .slice(0, 5),
        );
        expect(store.trials(id, { offset: 5, limit: 5 }).map((t) => t.seq)).toEqual(evaluated.slice(5, 10).map((e) => e.seq));
        expect(store.trials(id, { cached: true }).length).toBe(kernel.cachedAnswers);
        expect(store.trials(id, { arch: r.best!.key }).every((t) => t.key!.includes(r.best!.key))).toBe(true);
        expect(store.trials(id, { afterSeq: curve[9]!.seq }).every((t) => t.seq > curve[9]!.seq)).toBe(true);
        expect(store.events(id).map((e) => e.type)).toEqual(events.filter((e) => e.type !== 'proposed' && e.type !== 'evaluated').map((e) => e.type));
        expect(store.events(id, { types: ['run-finished'] })[0]!.data).toMatchObject({ status: kernel.status, evaluations: kernel.evaluations });
      }
      // Filters.
      expect(store.listRuns().map((r) => r.id)).toEqual([beta, alpha]);
      expect(store.listRuns({ name: 'ALPH' }).map((r) => r.id)).toEqual([alpha]);
      expect(store.listRuns({ status: 'finished', limit: 1 }).map((r) => r.id)).toEqual([beta]);
      expect(store.listRuns({ status: 'running' })).toEqual([]);
      expect(store.listRuns({ space: 'toy', searcher: 'toy-hill-climber', estimator: 'toy-score' })).toHaveLength(2);
      expect(store.listRuns({ searcher: 'random' })).toEqual([]);
      // Nothing new: a second sync reads nothing and changes nothing.
      expect(store.sync()).toMatchObject({ changed: [], reingested: [], lines: 0, bytes: 0 });
    } finally {
      store.close();
    }
  });

  it('syncs journals as they grow, torn last lines included, to what a rebuild makes', () => {
    const dir = tmp();
    const sourceA = path.join(tk.runsDir, alpha);
    const sourceB = path.join(tk.runsDir, beta);
    const sizeA = fs.statSync(path.join(sourceA, 'events.ndjson')).size;
    const sizeB = fs.statSync(path.join(sourceB, 'events.ndjson')).size;
    const store = ExperimentStore.open(dir);
    try {
      // Cut points anywhere (mid-line too: a torn last line waits for its newline), growing both journals.
      const cuts = [0.07, 0.2, 0.21, 0.5, 0.5, 0.83, 0.99, 1];
      let lastSeq = -1;
      for (const f of cuts) {
        copyRun(sourceA, dir, Math.floor(f * sizeA));
        copyRun(sourceB, dir, Math.floor(Math.min(1, f * 1.7) * sizeB));
        const before = store.heads().find((h) => h.id === alpha)?.lastSeq ?? -1;
        const r = store.sync();
        expect(r.reingested.length).toBeLessThanOrEqual(f === cuts[0] ? 2 : 0);
        const head = store.heads().find((h) => h.id === alpha)!;
        expect(head.lastSeq).toBeGreaterThanOrEqual(before);
        expect(r.changed.includes(alpha)).toBe(head.lastSeq !== before || f === cuts[0]);
        // What changed since: the trials after the last seen seq are exactly the new ones.
        const fresh = store.trials(alpha, { afterSeq: lastSeq });
        expect(fresh.every((t) => t.seq > lastSeq && t.seq <= head.lastSeq)).toBe(true);
        lastSeq = head.lastSeq;
      }
      const rebuilt = ExperimentStore.open(dir, { file: path.join(dir, 'rebuilt.db') });
      try {
        rebuilt.rebuild();
        expect(snapshot(store)).toEqual(snapshot(rebuilt));
        expect(store.run(alpha)).toEqual(ExperimentStore.open(tk.runsDir).run(alpha));
      } finally {
        rebuilt.close();
      }
      // Another journal written over a run folder, same length or shorter: read from the start.
      fs.writeFileSync(path.join(dir, alpha, 'events.ndjson'), fs.readFileSync(path.join(sourceB, 'events.ndjson')));
      expect(store.sync().reingested).toEqual([alpha]);
      expect(store.run(alpha)).toMatchObject({ seed: 2, evaluations: 25 });
      const text = fs.readFileSync(path.join(sourceA, 'events.ndjson'), 'utf8');
      const edited = text.replace(/"trial":3,/, '"trial":3 ,');
      fs.writeFileSync(path.join(dir, alpha, 'events.ndjson'), edited);
      store.sync();
      fs.writeFileSync(path.join(dir, alpha, 'events.ndjson'), text);
      expect(store.sync().reingested).toEqual([alpha]);
      expect(store.run(alpha).evaluations).toBe(60);
      // A deleted run folder leaves the store.
      fs.rmSync(path.join(dir, beta), { recursive: true });
      expect(store.sync().removed).toEqual([beta]);
      expect(store.listRuns().map((r) => r.id)).toEqual([alpha]);
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two stores on one file (two processes) sync in turns without ingesting a line twice; a store made meanwhile is kept', () => {
    const dir = tmp();
    try {
      const source = path.join(tk.runsDir, alpha);
      const size = fs.statSync(path.join(source, 'events.ndjson')).size;
      copyRun(source, dir, Math.floor(size / 3));
      // B found no store and is about to create the tables when A makes the store and syncs.
      const b = new Database(path.join(dir, STORE_FILE));
      const a = ExperimentStore.open(dir);
      a.sync();
      createTables(b, { unlessCurrent: true });
      b.close();
      expect(a.run(alpha).evaluations).toBeGreaterThan(0);
      const other = ExperimentStore.open(dir);
      try {
        copyRun(source, dir, Math.floor((2 * size) / 3));
        expect(other.sync().lines).toBeGreaterThan(0);
        // A goes on from where B stopped, not from where it stopped itself.
        expect(a.sync()).toMatchObject({ lines: 0, changed: [] });
        copyRun(source, dir);
        const lines = a.sync().lines + other.sync().lines;
        expect(lines).toBeGreaterThan(0);
        expect(snapshot(a)).toEqual(snapshot(other));
        const rebuilt = ExperimentStore.open(dir, { file: path.join(dir, 'rebuilt.db') });
        rebuilt.rebuild();
        expect(snapshot(a)).toEqual(snapshot(rebuilt));
        rebuilt.close();
      } finally {
        other.close();
        a.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a killed run is interrupted (running while a live process holds its lock) and finished after resume and sync', async () => {
    const dir = tmp();
    const store = ExperimentStore.open(dir);
    try {
      const source = path.join(tk.runsDir, alpha);
      const journal = fs.readFileSync(path.join(source, 'events.ndjson'), 'utf8');
      // Killed in the middle of writing a line, two thirds through.
      const run = copyRun(source, dir, Math.floor(journal.length * 0.66));
      expect(journal.slice(0, Math.floor(journal.length * 0.66)).endsWith('\n')).toBe(false);
      syncStore(store);
      const killed = store.run(alpha);
      expect(killed).toMatchObject({ status: 'interrupted', sessions: 1 });
      expect(killed.outcome).toBeUndefined();
      expect(killed.evaluations).toBeGreaterThan(10);
      expect(killed.evaluations).toBeLessThan(60);
      // A live writer: running. (This process's pid stands for it.)
      fs.writeFileSync(path.join(run, 'lock'), `${process.pid}\n`);
      expect(store.sync().changed).toEqual([alpha]);
      expect(store.listRuns({ status: 'running' }).map((r) => r.id)).toEqual([alpha]);
      fs.rmSync(path.join(run, 'lock'));
      expect(store.sync().changed).toEqual([alpha]);
      expect(store.run(alpha).status).toBe('interrupted');

      const tk2 = startTestKernel();
      try {
        await tk2.resume(run);
      } finally {
        tk2.cleanup();
      }
      const r = store.sync();
      // The resume moved the torn line aside and appended: the ingested part is the same, so the sync goes on from it.
      expect(r).toMatchObject({ changed: [alpha], reingested: [] });
      const resumed = store.run(alpha);
      const kernel = reportFromJournal(readJournal(path.join(run, 'events.ndjson')));
      expect(resumed).toMatchObject({ status: 'finished', outcome: 'budget-exhausted', sessions: 2, evaluations: 60, failures: kernel.failures });
      expect(resumed.best?.value).toBe(kernel.best!.objective);
      expect(store.trajectory(alpha).map((p) => p.evaluations)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      // The time between the sessions is not search time.
      expect(resumed.elapsedMs).toBe(kernel.elapsedMs);
      const again = ExperimentStore.open(dir, { file: path.join(dir, 'again.db') });
      try {
        again.rebuild();
        expect(snapshot(again)).toEqual(snapshot(store));
      } finally {
        again.close();
      }
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads every line form of the journal format: references, cached answers, non-finite numbers, failures, damaged lines', () => {
    const dir = tmp();
    try {
      const runId = 'forms-20260101-000000-abcd';
      const arch = (key: string, g: number): Architecture => ({ space: 'toy', key, genotype: [g] });
      const estimate = (v: number) => ({ metrics: { score: v }, fidelity: {}, cost: { seconds: 0.5 } });
      let seq = 0;
      const ev = (e: Record<string, unknown>) => ({ runId, seq: seq++, time: 1000 + 10 * seq, ...e }) as unknown as SearchEvent;
      const events: SearchEvent[] = [
        ev({
          type: 'run-started',
          seed: 3,
          resumed: false,
          contributions: { space: 'toy', searcher: 's', estimator: 'e' },
          objective: 'minimize loss',
          budget: { evaluations: 4 },
        }),
        ev({ type: 'proposed', trial: 0, arch: arch('a', 1) }),
        ev({ type: 'evaluated', trial: 0, arch: arch('a', 1), estimate: estimate(-Infinity), objective: Infinity, evaluations: 1 }),
        ev({ type: 'proposed', trial: 1, arch: arch('a', 1) }),
        ev({ type: 'evaluated', trial: 1, arch: arch('a', 1), estimate: estimate(-Infinity), objective: Infinity, evaluations: 1, cached: true }),
        ev({ type: 'proposed', trial: 2, arch: arch('a', 2) }),
        ev({ type: 'evaluated', trial: 2, arch: arch('a', 2), estimate: estimate(-Infinity), objective: Infinity, evaluations: 1, cached: true }),
        ev({ type: 'failed', trial: 3, stage: 'ask', error: 'no proposal' }),
        ev({ type: 'proposed', trial: 3, arch: arch('b', 3) }),
        ev({ type: 'evaluated', trial: 3, arch: arch('b', 3), estimate: estimate(2), objective: -2, evaluations: 2 }),
        ev({ type: 'failed', trial: 3, arch: arch('b', 3), stage: 'tell', error: 'boom' }),
        ev({ type: 'metric', name: 'loss', value: NaN, step: 1 }),
        ev({ type: 'run-finished', status: 'completed', reason: 'done', evaluations: 2, failures: 2, elapsedMs: 95 }),
      ];
      const encoder = new JournalEncoder();
      const lines = events.map((e) => encoder.line(e));
      expect(lines.filter((l) => l.includes('"ref"')).length).toBe(3);
      fs.mkdirSync(path.join(dir, runId));
      // A damaged line in the middle is skipped, as readJournal skips it.
      fs.writeFileSync(path.join(dir, runId, 'events.ndjson'), [...lines.slice(0, 7), '{"type":"evaluated","seq":', ...lines.slice(7), ''].join('\n'));
      const store = ExperimentStore.open(dir);
      try {
        store.sync();
        const r = store.run(runId);
        expect(r).toMatchObject({
          name: 'forms',
          status: 'finished',
          outcome: 'completed',
          minimize: true,
          evaluations: 2,
          cached: 2,
          failures: 2,
          elapsedMs: 95,
        });
        expect(r.best).toMatchObject({ trial: 0, value: Infinity, key: 'a', arch: arch('a', 1) });
        const trials = store.trials(runId);
        const read = readJournal(path.join(dir, runId, 'events.ndjson'), false, () => undefined).filter(
          (e): e is Extract<SearchEvent, { type: 'evaluated' }> => e.type === 'evaluated',
        );
        expect(trials.filter((t) => t.status === 'evaluated').map((t) => [t.trial, t.arch, t.objective, t.metrics, t.cached, t.seconds])).toEqual(
          read.map((e) => [e.trial, e.arch, e.objective, e.estimate.metrics, e.cached === true, e.estimate.cost.seconds]),
        );
        expect(trials.filter((t) => t.status === 'failed').map((t) => [t.trial, t.stage, t.error, t.key])).toEqual([
          [3, 'ask', 'no proposal', undefined],
          [3, 'tell', 'boom', 'b'],
        ]);
        expect(store.events(runId, { types: ['metric'] })[0]!.data['value']).toBeNaN();
        expect(store.trajectory(runId).map((p) => [p.evaluations, p.value, p.best])).toEqual([
          [1, Infinity, Infinity],
          [2, -2, Infinity],
        ]);
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
      const c = store.compare([alpha, beta.slice(0, -2)]);
      expect(c.runs.map((r) => r.id)).toEqual([alpha, beta]);
      expect(c.at).toEqual([1, 2, 5, 10, 20, 25, 50, 60]);
      c.runs.forEach((r, k) => {
        const curve = store.trajectory(r.id);
        c.at.forEach((n, i) => {
          const upTo = curve.filter((p) => p.evaluations <= n);
          expect(c.best[k]![i]).toBe(n > r.evaluations ? null : upTo.at(-1)!.best);
        });
        expect(c.best[k]![c.at.indexOf(r.evaluations)]).toBe(r.best!.value);
      });
    } finally {
      store.close();
    }
  });

  it('bad input: unknown and ambiguous ids, a missing runs directory, a damaged file, another schema version', () => {
    const store = ExperimentStore.open(tk.runsDir);
    try {
      store.sync();
      // One character wrong: did you mean.
      const typo = `${alpha.slice(0, -1)}${alpha.endsWith('x') ? 'y' : 'x'}`;
      const e = thrown(() => store.run(typo));
      expect(isNasxError(e) && e.message).toBe(`no run "${typo}" in ${path.resolve(tk.runsDir)}`);
      expect(e.fix).toMatch(new RegExp(`did you mean ${alpha}\\?`));
      expect(thrown(() => store.trials('nope')).message).toMatch(/no run "nope"/);
      expect(thrown(() => store.run('nope')).fix).toMatch(/nasx runs lists the 2 run\(s\) there; the newest: beta-/);
      // A prefix only one run has is that run; one that several have is an error listing them.
      expect(store.run('alpha').id).toBe(alpha);
      fs.mkdirSync(path.join(tk.runsDir, 'alpha-2'));
      fs.copyFileSync(path.join(tk.runsDir, alpha, 'events.ndjson'), path.join(tk.runsDir, 'alpha-2', 'events.ndjson'));
      store.sync();
      expect(thrown(() => store.run('alpha')).message).toMatch(/"alpha" is the start of 2 run ids/);
      fs.rmSync(path.join(tk.runsDir, 'alpha-2'), { recursive: true });
      store.sync();
    } finally {
      store.close();
    }
    expect(thrown(() => ExperimentStore.open(path.join(tk.runsDir, 'nope'))).message).toMatch(/the runs directory .*nope does not exist/);
    expect(thrown(() => ExperimentStore.open(path.join(tk.runsDir, alpha, 'config.json'))).message).toMatch(/is not a folder/);

    const dir = tmp();
    try {
      fs.mkdirSync(path.join(dir, alpha));
      fs.copyFileSync(path.join(tk.runsDir, alpha, 'events.ndjson'), path.join(dir, alpha, 'events.ndjson'));
      fs.writeFileSync(path.join(dir, STORE_FILE), 'not a database, just text '.repeat(200));
      const damaged = thrown(() => ExperimentStore.open(dir));
      expect(isNasxError(damaged) && damaged.kind).toBe('data');
      expect(damaged.message).toMatch(/nasx\.db is not a usable experiment store \(file is not a database\)/);
      expect(damaged.fix).toMatch(/nasx store rebuild --runs-dir/);
      // Rebuilding replaces the damaged file.
      expect(rebuildStore(dir)).toMatchObject({ runs: 1, reingested: [alpha] });
      const s = ExperimentStore.open(dir);
      expect(s.run(alpha).evaluations).toBe(60);
      expect(new Database(path.join(dir, STORE_FILE)).pragma('journal_mode', { simple: true })).toBe('wal');
      s.close();
      // Tables of another version, or of another layout under the same version number, are
      // emptied and filled again, never read with the wrong layout.
      for (const other of ['1', `${STORE_SCHEMA_VERSION}:000000000000`]) {
        const old = new Database(path.join(dir, STORE_FILE));
        old.exec(`UPDATE meta SET value = '${other}' WHERE key = 'schema'; DELETE FROM trials; UPDATE runs SET evaluations = 999`);
        old.close();
        const reopened = ExperimentStore.open(dir);
        try {
          expect(reopened.listRuns()).toEqual([]);
          reopened.sync();
          expect(reopened.run(alpha).evaluations).toBe(60);
          expect(reopened.trials(alpha).length).toBeGreaterThan(0);
        } finally {
          reopened.close();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
