import { NasxError } from '@nasx/contracts';
import { RUN_STATUSES, type RunStatus, type StoredRun } from '@nasx/store';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { num, outputWidth, table } from '../ui/format';
import { runsDirOption, syncedStore } from './store.command';

/** Options of `nasx runs`. */
export interface RunsOptions {
  runsDir?: string;
  name?: string;
  space?: string;
  searcher?: string;
  estimator?: string;
  status?: string;
  limit?: number;
  json?: boolean;
}

/** A run's best in its metric's own direction (a minimised metric is shown as measured, not negated). */
export function bestShown(r: StoredRun): string {
  if (r.best) return num(r.minimize ? -r.best.value : r.best.value);
  return r.multi ? '(front)' : '';
}

/** Local date and time to the minute, as in run ids. */
export function localTime(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** `nasx runs`: the runs of a runs directory, newest first, from the experiment store (synced first). */
export async function runsCommand(io: CliIO, o: RunsOptions): Promise<number> {
  if (o.status !== undefined && !RUN_STATUSES.includes(o.status as RunStatus)) {
    throw new NasxError('usage', `--status ${o.status} is not a run status`, { fix: `use one of ${RUN_STATUSES.join(', ')}` });
  }
  const store = syncedStore(runsDirOption(io, o.runsDir));
  try {
    const runs = store.listRuns({
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.space !== undefined ? { space: o.space } : {}),
      ...(o.searcher !== undefined ? { searcher: o.searcher } : {}),
      ...(o.estimator !== undefined ? { estimator: o.estimator } : {}),
      ...(o.status !== undefined ? { status: o.status as RunStatus } : {}),
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
    });
    if (o.json) {
      // One run per line (jq -c, grep): nothing when no run matches.
      for (const r of runs) io.out(`${JSON.stringify(r)}\n`);
      return EXIT.ok;
    }
    if (runs.length === 0) {
      const filtered = [o.name, o.space, o.searcher, o.estimator, o.status].some((x) => x !== undefined);
      io.err(`no runs${filtered ? ' match' : ''} in ${store.runsDir}\n`);
      return EXIT.ok;
    }
    const width = outputWidth(io.env, io.outColumns);
    const header = ['run', 'status', 'space', 'searcher', 'estimator', 'evaluations', 'best', 'started'];
    const rows = (short: boolean): string[][] =>
      runs.map((r) => [
        r.id,
        r.status,
        r.space ?? '',
        r.searcher ?? '',
        r.estimator ?? '',
        `${r.evaluations}${r.budget?.evaluations !== undefined ? `/${r.budget.evaluations}` : ''}`,
        bestShown(r),
        short ? localTime(r.createdAt).slice(5) : localTime(r.createdAt),
      ]);
    // Without the year when the table is too wide for the output (run ids hold the date anyway).
    const natural = (cells: string[][]): number => header.reduce((w, h, i) => w + Math.max(h.length, ...cells.map((c) => c[i]!.length)) + (i ? 2 : 0), 0);
    const long = rows(false);
    io.out(`${table(header, natural(long) > width ? rows(true) : long, { width, keep: [0, 1, 5, 6, 7] })}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}
