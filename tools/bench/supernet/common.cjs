// What the supernet benches share: the workspace root, the data directory, the CLI, argument
// reading (../common.cjs), and finding the supernet a `nasx` run trained in its run folder.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const os = require('node:os');
const { spawnSync } = require('node:child_process');

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

/**
 * Kendall τ within each group of cells sharing edge 0's operation (the few-shot split), averaged
 * weighted by group size: how well a supernet ranks the cells one sub-supernet is responsible for.
 */
/** The operation on edge 0 of an NB201 cell string: the group few-shot's split puts it in. */
function edge0Op(cell) {
  return cell.split('|')[1].split('~')[0];
}

function withinSplitTau(cells, estimate, truth, kendallTau) {
  const groups = new Map();
  for (const [i, c] of cells.entries()) {
    const op = edge0Op(c);
    if (!groups.has(op)) groups.set(op, { est: [], tru: [] });
    groups.get(op).est.push(estimate[i]);
    groups.get(op).tru.push(truth.get(c));
  }
  let sum = 0;
  for (const g of groups.values()) sum += kendallTau(g.est, g.tru) * g.est.length;
  return sum / cells.length;
}

/**
 * Runs `nasx score --estimator <estimator> --task cifar10` (the BUILT CLI) on the cells listed in
 * `cellFile` with `--set` entries `sets`, its run folders under `<work>/runs`; returns the per-cell
 * rows by architecture string and the seconds it took, or exits 1 naming `what` with its stderr.
 */
function scoreCells({ bench, what, estimator, cellFile, out, seed, work, workers, sets }) {
  const args = [CLI, 'score', '--estimator', estimator, '--task', 'cifar10', '--archs', cellFile, '-o', out];
  args.push('--seed', String(seed), '--data-dir', DATA, '--workers', String(workers), '--runs-dir', path.join(work, 'runs'), '-q');
  for (const kv of sets) args.push('--set', kv);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`${bench}: ${what} failed:\n${r.stderr}`);
    process.exit(1);
  }
  return { rows: new Map(csv(out).map((row) => [row.arch, row])), seconds: (Date.now() - t0) / 1000 };
}

/**
 * The τ benches' cells: the truth, the fixed sample of `n` cells and their true accuracies, and a
 * new working folder `<tmp>/<prefix>XXXXXX` holding them as `cells.txt` (for `nasx score --archs`).
 */
function benchCells(n, prefix) {
  const truth = nb201Truth();
  const cells = sampleCells(truth, n);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const cellFile = path.join(work, 'cells.txt');
  fs.writeFileSync(cellFile, `${cells.join('\n')}\n`);
  return { truth, cells, tru: cells.map((c) => truth.get(c)), work, cellFile };
}

/** When and where a result was measured: the date and the machine's cores and CPU model. */
function stamp() {
  return { date: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0].model}` };
}

/**
 * Writes a bench's report `<out>/<report>.md` from its `lines` and echoes it on stderr;
 * `<out>/<report>.notes.md` (the reading of the numbers), when present, is appended.
 */
function writeMarkdown(out, report, lines) {
  const notes = path.join(out, `${report}.notes.md`);
  const all = fs.existsSync(notes) ? [...lines, fs.readFileSync(notes, 'utf8').trim(), ''] : lines;
  fs.writeFileSync(path.join(out, `${report}.md`), all.join('\n'));
  console.error(all.join('\n'));
}

/**
 * The bench's --out folder, checked before any work so that hours of training never end on a
 * failed write: with --report it must exist (else a one-line message and exit 2); to measure, it is
 * made when missing. A path that exists but is not a folder is refused either way.
 */
function outFolder(bench, out, report) {
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) {
    console.error(`${bench}: --out ${out} is a file, not a folder; give a folder for the results and report`);
    process.exit(2);
  }
  if (report && !fs.existsSync(out)) {
    console.error(`${bench}: --report reads results from --out ${out}, which does not exist; give the folder the bench wrote to`);
    process.exit(2);
  }
  fs.mkdirSync(out, { recursive: true });
  return out;
}

/**
 * A results bench's two modes: with --report, rewrite the report from `<out>/<stem>.results.json`
 * (exit 2 naming how to make it when it is missing); else measure, save the results and report.
 */
function measureOrReport({ bench, out, stem, report, makeIt, measure, writeReport }) {
  const file = path.join(out, `${stem}.results.json`);
  if (report) {
    if (!fs.existsSync(file)) {
      console.error(`${bench}: --report reads ${file}, which does not exist; run the bench first (${makeIt})`);
      process.exit(2);
    }
    writeReport(JSON.parse(fs.readFileSync(file, 'utf8')));
    return;
  }
  const results = measure();
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeReport(results);
}

/** What makes same-parent stage results one schedule: results files that agree on these can be pooled. */
const STAGE_SETTINGS = ['cells', 'validation', 'calibrationBatches', 'augment', 'epochs', 'lr', 'parentSchedule', 'parentArm'];

/** The keys among `keys` whose values differ between objects `a` and `b` (compared as JSON). */
function differingKeys(keys, a, b) {
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

module.exports = {
  ROOT,
  arg,
  DATA,
  CLI,
  newestSupernet,
  builtStats,
  csv,
  nb201Truth,
  sampleCells,
  withinSplitTau,
  edge0Op,
  scoreCells,
  writeMarkdown,
  outFolder,
  measureOrReport,
  stamp,
  benchCells,
  STAGE_SETTINGS,
  differingKeys,
};
