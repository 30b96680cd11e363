#!/usr/bin/env node
// NASWOT search on NAS-Bench-201 CIFAR-10, the protocol of Mellor et al. (ICML 2021), Table 2:
// sample N cells uniformly, score each with NASWOT (v2, batch 128 of CIFAR-10, untrained), keep
// the best-scored one and report its 200-epoch CIFAR-10 test accuracy; repeat over many seeds.
//   node tools/bench/zero-cost/naswot-search.bench.cjs [--pool 1500] [--seeds 500]
// Data: NASX_DATA, else the `shared/data` folder beside the repository (cifar10-sample/ for the
// scored batch, nas-bench-201/ for the accuracies and the authors' v1 scores). Needs the built
// workspace (npm run build).
//
// Scoring all 15,625 cells takes ~4 CPU-hours here, so the cells are scored once into a pool: the
// first --pool cells of a fixed random permutation of the space (a uniform sample without
// replacement). Each seed then draws its N cells from the pool. The scores are cached in
// naswot-search.scores.csv (index, score), so a rerun scores only the cells it has not seen and a
// killed run loses at most one chunk. To measure what the pool changes, the same protocol runs
// with the authors' own (v1) scores twice: over the whole space and over the pool.
// Writes naswot-search.results.json and NASWOT-SEARCH.md beside this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const POOL = arg('pool', 1500);
const SEEDS = arg('seeds', 500);
const CHUNK = 100;
const NS = [10, 100];
// Mellor et al. 2021, Table 2 (NAS-Bench-201, CIFAR-10 test accuracy, 500 runs).
const PAPER = { 10: { mean: 92.44, std: 1.13 }, 100: { mean: 92.81, std: 0.99 } };
const CACHE = path.join(__dirname, 'naswot-search.scores.csv');

const data = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
for (const need of ['nas-bench-201', 'cifar10-sample']) {
  if (!fs.existsSync(path.join(data, need))) {
    console.error(`naswot-search bench: no ${need}/ under ${data}; set NASX_DATA`);
    process.exit(2);
  }
}

function readCsv(file) {
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n');
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
}

