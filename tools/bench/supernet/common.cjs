// What the supernet benches share: the workspace root, the data directory, the CLI, argument
// reading (../common.cjs), and finding the supernet a `nasx` run trained in its run folder.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

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

/**
 * @nasx/stats from the BUILT workspace, after checking that the packages a supernet bench runs are
 * built (else a one-line message and exit 2, naming `bench`).
 */
function builtStats(bench) {
  const dist = (p) => path.join(ROOT, p, 'dist', 'index.js');
  if (!fs.existsSync(dist('libs/stats')) || !fs.existsSync(dist('plugins/estimator-supernet'))) {
    console.error(`${bench}: build first (node tools/scripts/build.cjs)`);
    process.exit(2);
  }
  return require(dist('libs/stats'));
}

/** Rows of a CSV file (gzipped when its name ends in .gz) as objects keyed by the header. */
function csv(file) {
  const text = (file.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(file)) : fs.readFileSync(file)).toString('utf8');
  const [head, ...rows] = text.trim().split('\n');
  const cols = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
}

/** NB201's 200-epoch CIFAR-10 test accuracy of every cell, by architecture string. */
function nb201Truth() {
  return new Map(csv(path.join(DATA, 'nas-bench-201', 'nb201_test_acc_200ep_nats.csv.gz')).map((r) => [r.arch_str, Number(r.cifar10_test_acc)]));
}

/** The benches' fixed random sample of `n` cells (seeded: the same for every method, seed and bench). */
function sampleCells(truth, n) {
  const all = [...truth.keys()];
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, n);
}

module.exports = { ROOT, arg, DATA, CLI, newestSupernet, builtStats, csv, nb201Truth, sampleCells };
