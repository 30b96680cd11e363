import * as path from 'node:path';
import type { Architecture, ArchGraph, SearchSpace } from '@nasx/contracts';
import { startUiServer } from '@nasx/ui';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { stopSignal } from '../stop-signal';
import { openKernel } from '../kernel-factory';

/**
 * `nasx ui`: serves the web view of a runs directory until Ctrl-C or SIGTERM. Cells are drawn by
 * each run's own search space (its saved config, its plugins).
 */
export async function uiCommand(io: CliIO, o: { runsDir?: string; host?: string; port?: number; token?: string; signal?: AbortSignal }): Promise<number> {
  const kernel = openKernel(io.cwd);
  const spaces = new Map<string, Promise<SearchSpace>>();
  const cellGraph = async (runDir: string, arch: Architecture): Promise<ArchGraph> => {
    let space = spaces.get(runDir);
    if (!space) {
      space = (async () => {
        const config = kernel.loadRunConfig(runDir);
        return (await kernel.createSpaceAndTask(config, { loadTask: false })).space;
      })();
      spaces.set(runDir, space);
      space.catch(() => spaces.delete(runDir));
    }
    return (await space).toGraph(arch);
  };
  const server = await startUiServer({
    runsDir: path.resolve(io.cwd, o.runsDir ?? 'runs'),
    ...(o.host ? { host: o.host } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.token ? { token: o.token } : {}),
    cellGraph,
  });
  io.err(`nasx ui: ${server.url}${server.token && !o.token ? '  (the token is needed off this machine; keep the address private)' : ''}\n`);
  io.out(`${server.url}\n`);
  const stop = stopSignal(o.signal);
  try {
    await stop.stopped();
  } finally {
    stop.release();
    await server.close();
  }
  return EXIT.ok;
}
