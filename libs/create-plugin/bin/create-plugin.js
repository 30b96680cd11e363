#!/usr/bin/env node
// `npm create @nasx/plugin <name> -- --role <role> [--scope @acme] [--dir D] [--title T] [--description D]`
// (npm runs this bin of @nasx/create-plugin). `nasx new plugin` calls the same kit.
'use strict';
const { parseArgs } = require('node:util');
const path = require('node:path');
const { createPlugin, PLUGIN_ROLES, PluginKitError } = require('../index.js');

const USAGE = `usage: npm create @nasx/plugin <name> -- --role <${PLUGIN_ROLES.join('|')}> [--scope @acme] [--dir <folder>] [--title <text>] [--description <text>]`;

function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        scope: { type: 'string' },
        dir: { type: 'string' },
        title: { type: 'string' },
        description: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new PluginKitError(e.message, USAGE);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return;
  }
  const [name, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new PluginKitError(`unexpected arguments: ${extra.join(' ')}.`, USAGE);
  const { dir, packageName, role } = createPlugin({ ...parsed.values, name: name ?? '', role: parsed.values.role ?? '', command: 'npm create @nasx/plugin' });
  const rel = path.relative(process.cwd(), dir) || '.';
  console.log(
    [
      `Created ${rel} (${packageName}): a ${role} plugin that builds and passes its contract suites as generated.`,
      'Next:',
      `  cd ${rel}`,
      '  npm install          # @nasx/contracts (peer), @nasx/testing, TypeScript and jest',
      '  npm run build        # dist/index.js, the entry the kernel loads',
      "  npm test             # the contract suites and the plugin's own tests",
      `Use it in a run: list the folder under "plugins:" in a config, or npm install it beside @nasx/cli.`,
    ].join('\n'),
  );
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (e instanceof PluginKitError) {
    console.error(`error: ${e.problem}\nFix: ${e.fix}`);
    process.exit(2);
  }
  throw e;
}
