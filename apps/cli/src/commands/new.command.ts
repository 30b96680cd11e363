import { NasxError } from '@nasx/contracts';
import * as path from 'node:path';
import type { CliIO } from '../io';
import { EXIT } from '../io';

/** The plugin kit (@nasx/create-plugin): plain CommonJS, typed here by what the command uses. */
interface PluginKit {
  createPlugin(options: { name: string; role: string; scope?: string; dir?: string; title?: string; description?: string; cwd?: string; command?: string }): {
    dir: string;
    packageName: string;
    role: string;
    name: string;
  };
  readonly PLUGIN_ROLES: readonly string[];
  readonly PluginKitError: new (...args: never[]) => Error & { problem: string; fix: string };
}

function loadKit(): PluginKit {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the kit is CommonJS without type declarations
  return require('@nasx/create-plugin') as PluginKit;
}

/** Roles the kit scaffolds (for the help text). */
export function pluginRoles(): readonly string[] {
  return loadKit().PLUGIN_ROLES;
}

/**
 * `nasx new plugin <name> --role <role> [--scope @acme] [--dir D]`: a standalone plugin project
 * (the same kit as `npm create @nasx/plugin`), outside any workspace.
 */
export function newPluginCommand(
  io: CliIO,
  name: string | undefined,
  o: { role?: string; scope?: string; dir?: string; title?: string; description?: string },
): number {
  const kit = loadKit();
  let created;
  try {
    created = kit.createPlugin({ ...o, name: name ?? '', role: o.role ?? '', cwd: io.cwd, command: 'nasx new plugin' });
  } catch (e) {
    if (e instanceof kit.PluginKitError) throw new NasxError('usage', e.problem, { fix: e.fix });
    throw e;
  }
  const rel = path.relative(io.cwd, created.dir) || '.';
  io.out(
    [
      `Created ${rel} (${created.packageName}): a ${created.role} plugin that builds and passes its contract suites as generated.`,
      'Next:',
      `  cd ${rel}`,
      '  npm install          # @nasx/contracts (peer), @nasx/testing, TypeScript and jest',
      '  npm run build        # dist/index.js, the entry the kernel loads',
      "  npm test             # the contract suites and the plugin's own tests",
      'Use it in a run: list the folder under "plugins:" in a config, or npm install it beside @nasx/cli.',
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
