// What the supernet benches share: the workspace root, the data directory, the CLI, argument
// reading (../common.cjs), and finding the supernet a `nasx` run trained in its run folder.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { ROOT, arg, DATA, CLI } = require('../common.cjs');

/** The newest supernet.json of `method` under the run folders of `runsDir`, or undefined. */
function newestSupernet(runsDir, method) {
  if (!fs.existsSync(runsDir)) return undefined;
  return fs
    .readdirSync(runsDir)
    .map((d) => path.join(runsDir, d, 'state', 'supernets'))
    .filter((d) => fs.existsSync(d))
    .flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f, 'supernet.json')))
    .filter((f) => fs.existsSync(f) && JSON.parse(fs.readFileSync(f, 'utf8')).setup.contribution === method)
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

module.exports = { ROOT, arg, DATA, CLI, newestSupernet };
