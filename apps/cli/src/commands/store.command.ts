import * as path from 'node:path';
import { ExperimentStore, rebuildStore } from '@nasx/store';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { duration } from '../ui/format';

/** The runs directory of a command: `--runs-dir`, else runs/ in the working directory (where `nasx run` writes). */
export function runsDirOption(io: CliIO, runsDir: string | undefined): string {
  return path.resolve(io.cwd, runsDir ?? 'runs');
}

/** The experiment store of a runs directory, brought up to date with the journals (close it when done). */
export function syncedStore(runsDir: string): ExperimentStore {
  const store = ExperimentStore.open(runsDir);
  try {
    store.sync();
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}

/** `nasx store rebuild`: drops the store of a runs directory (also a damaged one) and indexes every journal again. */
export async function storeRebuildCommand(io: CliIO, o: { runsDir?: string }): Promise<number> {
  const t0 = Date.now();
  const r = rebuildStore(runsDirOption(io, o.runsDir));
  io.err(`rebuilt ${r.file}: ${r.runs} run(s), ${r.lines.toLocaleString('en-US')} journal line(s) in ${duration(Date.now() - t0)}\n`);
  return EXIT.ok;
}
