import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareWithExact, readJournal, type ExactFront, type ParetoFront, type RunReport } from '@nasx/kernel';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { openKernel } from '../kernel-factory';
import { duration, num, outputWidth, table } from '../ui/format';
import { wrapText } from '../ui/text-width';
import { archLine, metricsTable, topTable } from '../ui/top-table';
import { frontPlotData, frontSpec, singleObjective } from './front-plot';
import { renderPng, renderSvg, trajectoryData, trajectorySpec } from './trajectory-plot';

/** Size of `--svg`/`--png` plots when `--size` is not given. */
const DEFAULT_PLOT = { width: 900, height: 600 } as const;

/** Options of `nasx report`. */
export interface ReportOptions {
  json?: boolean;
  top?: number;
  svg?: string;
  png?: string;
  size?: { width: number; height: number };
  /** Only the Pareto front (an error for a single-objective run). */
  front?: boolean;
  /** Compute (or read the cached) exact front when the pipeline is fully tabulated; default true. */
  exact?: boolean;
}

/**
 * `nasx report <runDir>`: best, trajectory and budget used, from the run's journal; for a
 * multi-objective run its Pareto front, and the exact front beside it when the pipeline is fully
 * tabulated. `--svg`/`--png` plot the trajectory, or the front of a multi-objective run.
 */
export async function reportCommand(io: CliIO, runDir: string, opts: ReportOptions): Promise<number> {
  const kernel = openKernel(io.cwd);
  const dir = path.resolve(io.cwd, runDir);
  const r = await kernel.report(dir, { top: opts.top });
  for (const w of r.warnings ?? []) io.err(`nasx: warning: ${w}\n`);
  if (opts.front && !r.front) throw singleObjective(r.runId, r.objective);
  let exact: ExactFront | undefined;
  let exactNote: string | undefined;
  if (r.front && opts.exact !== false) {
    // A report never fails for want of the exact front (its data moved, a plugin missing): it says why.
    try {
      const got = await kernel.runExactFront(dir);
      if ('unavailable' in got) exactNote = `no exact front: ${got.unavailable}`;
      else exact = got;
    } catch (e) {
      exactNote = `no exact front: ${(e as Error).message}`;
    }
  }
  if (opts.svg !== undefined || opts.png !== undefined) {
    // Damaged lines were reported above already.
    const events = readJournal(path.join(dir, 'events.ndjson'), false, () => undefined);
    const size = opts.size ?? DEFAULT_PLOT;
    const spec = r.front ? frontSpec(frontPlotData(r.runId, events, r.front, exact), size) : trajectorySpec(trajectoryData(r.runId, events), size);
    const points = r.front ? `${r.evaluations} trials and the Pareto front` : `${r.evaluations} trials`;
    const svg = await renderSvg(spec, size);
    const written: string[] = [];
    if (opts.svg !== undefined) {
      fs.writeFileSync(path.resolve(io.cwd, opts.svg), svg);
      written.push(opts.svg);
    }
    if (opts.png !== undefined) {
      fs.writeFileSync(path.resolve(io.cwd, opts.png), await renderPng(svg));
      written.push(opts.png);
    }
    io.err(`wrote ${written.join(' and ')}: ${points} of run ${r.runId}, ${size.width}x${size.height} px\n`);
  }
  const comparison =
    r.front && exact
      ? compareWithExact(
          r.front.trials.map((t) => t.objective as number[]),
          exact,
        )
      : undefined;
  if (opts.json) {
    const exactJson =
      exact && comparison
        ? { exactFront: { ...exact, found: comparison.found, hypervolumeRatio: comparison.hypervolumeRatio, reference: comparison.reference } }
        : {};
    io.out(JSON.stringify({ ...r, ...exactJson }, null, 2) + '\n');
    return EXIT.ok;
  }
  const width = outputWidth(io.env, io.outColumns);
  const frontLines = r.front ? frontSection(r.front, exact, comparison, exactNote, width) : [];
  if (opts.front) {
    io.out(wrapText(frontLines.join('\n'), width) + '\n');
    return EXIT.ok;
  }
  io.out(
    wrapText(
      summaryLines(r, width)
        .concat(frontLines.length ? ['', ...frontLines] : [])
        .join('\n'),
      width,
    ) + '\n',
  );
  return EXIT.ok;
}

