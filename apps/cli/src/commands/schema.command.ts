import * as fs from 'node:fs';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { openKernel } from '../kernel-factory';

/** `nasx schema`: the composed JSON Schema of pipeline configs for the installed plugins. */
export function schemaCommand(io: CliIO, opts: { out?: string }): number {
  const kernel = openKernel(io.cwd);
  const text = JSON.stringify(kernel.schema(), null, 2) + '\n';
  if (opts.out) {
    fs.writeFileSync(opts.out, text);
    io.err(`wrote ${opts.out}\n`);
  } else io.out(text);
  return EXIT.ok;
}