/** mulberry32: a small seeded PRNG, so pool and draws are reproducible. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function permutation(n, seed) {
  const r = rng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

const cells = readCsv(path.join(data, 'nas-bench-201', 'nb201_test_acc_200ep_nats.csv.gz'));
const acc = cells.map((c) => Number(c.cifar10_test_acc));
const archOf = cells.map((c) => c.arch_str);
const v1 = new Map(
  readCsv(path.join(data, 'nas-bench-201', 'nb201_cifar10_naswot.csv.gz')).map((r) => [
    Number(r.index),
    r.naswot_v1_score === '' ? -Infinity : Number(r.naswot_v1_score),
  ]),
);
const v1Score = (i) => v1.get(i) ?? -Infinity;

// 1. Score the pool (only what the cache lacks), in chunks through `nasx score`.
const pool = permutation(acc.length, 2021).slice(0, POOL);
const scores = new Map();
if (fs.existsSync(CACHE)) {
  for (const l of fs.readFileSync(CACHE, 'utf8').trim().split('\n').slice(1)) {
    const [i, s] = l.split(',');
    scores.set(Number(i), Number(s));
  }
}
const todo = pool.filter((i) => !scores.has(i));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-naswot-'));
const started = Date.now();
let scoredNow = 0;
for (let k = 0; k < todo.length; k += CHUNK) {
  const chunk = todo.slice(k, k + CHUNK);
  fs.writeFileSync(path.join(work, 'archs.txt'), chunk.map((i) => archOf[i]).join('\n') + '\n');
  const out = path.join(work, 'scores.csv');
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'apps/cli/bin/nasx.js'),
      'score',
      '--estimator',
      'naswot',
      '--task',
      'cifar10',
      '--data-dir',
      data,
      '--archs',
      path.join(work, 'archs.txt'),
      '-o',
      out,
      '--no-journal',
      '-q',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
  const index = new Map(chunk.map((i) => [archOf[i], i]));
  const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
  const h = rows[0].split(',');
  for (const row of rows.slice(1)) {
    const c = row.split(',');
    scores.set(index.get(c[h.indexOf('arch')]), Number(c[h.indexOf('naswot')]));
  }
  scoredNow += chunk.length;
  const sorted = [...scores].sort((a, b) => a[0] - b[0]);
  fs.writeFileSync(CACHE, 'index,naswot\n' + sorted.map(([i, s]) => `${i},${s}`).join('\n') + '\n');
  console.error(`naswot-search bench: ${scores.size}/${POOL} pool cells scored (${((Date.now() - started) / 1000 / scoredNow).toFixed(2)} s per cell)`);
}
fs.rmSync(work, { recursive: true, force: true });

// 2. The protocol: per seed, N distinct cells, keep the best-scored, report its test accuracy.
const mean = (x) => x.reduce((a, b) => a + b, 0) / x.length;
const std = (x) => Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1));
function protocol(from, score, n) {
  const accs = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    const r = rng(1000 + seed);
    const picked = new Set();
    while (picked.size < n) picked.add(from[Math.floor(r() * from.length)]);
    let best = -1;
    for (const i of picked) if (best < 0 || score(i) > score(best)) best = i;
    accs.push(acc[best]);
  }
  return { mean: mean(accs), std: std(accs) };
}
const all = acc.map((_, i) => i);
const inPool = pool.filter((i) => scores.has(i));
const rows = [];
for (const n of NS) {
  if (inPool.length >= 2 * n) {
    rows.push({ method: 'NASWOT v2, ours (nasx, wasm)', cells: 'pool', n, ...protocol(inPool, (i) => scores.get(i), n) });
    rows.push({ method: 'NASWOT v1, the authors’ scores', cells: 'pool', n, ...protocol(inPool, v1Score, n) });
  }
  rows.push({ method: 'NASWOT v1, the authors’ scores', cells: 'space', n, ...protocol(all, v1Score, n) });
  rows.push({ method: 'random choice of one cell', cells: 'space', n, ...protocol(all, () => 0, 1) });
  rows.push({ method: 'Mellor et al. 2021, Table 2', cells: 'space', n, ...PAPER[n], paper: true });
}
const optimum = Math.max(...acc);
const result = {
  date: new Date().toISOString().slice(0, 10),
  pool: inPool.length,
  seeds: SEEDS,
  batchSize: 128,
  dataset: 'CIFAR-10 sample (first training batch), NB201 CIFAR-10 200-epoch test accuracy',
  secondsPerCellThisRun: scoredNow ? (Date.now() - started) / 1000 / scoredNow : null,
  optimum,
  rows,
};
fs.writeFileSync(path.join(__dirname, 'naswot-search.results.json'), JSON.stringify(result, null, 2) + '\n');
const f = (x) => x.toFixed(2);
const md = [
  '# NASWOT search on NAS-Bench-201 CIFAR-10 (N = 10, 100)',
  '',
  `\`node tools/bench/zero-cost/naswot-search.bench.cjs --pool ${POOL} --seeds ${SEEDS}\` (${result.date}). The best-scored of N`,
  `cells, its 200-epoch CIFAR-10 test accuracy (%), mean ± std over ${SEEDS} seeds. "pool": the N cells are drawn from`,
  `${inPool.length} cells sampled uniformly from the space and scored once; "space": from all 15,625. Best cell: ${f(optimum)}.`,
  '',
  '| N | method | cells drawn from | test accuracy |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.n} | ${r.method} | ${r.cells} | ${f(r.mean)} ± ${f(r.std)} |`),
  '',
].join('\n');
fs.writeFileSync(path.join(__dirname, 'NASWOT-SEARCH.md'), md);
console.log(md);