/** The report's front and, when known, the exact front with what the run found of it. */
function frontSection(
  front: ParetoFront,
  exact: ExactFront | undefined,
  comparison: ReturnType<typeof compareWithExact> | undefined,
  note: string | undefined,
  width: number,
): string[] {
  const heads = front.objectives.map((o) => `${o.metric} ${o.direction === 'maximize' ? '↑' : '↓'}`);
  const metricNames = front.objectives.map((o) => o.metric);
  const lines: string[] = [];
  lines.push(
    `Pareto front: ${front.trials.length} trial(s) no other trial of the run dominates (${front.objectives.map((o) => `${o.direction} ${o.metric}`).join(', ')})`,
  );
  lines.push(
    table(
      ['trial', ...heads, 'architecture'],
      front.trials.map((t) => [String(t.trial), ...metricNames.map((m) => num(t.estimate.metrics[m])), t.text ?? t.arch.key]),
      { width, indent: 2, elide: [heads.length + 1], keep: [0, 1] },
    ),
  );
  if (exact && comparison) {
    const found = new Set(front.trials.map((t) => (t.objective as number[]).join(',')));
    lines.push('');
    lines.push(
      `exact front (every one of the ${exact.architectures} architectures scored by the run's pipeline${exact.failed ? `, ${exact.failed} failed` : ''}): ${exact.points.length} point(s); ` +
        `the run found ${comparison.found} of them; hypervolume ${num(comparison.hypervolumeRatio)} of the exact front's (reference: the exact front's worst value of each objective)`,
    );
    lines.push(
      table(
        ['found', ...heads, 'architecture'],
        exact.points.map((p) => [found.has(p.objective.join(',')) ? 'yes' : '', ...metricNames.map((m) => num(p.metrics[m])), p.text]),
        { width, indent: 2, elide: [heads.length + 1], keep: [0, 1] },
      ),
    );
  } else if (note) {
    lines.push(note);
  }
  return lines;
}

/** The report's summary: status, pipeline, budget, best, the searcher's pick, the top trials and the trajectory. */
function summaryLines(r: RunReport, width: number): string[] {
  const v = (x: number | readonly number[]): string => (typeof x === 'number' ? num(x) : `(${x.map(num).join(', ')})`);
  const lines: string[] = [];
  lines.push(`run ${r.runId}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`);
  if (r.contributions)
    lines.push(
      `pipeline: ${Object.entries(r.contributions)
        .map(([k, id]) => `${k}=${id}`)
        .join(', ')}; seed ${r.seed}; ${r.objective}`,
    );
  const budget = [
    r.budget?.evaluations !== undefined ? `${r.evaluations}/${r.budget.evaluations} evaluations` : `${r.evaluations} evaluations`,
    r.budget?.seconds ? `${duration(r.elapsedMs)} of ${duration(r.budget.seconds * 1000)}` : `elapsed ${duration(r.elapsedMs)}`,
  ];
  lines.push(`budget used: ${budget.join(', ')}; ${r.cachedAnswers} cached answers; ${r.failures} failures; ${r.sessions} session(s)`);
  if (r.best) {
    lines.push('');
    lines.push(archLine(`best (trial ${r.best.trial}): `, r.best.text ?? r.best.arch.key, width));
    lines.push(metricsTable(r.best.estimate.metrics, width));
  }
  const rec = r.recommended;
  if (rec && rec.arch.key !== r.best?.arch.key) {
    lines.push('');
    lines.push(
      archLine(`searcher's pick (recommend()${rec.trial !== undefined ? `, trial ${rec.trial}` : ', not evaluated'}): `, rec.text ?? rec.arch.key, width),
    );
    if (rec.estimate) lines.push(metricsTable(rec.estimate.metrics, width));
  }
  if (r.top.length > 1) {
    lines.push('');
    lines.push(topTable(r.top, width));
  }
  if (r.trajectory.length) {
    lines.push('');
    lines.push('best-so-far trajectory');
    lines.push(
      table(
        ['evaluations', 'objective'],
        r.trajectory.map(([n, o]) => [String(n), v(o)]),
        { width, indent: 2 },
      ),
    );
  }
  // Tables fit already; prose lines (the pipeline, the budget) wrap at spaces.
  return lines;
}
