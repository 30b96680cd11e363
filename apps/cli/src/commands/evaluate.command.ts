import * as path from 'node:path';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { configOverrides, openKernel } from '../kernel-factory';
import { num, outputWidth, table } from '../ui/format';

/** `nasx evaluate <config> <arch...>`: estimate given architectures with the pipeline's estimator. */
export async function evaluateCommand(
  io: CliIO,
  file: string,
  archs: readonly string[],
  opts: { set?: readonly string[]; dataDir?: string; json?: boolean },
): Promise<number> {
  const kernel = openKernel(io.cwd);
  const overrides = configOverrides(io, opts);
  const config = kernel.loadConfig(path.resolve(io.cwd, file), { overrides });
  kernel.assertHealthy(config);
  const results = await kernel.evaluate(config, archs);
  if (opts.json) {
    for (const r of results) io.out(JSON.stringify({ arch: r.text, key: r.arch.key, metrics: r.estimate.metrics, cost: r.estimate.cost }) + '\n');
    return EXIT.ok;
  }
  const names = [...new Set(results.flatMap((r) => Object.keys(r.estimate.metrics)))];
  io.out(
    table(
      [...names, 'architecture'],
      results.map((r) => [...names.map((n) => num(r.estimate.metrics[n])), r.text]),
      { width: outputWidth(io.env, io.outColumns), elide: [names.length] },
    ) + '\n',
  );
  return EXIT.ok;
}
