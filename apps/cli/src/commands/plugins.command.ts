import { formatNasxError } from '@nasx/contracts';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { openKernel } from '../kernel-factory';
import { outputWidth, table } from '../ui/format';

/** `nasx plugins`: every installed plugin and contribution, from manifests only. */
export function pluginsCommand(io: CliIO, opts: { json?: boolean }): number {
  const kernel = openKernel(io.cwd);
  if (opts.json) {
    io.out(
      JSON.stringify(
        {
          plugins: kernel.plugins.map((p) => ({
            name: p.name,
            version: p.version,
            source: p.source,
            dir: p.dir,
            role: p.manifest.role,
            kernel: p.manifest.engines.kernel,
            contributions: p.contributions.map((c) => ({ kind: c.kind, id: c.id, title: c.title, description: c.description })),
          })),
          problems: kernel.problems.map((e) => formatNasxError(e)),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const rows = kernel.plugins.flatMap((p) => p.contributions.map((c) => [c.kind, c.id, c.title, `${p.name}@${p.version}`]));
    rows.sort((a, b) => (a[0] as string).localeCompare(b[0] as string) || (a[1] as string).localeCompare(b[1] as string));
    io.out(`${kernel.plugins.length} plugin package(s), ${rows.length} contribution(s)\n\n`);
    io.out(
      table(['kind', 'id', 'title', 'package'], rows, {
        width: outputWidth(io.env, io.outColumns),
        // Ids are what a config names: never cut. The package keeps its version (elided in the middle).
        keep: [0, 1],
        elide: [3],
      }) + '\n',
    );
  }
  for (const p of kernel.problems) io.err(formatNasxError(p) + '\n');
  return kernel.problems.length ? EXIT.input : EXIT.ok;
}
