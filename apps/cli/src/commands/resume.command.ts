import * as path from 'node:path';
import type { CliIO } from '../io';
import { openKernel } from '../kernel-factory';
import { runSession, type OutputMode } from './run-session';

/** Options of `nasx resume`. */
export interface ResumeCommandOptions extends OutputMode {
  /** A data directory replacing the run's (the data moved, another machine). */
  readonly dataDir?: string;
}

/** `nasx resume <runDir>`: replay the journal into the searcher and continue the run. */
export async function resumeCommand(io: CliIO, runDir: string, opts: ResumeCommandOptions): Promise<number> {
  const kernel = openKernel(io.cwd);
  const handle = await kernel.resume(path.resolve(io.cwd, runDir), { dataDir: opts.dataDir === undefined ? undefined : path.resolve(io.cwd, opts.dataDir) });
  for (const w of handle.warnings) io.err(`nasx: warning: ${w}\n`);
  return runSession(io, handle, opts);
}
