import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '@nasx/kernel';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { openKernel } from '../kernel-factory';
import { duration, num, outputWidth, table } from '../ui/format';
import { wrapText } from '../ui/text-width';
import { archLine, metricsTable, topTable } from '../ui/top-table';
import { renderPng, renderSvg, trajectoryData, trajectorySpec } from './trajectory-plot';

/** Size of `--svg`/`--png` plots when `--size` is not given. */
const DEFAULT_PLOT = { width: 900, height: 600 } as const;

/** `nasx report <runDir>`: best, trajectory and budget used, from the run's journal; `--svg`/`--png` plot the trajectory. */
export async function reportCommand(
  io: CliIO,
  runDir: string,
  opts: { json?: boolean; top?: number; svg?: string; png?: string; size?: { width: number; height: number } },
): Promise<number> {
  const kernel = openKernel(io.cwd);
  const dir = path.resolve(io.cwd, runDir);
  const r = await kernel.report(dir, { top: opts.top });
  for (const w of r.warnings ?? []) io.err(`nasx: warning: ${w}\n`);
  if (opts.svg !== undefined || opts.png !== undefined) {
    // Damaged lines were reported above already.
    const data = trajectoryData(
      r.runId,
      readJournal(path.join(dir, 'events.ndjson'), false, () => undefined),
    );
    const size = opts.size ?? DEFAULT_PLOT;
    const svg = await renderSvg(trajectorySpec(data, size), size);
    const written: string[] = [];
    if (opts.svg !== undefined) {
      fs.writeFileSync(path.resolve(io.cwd, opts.svg), svg);
      written.push(opts.svg);
    }
    if (opts.png !== undefined) {
      fs.writeFileSync(path.resolve(io.cwd, opts.png), await renderPng(svg));
      written.push(opts.png);
    }
    io.err(`wrote ${written.join(' and ')}: ${data.points.length} trials of run ${r.runId}, ${size.width}x${size.height} px\n`);
  }
  if (opts.json) {
    io.out(JSON.stringify(r, null, 2) + '\n');
    return EXIT.ok;
  }
  const v = (x: number | readonly number[]): string => (typeof x === 'number' ? num(x) : `(${x.map(num).join(', ')})`);
  const width = outputWidth(io.env, io.outColumns);
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
  io.out(wrapText(lines.join('\n'), width) + '\n');
  return EXIT.ok;
}
