import * as path from 'node:path';
import { NasxError, type JsonObject, type SearchEvent } from '@nasx/contracts';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { configOverrides, openKernel } from '../kernel-factory';
import { ProgressDisplay } from '../ui/progress';
import { stopOnSignals, stoppedExitCode } from './run-session';
import { resumeCommand } from './resume.command';
import { ScoreOutput, checkOutputFile, scoreFormatOf, unfinishedScoreRun } from './score-output';

/** Options of `nasx score`. */
export interface ScoreOptions {
  readonly space: string;
  readonly task?: string;
  readonly estimator: string;
  readonly archs?: string;
  readonly all?: boolean;
  readonly out?: string;
  readonly format?: 'csv' | 'jsonl';
  readonly workers?: number;
  readonly seed?: number;
  readonly set?: readonly string[];
  readonly dataDir?: string;
  readonly runsDir?: string;
  readonly journal?: boolean;
  readonly dedup?: boolean;
  readonly quiet?: boolean;
}

/**
 * `nasx score`: score a list of architectures with any estimator (on a task), in the worker pool,
 * with a progress bar, writing CSV or JSON lines (architecture, score, seconds, all metrics). It is
 * a run of the built-in `list` searcher, so it is journaled and `nasx resume` continues it.
 */
export async function scoreCommand(io: CliIO, inline: readonly string[], opts: ScoreOptions): Promise<number> {
  if (!opts.archs && !opts.all && inline.length === 0) {
    throw new NasxError('usage', 'no architectures to score', { fix: 'give --archs <file> (one per line), --all, or architectures as arguments' });
  }
  if (opts.all && (opts.archs || inline.length)) {
    throw new NasxError(
      'usage',
      `--all scores every architecture of the space, so ${opts.archs ? `--archs ${opts.archs}` : 'the architectures given as arguments'} would be ignored`,
      {
        fix: 'choose one: --all, or --archs <file> / architectures as arguments',
      },
    );
  }
  const outFile = opts.out !== undefined ? path.resolve(io.cwd, opts.out) : undefined;
  const format = opts.format ?? (opts.out !== undefined ? scoreFormatOf(opts.out) : 'csv');
  if (outFile !== undefined) checkOutputFile(outFile);
  const kernel = openKernel(io.cwd);
  const searcherOptions: JsonObject = { archs: [...inline] };
  if (opts.archs) searcherOptions['file'] = path.resolve(io.cwd, opts.archs);
  if (opts.all) searcherOptions['all'] = true;
  const data: JsonObject = {
    name: 'score',
    seed: opts.seed ?? 0,
    space: opts.space,
    estimator: opts.estimator,
    searcher: { use: 'list', options: searcherOptions },
    budget: { evaluations: Number.MAX_SAFE_INTEGER, failures: 0 },
    dedup: opts.dedup ?? false,
    ...(opts.task ? { task: opts.task } : {}),
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
  };
  const config = kernel.loadConfigObject(data, { overrides: configOverrides(io, opts), file: '<nasx score options>' });
  const runsDir = path.resolve(io.cwd, opts.runsDir ?? config.runsDir);
  // The same command again after a kill or Ctrl-C continues the run that writes this -o file.
  const unfinished = outFile !== undefined && opts.journal !== false ? unfinishedScoreRun(runsDir, outFile) : undefined;
  if (unfinished) {
    const same = sameScoring(unfinished.config, { ...config.data, seed: config.seed });
    if (same !== true) {
      throw new NasxError(
        'usage',
        `-o ${opts.out} is the output of the unfinished score run ${path.basename(unfinished.runDir)}, which scores with other settings (${same})`,
        { fix: `continue that run with nasx resume ${path.relative(io.cwd, unfinished.runDir) || '.'}, or write to another -o file` },
      );
    }
    if (!opts.quiet)
      io.err(
        `nasx score: continuing run ${path.basename(unfinished.runDir)} (${unfinished.scored} architecture(s) scored before it stopped), which writes ${opts.out}\n`,
      );
    return resumeCommand(io, unfinished.runDir, { quiet: opts.quiet });
  }
  const handle = await kernel.start(config, { persist: opts.journal !== false, runsDir });

  const spec = { out: outFile, format };
  const primary = config.estimator.id;
  const progress = opts.quiet
    ? undefined
    : new ProgressDisplay(
        { write: io.err, isTTY: io.errIsTTY, columns: io.columns, fd: io.errFd },
        (e) => `${ProgressDisplay.value(e.objective)} ${handle.format(e.arch)}`,
      );
  // Rows on stdout clear the live line first when both go to the same terminal.
  const output = new ScoreOutput(progress ? { ...io, out: (t) => progress.clearFor(() => io.out(t)) } : io, spec, (a) => handle.format(a));
  // `nasx resume` of this run writes the same file.
  if (handle.runDir && outFile !== undefined) ScoreOutput.save(handle.runDir, spec);
  let failed = false;
  let cancelled = false;
  /** Architectures that could not be scored: the command then exits 1, the scores of the others written. */
  let trialFailures = 0;
  // Ctrl-C / SIGTERM stop gracefully (nasx resume continues); so does a closed stdout (| head).
  const signals = stopOnSignals(progress ? { ...io, err: (t) => progress.message(t) } : io, handle, { stdout: outFile === undefined });
  try {
    await new Promise<void>((resolve, reject) => {
      handle.events$.subscribe({
        next(e: SearchEvent) {
          progress?.on(e.type === 'run-started' ? { ...e, budget: { evaluations: undefined } } : e);
          if (e.type === 'evaluated') output.add(e);
          if (e.type === 'failed') trialFailures++;
          if (e.type === 'failed') io.err(`[${handle.format(e.arch ?? { space: '', genotype: null, key: '?' })}] failed: ${e.error}\n`);
          if (e.type === 'run-finished') {
            failed = e.status === 'failed';
            cancelled = e.status === 'cancelled';
          }
        },
        error: reject,
        complete: () => resolve(),
      });
    });
  } finally {
    progress?.dispose();
    signals.dispose();
    output.close();
  }
  if (cancelled && handle.runDir && signals.cause !== 'closed-output')
    io.err(`run ${handle.runId} stopped; continue with nasx resume ${path.relative(io.cwd, handle.runDir) || '.'}\n`);
  if (!opts.quiet)
    io.err(
      `scored ${output.count} architecture(s) with ${primary}${opts.out ? ` → ${opts.out}` : ''}${handle.runDir ? ` (run folder ${path.relative(io.cwd, handle.runDir)})` : ''}\n`,
    );
  if (trialFailures > 0)
    io.err(`nasx score: ${trialFailures} architecture(s) could not be scored (their errors are above and in the run's journal); exit code 1\n`);
  return failed || trialFailures > 0 ? EXIT.failed : cancelled ? stoppedExitCode(signals.cause) : EXIT.ok;
}

/** Settings that decide the scores (not how fast they come: workers, budget): true when equal, else the first that differs. */
function sameScoring(saved: JsonObject, now: JsonObject): true | string {
  for (const k of ['space', 'task', 'estimator', 'estimators', 'searcher', 'seed', 'dedup', 'plugins']) {
    if (JSON.stringify(saved[k] ?? null) !== JSON.stringify(now[k] ?? null))
      return `${k}: ${JSON.stringify(saved[k] ?? null)} there, ${JSON.stringify(now[k] ?? null)} now`;
  }
  return true;
}
