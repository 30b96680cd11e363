import * as path from 'node:path';
import type { CliIO } from '../io';
import { openKernel } from '../kernel-factory';
import { runSession, type OutputMode } from './run-session';

/** `nasx resume <runDir>`: replay the journal into the searcher and continue the run. */
export async function resumeCommand(io: CliIO, runDir: string, opts: OutputMode): Promise<number> {
  const kernel = openKernel(io.cwd);
  const handle = await kernel.resume(path.resolve(io.cwd, runDir));
  return runSession(io, handle, opts);
}
