import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';
import type { StoredRun } from '@nasx/store';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { duration, num, outputWidth, table } from '../ui/format';
import { compareSpec } from './compare-plot';
import { openKernel } from '../kernel-factory';
import { bestShown } from './runs.command';
import { runsDirOption, syncedStore } from './store.command';
import { renderPng, renderSvg } from './trajectory-plot';

/** Size of `--plot` when `--size` is not given. */
const DEFAULT_PLOT = { width: 900, height: 600 } as const;

/** Options of `nasx compare`. */
export interface CompareOptions {
  runsDir?: string;
  json?: boolean;
  /** An .svg or .png file to draw the best-so-far curves into. */
  plot?: string;
  /** The same plot as SVG and as PNG, whatever the names (as `nasx report --svg/--png`). */
  svg?: string;
  png?: string;
  size?: { width: number; height: number };
}

/**
 * The runs directory and ids of `nasx compare`'s arguments: run ids, or run folders (then, without
 * --runs-dir, the folder they are in is the runs directory).
 */
function locate(io: CliIO, args: readonly string[], runsDir: string | undefined): { dir: string; ids: string[] } {
  const folders = args.filter((a) => /[\\/]/.test(a)).map((a) => path.dirname(path.resolve(io.cwd, a.replace(/[\\/]+$/, ''))));
  const parents = [...new Set(folders)];
  if (runsDir === undefined && parents.length > 1) {
    throw new NasxError('usage', `the runs given are in different folders (${parents.join(', ')})`, {
      fix: 'compare runs of one runs directory: give their ids with --runs-dir <folder>',
    });
  }
  const dir = runsDir !== undefined || parents.length === 0 ? runsDirOption(io, runsDir) : parents[0]!;
  return { dir, ids: args.map((a) => path.basename(a.replace(/[\\/]+$/, ''))) };
}

/** A value in its run's metric direction. */
function shown(r: StoredRun, v: number | null | undefined): string {
  return v === null || v === undefined ? '' : num(r.minimize ? -v : v);
}

/** Seconds under a minute (smoke runs take a fraction of one), else h:mm:ss. */
function time(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s` : duration(ms);
}

function budget(r: StoredRun): string {
  const parts = [
    r.budget?.evaluations !== undefined ? `${r.budget.evaluations} evaluations` : '',
    r.budget?.seconds !== undefined ? time(r.budget.seconds * 1000) : '',
  ].filter(Boolean);
  return parts.join(', ') || 'none';
}

/**
 * The best architectures in their spaces' text form (an NB201 cell string), as `nasx report` prints
 * them: the run's space formats them; its canonical key when the space cannot be loaded.
 */
async function bestTexts(io: CliIO, dir: string, runs: readonly StoredRun[]): Promise<string[]> {
  const kernel = openKernel(io.cwd);
  return Promise.all(
    runs.map(async (r) => {
      if (!r.best) return r.multi ? '(a Pareto front: nasx report --front)' : '(no evaluation yet)';
      try {
        const report = await kernel.report(path.join(dir, r.id), { top: 0 });
        if (report.best?.trial === r.best.trial && report.best.text) return report.best.text;
      } catch {
        // the key says which architecture it is
      }
      return r.best.key;
    }),
  );
}

/**
 * `nasx compare <run…>`: runs side by side from the experiment store (synced first): status,
 * pipeline, budget and what was used of it, best value and architecture, and the best so far at
 * common evaluation counts; `--plot` draws the best-so-far curves.
 */
export async function compareCommand(io: CliIO, args: readonly string[], o: CompareOptions): Promise<number> {
  if (args.length < 2) {
    throw new NasxError('usage', 'nasx compare needs two or more runs', { fix: 'list them with nasx runs, then e.g. nasx compare <run-a> <run-b>' });
  }
  if (o.plot !== undefined && !/\.(svg|png)$/i.test(o.plot)) {
    throw new NasxError('usage', `--plot ${o.plot}: the file's name must end in .svg or .png`, {
      fix: 'e.g. --plot compare.svg or --plot compare.png, or --svg F / --png F',
    });
  }
  const svgFiles = [o.plot !== undefined && /\.svg$/i.test(o.plot) ? o.plot : undefined, o.svg].filter((f): f is string => f !== undefined);
  const pngFiles = [o.plot !== undefined && /\.png$/i.test(o.plot) ? o.plot : undefined, o.png].filter((f): f is string => f !== undefined);
  const { dir, ids } = locate(io, args, o.runsDir);
  const store = syncedStore(dir);
  try {
    const c = store.compare(ids);
    if (svgFiles.length || pngFiles.length) {
      const size = o.size ?? DEFAULT_PLOT;
      const svg = await renderSvg(
        compareSpec(
          c.runs.map((run) => ({ run, points: store.trajectory(run.id) })),
          size,
        ),
        size,
      );
      for (const f of svgFiles) fs.writeFileSync(path.resolve(io.cwd, f), svg);
      if (pngFiles.length) {
        const png = await renderPng(svg);
        for (const f of pngFiles) fs.writeFileSync(path.resolve(io.cwd, f), png);
      }
      io.err(`wrote ${[...svgFiles, ...pngFiles].join(' and ')}: best so far of ${c.runs.length} runs, ${size.width}x${size.height} px\n`);
    }
    if (o.json) {
      io.out(`${JSON.stringify(c, null, 2)}\n`);
      return EXIT.ok;
    }
    const width = outputWidth(io.env, io.outColumns);
    const row = (label: string, f: (r: StoredRun) => string): string[] => [label, ...c.runs.map(f)];
    const summary = table(
      ['', ...c.runs.map((r) => r.id)],
      [
        row('status', (r) => `${r.status}${r.outcome && r.outcome !== 'failed' ? ` (${r.outcome})` : ''}`),
        row('space', (r) => r.space ?? ''),
        row('searcher', (r) => r.searcher ?? ''),
        row('estimator', (r) => r.estimator ?? ''),
        row('objective', (r) => r.objective ?? ''),
        row('seed', (r) => (r.seed === undefined ? '' : String(r.seed))),
        row('budget', budget),
        row('evaluations', (r) => String(r.evaluations)),
        row('cached answers', (r) => String(r.cached)),
        row('failures', (r) => String(r.failures)),
        row('search time', (r) => time(r.elapsedMs)),
        row('sessions', (r) => String(r.sessions)),
        row('best', bestShown),
        row('best trial', (r) => (r.best ? String(r.best.trial) : '')),
      ],
      { width, keep: [0] },
    );
    const texts = await bestTexts(io, dir, c.runs);
    const archs = table(
      ['run', 'best architecture'],
      c.runs.map((r, k) => [r.id, texts[k]!]),
      { width, elide: [1], keep: [0] },
    );
    const curve = table(
      ['evaluations', ...c.runs.map((r) => r.id)],
      c.at.map((n, i) => [String(n), ...c.runs.map((r, k) => shown(r, c.best[k]![i]))]),
      { width, indent: 2, keep: [0] },
    );
    io.out(`${summary}\n\n${archs}\n\nbest so far after n evaluations\n${curve}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}
