// What benchmark scripts share: the workspace root, the data directory, the built CLI and
// argument reading.
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** The value after `--name` on the command line, else `dflt`. */
function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
}

/** NASX_DATA, else the shared data folder beside the repository. */
const DATA = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');

/** The built CLI. */
const CLI = path.join(ROOT, 'apps', 'cli', 'bin', 'nasx.js');

module.exports = { ROOT, arg, DATA, CLI };
