import * as path from 'node:path';
import type { RunFinishedEvent, SearchEvent } from '@nasx/contracts';
import type { RunHandle, TopTrial } from '@nasx/kernel';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { duration, outputWidth } from '../ui/format';
import { displayWidth, wrapText } from '../ui/text-width';
import { archLine, metricsTable, topTable } from '../ui/top-table';
import { ProgressDisplay } from '../ui/progress';
import { ScoreOutput } from './score-output';

/** How a run talks to the user. */
export interface OutputMode {
  /** NDJSON events on stdout. */
  readonly json?: boolean;
  /** Only the final summary. */
  readonly quiet?: boolean;
}

/** Print the summary of a finished run. */
export function printSummary(
  io: CliIO,
  handle: Pick<RunHandle, 'runId' | 'runDir' | 'config' | 'format'>,
  fin: RunFinishedEvent,
  top: readonly TopTrial[],
  cached: number,
  /** Trials on the Pareto front of a multi-objective run. */
  frontSize?: number,
): void {
  const c = handle.config;
  const width = outputWidth(io.env, io.outColumns);
  const lines: string[] = [];
  lines.push(`run ${handle.runId}: ${fin.status} (${fin.reason})`);
  lines.push(`estimator: ${c.estimator.id} — ${c.estimator.contribution.title}; searcher: ${c.searcher.id}; space: ${c.space.id}`);
  lines.push(
    `evaluations ${fin.evaluations}${cached ? ` (+${cached} duplicates answered from the cache)` : ''}, failures ${fin.failures}, elapsed ${duration(fin.elapsedMs)}`,
  );
  if (fin.best) {
    lines.push('');
    lines.push(archLine(`best (trial ${fin.best.trial}): `, handle.format(fin.best.arch), width));
    lines.push(metricsTable(fin.best.estimate.metrics, width));
  }
  const rec = fin.recommended;
  if (rec && rec.arch.key !== fin.best?.arch.key) {
    lines.push('');
    lines.push(
      archLine(
        `searcher's pick (${c.searcher.id}'s recommend()${rec.trial !== undefined ? `, trial ${rec.trial}` : ', not evaluated'}): `,
        handle.format(rec.arch),
        width,
      ),
    );
    if (rec.estimate) lines.push(metricsTable(rec.estimate.metrics, width));
  }
  if (top.length > 1) {
    lines.push('');
    lines.push(topTable(top, width));
  }
  if (frontSize !== undefined) {
    lines.push('');
    lines.push(`Pareto front: ${frontSize} trial(s) no other trial dominates (nasx report lists them; --svg draws the front)`);
  }
  // Tables fit already; prose lines (the status) wrap at spaces.
  let text = wrapText(lines.join('\n'), width);
  if (handle.runDir) {
    const rel = path.relative(io.cwd, handle.runDir) || '.';
    const resume = fin.status === 'cancelled' ? `continue with nasx resume ${rel}` : undefined;
    const one = `run folder: ${rel}  (nasx report ${rel}${resume ? `; ${resume}` : ''})`;
    // Commands are never broken inside (they are copied): one line each when the whole does not fit.
    text += `\n\n${displayWidth(one) <= width ? one : [`run folder: ${rel}`, `  nasx report ${rel}`, ...(resume ? [`  ${resume}`] : [])].join('\n')}`;
  }
  io.out(text + '\n');
}

/** What stopped a run early: a signal, or stdout's reader going away. */
export type StopCause = 'SIGINT' | 'SIGTERM' | 'closed-output';

/** Exit code of a run stopped by `cause` (resumable): 130 SIGINT, 143 SIGTERM, 141 stdout closed. */
export function stoppedExitCode(cause: StopCause | undefined): number {
  return cause === 'SIGTERM' ? EXIT.sigterm : cause === 'closed-output' ? EXIT.sigpipe : EXIT.sigint;
}

/**
 * Stop a run gracefully on the first SIGINT (Ctrl-C) or SIGTERM: no new trials, the journal ends
 * with status `cancelled`, the run can be resumed; a second signal exits at once. With `stdout`,
 * the run stops quietly too when stdout's reader goes away (`nasx run --json | head -1`).
 */
export function stopOnSignals(
  io: CliIO,
  handle: Pick<RunHandle, 'stop'>,
  opts: { stdout?: boolean } = {},
): { readonly cause: StopCause | undefined; dispose(): void } {
  let cause: StopCause | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (cause === undefined || cause === 'closed-output') {
      cause = signal;
      io.err(
        `\n${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'}: stopping after the current trials (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to quit at once)…\n`,
      );
      handle.stop();
    } else process.exit(stoppedExitCode(signal));
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const offClosed = opts.stdout
    ? io.onOutClosed?.(() => {
        cause ??= 'closed-output';
        handle.stop();
      })
    : undefined;
  return {
    get cause() {
      return cause;
    },
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      offClosed?.();
    },
  };
}

/**
 * Run a started handle to its end with the chosen output, handling Ctrl-C and SIGTERM (first:
 * finish gracefully, the run can be resumed, exit 130 / 143; second: exit at once). Returns the
 * exit code. A resumed `nasx score` run writes its `-o` file again.
 */
export function runSession(io: CliIO, handle: RunHandle, mode: OutputMode, topK = 5): Promise<number> {
  const progress =
    mode.json || mode.quiet
      ? undefined
      : new ProgressDisplay(
          { write: io.err, isTTY: io.errIsTTY, columns: io.columns, fd: io.errFd },
          (e) => `${ProgressDisplay.value(e.objective)} ${handle.format(e.arch)}`,
        );
  const scoreOutput = handle.runDir ? ScoreOutput.resume(io, handle.runDir, (a) => handle.format(a)) : undefined;
  let cached = 0;
  let finished: RunFinishedEvent | undefined;
  // The Ctrl-C notice is printed above the live progress line, which is redrawn under it.
  const signals = stopOnSignals(progress ? { ...io, err: (t) => progress.message(t) } : io, handle, { stdout: mode.json });
  return new Promise<number>((resolve, reject) => {
    handle.events$.subscribe({
      next(e: SearchEvent) {
        if (mode.json) io.out(JSON.stringify(e) + '\n');
        progress?.on(e);
        if (e.type === 'evaluated') {
          scoreOutput?.add(e);
          if (e.cached) cached++;
        }
        if (e.type === 'run-finished') finished = e;
      },
      error(err: unknown) {
        progress?.dispose();
        signals.dispose();
        scoreOutput?.close();
        // Errors are formatted by the caller (input errors → exit 2).
        reject(err);
      },
      complete() {
        progress?.dispose();
        signals.dispose();
        scoreOutput?.close();
        // The top trials of the whole run (a resumed run's earlier sessions too), from the kernel's report.
        if (finished && !mode.json) {
          const report = handle.report();
          printSummary(io, handle, finished, report.top.slice(0, topK), cached, report.front?.trials.length);
        } else if (finished?.status === 'cancelled' && handle.runDir && signals.cause !== 'closed-output') {
          const rel = path.relative(io.cwd, handle.runDir) || '.';
          io.err(`run ${handle.runId} stopped; continue with nasx resume ${rel}\n`);
        }
        if (!finished || finished.status === 'failed') resolve(EXIT.failed);
        else if (finished.status === 'cancelled') resolve(stoppedExitCode(signals.cause));
        else resolve(EXIT.ok);
      },
    });
  });
}
