import * as path from 'node:path';
import type { RunFinishedEvent, SearchEvent } from '@nasx/contracts';
import type { RunHandle, TopTrial } from '@nasx/kernel';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { duration, num, table } from '../ui/format';
import { topTable } from '../ui/top-table';
import { ProgressDisplay } from '../ui/progress';

/** How a run talks to the user. */
export interface OutputMode {
  /** NDJSON events on stdout. */
  readonly json?: boolean;
  /** Only the final summary. */
  readonly quiet?: boolean;
}

/** Print the summary of a finished run. */
export function printSummary(io: CliIO, handle: Pick<RunHandle, 'runId' | 'runDir' | 'config' | 'format'>, fin: RunFinishedEvent, top: readonly TopTrial[], cached: number): void {
  const c = handle.config;
  const lines: string[] = [];
  lines.push(`run ${handle.runId}: ${fin.status} (${fin.reason})`);
  lines.push(`estimator: ${c.estimator.id} — ${c.estimator.contribution.title}; searcher: ${c.searcher.id}; space: ${c.space.id}`);
  lines.push(`evaluations ${fin.evaluations}${cached ? ` (+${cached} duplicates answered from the cache)` : ''}, failures ${fin.failures}, elapsed ${duration(fin.elapsedMs)}`);
  if (fin.best) {
    lines.push('');
    lines.push(`best (trial ${fin.best.trial}): ${handle.format(fin.best.arch)}`);
    const rows = Object.entries(fin.best.estimate.metrics).map(([k, v]) => [k, num(v)]);
    lines.push(table(['metric', 'value'], rows).replace(/^/gm, '  '));
  }
  const rec = fin.recommended;
  if (rec && rec.arch.key !== fin.best?.arch.key) {
    lines.push('');
    lines.push(`searcher's pick (${c.searcher.id}'s recommend()${rec.trial !== undefined ? `, trial ${rec.trial}` : ', not evaluated'}): ${handle.format(rec.arch)}`);
    if (rec.estimate) lines.push(table(['metric', 'value'], Object.entries(rec.estimate.metrics).map(([k, v]) => [k, num(v)])).replace(/^/gm, '  '));
  }
  if (top.length > 1) {
    lines.push('');
    lines.push(topTable(top));
  }
  if (handle.runDir) {
    const rel = path.relative(io.cwd, handle.runDir) || '.';
    lines.push('');
    lines.push(`run folder: ${rel}  (nasx report ${rel}${fin.status === 'cancelled' ? `; continue with nasx resume ${rel}` : ''})`);
  }
  io.out(lines.join('\n') + '\n');
}

/**
 * Run a started handle to its end with the chosen output, handling Ctrl-C (first: finish
 * gracefully, the run can be resumed; second: exit at once). Returns the exit code.
 */
export function runSession(io: CliIO, handle: RunHandle, mode: OutputMode, topK = 5): Promise<number> {
  const progress = mode.json || mode.quiet ? undefined : new ProgressDisplay({ write: io.err, isTTY: io.errIsTTY, columns: io.columns }, (e) => `${ProgressDisplay.value(e.objective)} ${handle.format(e.arch)}`);
  let cached = 0;
  let finished: RunFinishedEvent | undefined;
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      io.err('\nstopping after the current trials (Ctrl-C again to quit at once)…\n');
      handle.stop();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  return new Promise<number>((resolve, reject) => {
    handle.events$.subscribe({
      next(e: SearchEvent) {
        if (mode.json) io.out(JSON.stringify(e) + '\n');
        progress?.on(e);
        if (e.type === 'evaluated' && e.cached) cached++;
        if (e.type === 'run-finished') finished = e;
      },
      error(err: unknown) {
        process.off('SIGINT', onSigint);
        // Errors are formatted by the caller (input errors → exit 2).
        reject(err);
      },
      complete() {
        process.off('SIGINT', onSigint);
        // The top trials of the whole run (a resumed run's earlier sessions too), from the kernel's report.
        if (finished && !mode.json) printSummary(io, handle, finished, handle.report().top.slice(0, topK), cached);
        resolve(!finished || finished.status === 'failed' ? EXIT.failed : EXIT.ok);
      },
    });
  });
}
