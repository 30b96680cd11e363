import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type JsonObject, type SearchEvent } from '@nasx/contracts';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { configOverrides, openKernel } from '../kernel-factory';
import { ProgressDisplay } from '../ui/progress';

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

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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
  const handle = await kernel.start(config, { persist: opts.journal !== false, runsDir: path.resolve(io.cwd, opts.runsDir ?? config.runsDir) });

  const format = opts.format ?? (opts.out && /\.jsonl?$/i.test(opts.out) ? 'jsonl' : 'csv');
  const out = opts.out ? fs.openSync(path.resolve(io.cwd, opts.out), 'w') : undefined;
  const write = (text: string): void => (out !== undefined ? void fs.writeSync(out, text) : io.out(text));
  const primary = config.estimator.id;
  let header: string[] | undefined;
  const progress = opts.quiet ? undefined : new ProgressDisplay({ write: io.err, isTTY: io.errIsTTY, columns: io.columns }, (e) => `${ProgressDisplay.value(e.objective)} ${handle.format(e.arch)}`);
  let failed = false;
  let scored = 0;
  await new Promise<void>((resolve, reject) => {
    handle.events$.subscribe({
      next(e: SearchEvent) {
        progress?.on(e.type === 'run-started' ? { ...e, budget: { evaluations: undefined } } : e);
        if (e.type === 'evaluated') {
          scored++;
          const metrics = e.estimate.metrics;
          if (format === 'jsonl') {
            write(JSON.stringify({ arch: handle.format(e.arch), key: e.arch.key, score: e.objective, seconds: e.estimate.cost.seconds, metrics }) + '\n');
          } else {
            header ??= Object.keys(metrics);
            if (scored === 1) write(['arch', 'score', 'seconds', ...header].map(csvCell).join(',') + '\n');
            write([handle.format(e.arch), typeof e.objective === 'number' ? e.objective : JSON.stringify(e.objective), e.estimate.cost.seconds, ...header.map((m) => metrics[m])].map(csvCell).join(',') + '\n');
          }
        }
        if (e.type === 'failed') io.err(`[${handle.format(e.arch ?? { space: '', genotype: null, key: '?' })}] failed: ${e.error}\n`);
        if (e.type === 'run-finished') failed = e.status === 'failed';
      },
      error: reject,
      complete: () => resolve(),
    });
  });
  if (out !== undefined) fs.closeSync(out);
  if (!opts.quiet) io.err(`scored ${scored} architecture(s) with ${primary}${opts.out ? ` → ${opts.out}` : ''}${handle.runDir ? ` (run folder ${path.relative(io.cwd, handle.runDir)})` : ''}\n`);
  return failed ? EXIT.failed : EXIT.ok;
}
