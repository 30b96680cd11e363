import * as path from 'node:path';
import type { CliIO } from '../io';
import { configOverrides, openKernel } from '../kernel-factory';
import { runSession, type OutputMode } from './run-session';

/** Options of `nasx run`. */
export interface RunCommandOptions extends OutputMode {
  readonly seed?: number;
  readonly set?: readonly string[];
  readonly runsDir?: string;
  readonly dataDir?: string;
  readonly journal?: boolean;
}

/** `nasx run <config>`: validate, compose and run a pipeline; journal to runs/<id>/. */
export async function runCommand(io: CliIO, file: string, opts: RunCommandOptions): Promise<number> {
  const kernel = openKernel(io.cwd);
  const overrides = configOverrides(io, opts);
  const config = kernel.loadConfig(path.resolve(io.cwd, file), { overrides, seed: opts.seed });
  const handle = await kernel.start(config, {
    persist: opts.journal !== false,
    runsDir: opts.runsDir ? path.resolve(io.cwd, opts.runsDir) : path.resolve(io.cwd, config.runsDir),
  });
  return runSession(io, handle, opts);
}
