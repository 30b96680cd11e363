import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';
import { ExperimentStore, STORE_FILE, type RunStatus, type StoredRun } from '@nasx/store';
import { compareSpec } from '@nasx/ui';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { duration, num, outputWidth, table } from '../ui/format';
import { renderPng, renderSvg } from './trajectory-plot';

const STATUSES: readonly RunStatus[] = ['running', 'interrupted', 'completed', 'budget-exhausted', 'failed', 'cancelled'];

/** The store of `--runs-dir` (default runs/), brought up to date with the journals. */
export function openStore(io: CliIO, runsDir: string | undefined): ExperimentStore {
  const store = ExperimentStore.open(path.resolve(io.cwd, runsDir ?? 'runs'));
  try {
    store.sync();
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}

function started(ms: number | undefined): string {
  if (ms === undefined) return '';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

/** `nasx runs`: the runs of a runs directory, newest first, from the experiment store. */
export async function runsCommand(
  io: CliIO,
  o: { runsDir?: string; name?: string; space?: string; searcher?: string; estimator?: string; status?: string; limit?: number; json?: boolean },
): Promise<number> {
  if (o.status !== undefined && !STATUSES.includes(o.status as RunStatus)) {
    throw new NasxError('usage', `--status ${o.status} is not a run status`, { fix: `use one of ${STATUSES.join(', ')}` });
  }
  const store = openStore(io, o.runsDir);
  try {
    const runs = store.listRuns({
      ...(o.name ? { name: o.name } : {}),
      ...(o.space ? { space: o.space } : {}),
      ...(o.searcher ? { searcher: o.searcher } : {}),
      ...(o.estimator ? { estimator: o.estimator } : {}),
      ...(o.status ? { status: o.status as RunStatus } : {}),
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
    });
    if (o.json) {
      for (const r of runs) io.out(`${JSON.stringify(r)}\n`);
      return EXIT.ok;
    }
    if (runs.length === 0) {
      io.err(`no runs${o.name || o.space || o.searcher || o.estimator || o.status ? ' match' : ''} in ${store.runsDir}\n`);
      return EXIT.ok;
    }
    const rows = runs.map((r: StoredRun) => [
      r.id,
      r.status,
      r.space ?? '',
      r.searcher ?? '',
      r.estimator ?? '',
      `${r.evaluations}${r.budget?.evaluations ? `/${r.budget.evaluations}` : ''}`,
      r.best ? num(r.best.value) : r.multi ? '(front)' : '',
      r.elapsedMs !== undefined ? duration(r.elapsedMs) : '',
      started(r.createdAt),
    ]);
    io.out(
      `${table(['run', 'status', 'space', 'searcher', 'estimator', 'evaluations', 'best', 'time', 'started'], rows, { width: outputWidth(io.env, io.outColumns), elide: [3, 4], keep: [0, 1] })}\n`,
    );
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/** `nasx compare <run…>`: runs side by side: best, budget, time, and the best-so-far at common evaluation counts. */
export async function compareCommand(
  io: CliIO,
  ids: readonly string[],
  o: { runsDir?: string; json?: boolean; svg?: string; png?: string; size?: { width: number; height: number } },
): Promise<number> {
  if (ids.length < 2)
    throw new NasxError('usage', 'nasx compare needs two or more run ids', { fix: 'list them with nasx runs, e.g. nasx compare <run-a> <run-b>' });
  const store = openStore(io, o.runsDir);
  try {
    const ref = ids.map((id) => path.basename(id.replace(/[\\/]+$/, '')));
    const c = store.compare(ref);
    if (o.svg !== undefined || o.png !== undefined) {
      // The runs' best-so-far curves overlaid, as the web view's comparison draws them.
      const size = o.size ?? { width: 900, height: 600 };
      const svg = await renderSvg(compareSpec(ref.map((id) => ({ id, points: store.trajectory(id) }))), size);
      if (o.svg !== undefined) fs.writeFileSync(path.resolve(io.cwd, o.svg), svg);
      if (o.png !== undefined) fs.writeFileSync(path.resolve(io.cwd, o.png), await renderPng(svg));
      io.err(`wrote ${[o.svg, o.png].filter((f) => f !== undefined).join(' and ')}\n`);
    }
    if (o.json) {
      io.out(`${JSON.stringify(c)}\n`);
      return EXIT.ok;
    }
    const width = outputWidth(io.env, io.outColumns);
    const head = ['', ...c.runs.map((r) => r.id)];
    const line = (label: string, f: (r: StoredRun) => string) => [label, ...c.runs.map(f)];
    io.out(
      `${table(
        head,
        [
          line('status', (r) => r.status),
          line('space', (r) => r.space ?? ''),
          line('searcher', (r) => r.searcher ?? ''),
          line('estimator', (r) => r.estimator ?? ''),
          line('objective', (r) => r.objective ?? ''),
          line('seed', (r) => (r.seed === undefined ? '' : String(r.seed))),
          line('evaluations', (r) => `${r.evaluations}${r.budget?.evaluations ? ` of ${r.budget.evaluations}` : ''}`),
          line('failures', (r) => String(r.failures)),
          line('search time', (r) => (r.elapsedMs !== undefined ? duration(r.elapsedMs) : '')),
          line('best', (r) => (r.best ? num(r.best.value) : '')),
          line('best trial', (r) => (r.best ? String(r.best.trial) : '')),
          line('best architecture', (r) => r.best?.arch.key ?? ''),
        ],
        { width, keep: [0] },
      )}\n\nbest so far after n evaluations\n${table(
        ['n', ...c.runs.map((r) => r.id)],
        c.at.map((n, i) => [String(n), ...c.best.map((b) => num(b[i]))]),
        { width, indent: 2, keep: [0] },
      )}\n`,
    );
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/** `nasx store rebuild`: drops the store of a runs directory and indexes every journal again. */
export async function storeRebuildCommand(io: CliIO, o: { runsDir?: string }): Promise<number> {
  const dir = path.resolve(io.cwd, o.runsDir ?? 'runs');
  let store: ExperimentStore;
  try {
    store = ExperimentStore.open(dir);
  } catch (e) {
    // A damaged database file: the journals hold everything, so start a new one.
    if (!(e instanceof NasxError) || e.kind !== 'data') throw e;
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(dir, `${STORE_FILE}${suffix}`), { force: true });
    store = ExperimentStore.open(dir);
  }
  try {
    const t0 = Date.now();
    const r = store.rebuild();
    io.err(`rebuilt ${store.file}: ${r.runs} run(s), ${r.lines} journal line(s) in ${duration(Date.now() - t0)}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}
