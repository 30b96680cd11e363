import * as path from 'node:path';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { configOverrides, openKernel } from '../kernel-factory';

/**
 * `nasx validate <config>`: the config against the composed schema, then every contribution created
 * (so a missing data directory or an impossible option combination is found too) without running.
 */
export async function validateCommand(
  io: CliIO,
  file: string,
  opts: { set?: readonly string[]; seed?: number; static?: boolean; dataDir?: string },
): Promise<number> {
  const kernel = openKernel(io.cwd);
  const overrides = configOverrides(io, opts);
  const config = kernel.loadConfig(path.resolve(io.cwd, file), { overrides, seed: opts.seed });
  if (!opts.static) await kernel.check(config);
  const parts = [`space=${config.space.id}`, `estimator=${config.estimator.id}`, `searcher=${config.searcher.id}`];
  if (config.task) parts.push(`task=${config.task.id}`);
  io.out(`${path.relative(io.cwd, config.file) || config.file}: valid (${parts.join(', ')}; budget ${JSON.stringify(config.budget)})\n`);
  return EXIT.ok;
}
