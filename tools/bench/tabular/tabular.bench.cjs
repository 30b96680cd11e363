#!/usr/bin/env node
// Benchmark of @nasx/estimator-tabular (the BUILT package: `npx tsc -b plugins/estimator-tabular`).
//   node tools/bench/tabular/tabular.bench.cjs
// Data: NASX_DATA, else the `shared/data` folder beside the repository. Measures
//   1. cold load of all NB201 tables (3 gzipped CSVs): median over fresh child processes;
//   2. synchronous lookups per second (table.lookup fast path), and the async estimate paths;
// and writes results.json + RESULTS.md next to this script.
'use strict';
const fs = require('node:fs');
const { machineInfo } = require('../machine.cjs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'plugins', 'estimator-tabular', 'dist');
const DATASETS = ['cifar10', 'cifar100', 'imagenet16-120'];
const TARGET_LOAD_MS = 1000;
const TARGET_LOOKUPS_PER_S = 1e6;
const COLD_RUNS = 9;

function dataDir() {
  const d = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
  if (!fs.existsSync(path.join(d, 'nas-bench-201')) && !fs.existsSync(path.join(d, 'nb201_test_acc_200ep_nats.csv.gz'))) {
    console.error(`tabular bench: no NB201 tables under ${d}. Set NASX_DATA to the folder holding nas-bench-201/.`);
    process.exit(2);
  }
  return d;
}

function loadPlugin() {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    console.error(`tabular bench: ${DIST} is missing. Build first: npx tsc -b plugins/estimator-tabular`);
    process.exit(2);
  }
  return require(DIST);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---- child: one cold load in a fresh process ------------------------------------------------
if (process.argv[2] === '--cold-load') {
  const dir = process.argv[3];
  const t0 = performance.now();
  const m = loadPlugin();
  const t1 = performance.now();
  let files = 0;
  for (const dataset of DATASETS) files += m.openBenchmarkTable({ benchmark: 'nb201', dataset, dataDir: dir }).load().length;
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ requireMs: t1 - t0, loadMs: t2 - t1, sinceProcessStartMs: t2, files }));
  process.exit(0);
}

// ---- parent ---------------------------------------------------------------------------------
async function main() {
  const dir = dataDir();
  const m = loadPlugin();

  // 1. Cold load, fresh processes.
  const cold = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const w0 = performance.now();
    const r = spawnSync(process.execPath, [__filename, '--cold-load', dir], { encoding: 'utf8' });
    const wallMs = performance.now() - w0;
    if (r.status !== 0) throw new Error(`cold-load child failed: ${r.stderr}`);
    cold.push({ ...JSON.parse(r.stdout), wallMs });
  }
  const loadMs = median(cold.map((c) => c.loadMs));
  const requireMs = median(cold.map((c) => c.requireMs));
  const childWallMs = median(cold.map((c) => c.wallMs));
  const nodeStartMs = median(cold.map((c) => c.sinceProcessStartMs - c.requireMs - c.loadMs));

  // 2. Lookups in this process (tables warm after the first call).
  const tables = Object.fromEntries(DATASETS.map((d) => [d, m.openBenchmarkTable({ benchmark: 'nb201', dataset: d, dataDir: dir })]));
  for (const t of Object.values(tables)) t.load();
  // Sanity: the published CIFAR-10 optimum (NB201 index 6111, 94.37 %).
  const best = { space: 'nb201', genotype: { ops: [3, 3, 3, 1, 3, 2] }, key: 'best' };
  const optimum = tables.cifar10.lookup(best, 'test_acc@200');
  if (tables.cifar10.index(best) !== 6111 || Math.abs(optimum - 94.3733) > 1e-4) throw new Error(`wrong optimum ${optimum}`);

  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const N_ARCHS = 1 << 16;
  const archs = Array.from({ length: N_ARCHS }, (_, i) => {
    const ops = Array.from({ length: 6 }, () => Math.floor(rand() * 5));
    return { space: 'nb201', genotype: { ops }, key: `a${i}` };
  });
  const lookupRates = [];
  let checksum = 0;
  const N = 10_000_000;
  for (let rep = 0; rep < 6; rep++) {
    const t = tables[DATASETS[rep % 3]];
    const metric = rep % 2 ? 'test_acc@200' : 'val_acc@12';
    const t0 = performance.now();
    for (let i = 0; i < N; i++) checksum += t.lookup(archs[i & (N_ARCHS - 1)], metric);
    const s = (performance.now() - t0) / 1000;
    if (rep > 0) lookupRates.push(N / s); // rep 0 is warm-up
  }
  const lookupsPerS = median(lookupRates);

  // 3. The async contract paths (primary + one report metric per estimate).
  const est = await m.tabularEstimator.create(
    { benchmark: 'nb201', dataset: 'cifar10', metric: 'val_acc', epochs: 12, report: ['test_acc@200'] },
    { space: { id: 'nb201' }, latencyModels: [], estimators: {}, configDir: ROOT, dataDir: dir, logger: console, rng: {} },
  );
  const ctx = { runId: 'bench', trial: 0, signal: new AbortController().signal, logger: console, rng: {}, emit() {} };
  const batch = archs; // 65,536 per rep; median of 5 reps after a warm-up
  const oneRates = [];
  const manyRates = [];
  for (let rep = 0; rep < 6; rep++) {
    let t0 = performance.now();
    for (const a of batch) await est.estimate(a, ctx);
    const one = batch.length / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    await est.estimateMany(batch, ctx);
    const many = batch.length / ((performance.now() - t0) / 1000);
    if (rep > 0) {
      oneRates.push(one);
      manyRates.push(many);
    }
  }
  const estimatePerS = median(oneRates);
  const estimateManyPerS = median(manyRates);

  const machine = machineInfo();
  const results = {
    bench: 'estimator-tabular',
    date: new Date().toISOString(),
    machine,
    data: 'nas-bench-201: nb201_test_acc_200ep_nats.csv.gz, nb201_cifar10_naswot.csv.gz, nb201_acc_12ep_minibench.csv.gz',
    coldLoad: {
      target_ms: TARGET_LOAD_MS,
      median_load_ms: +loadMs.toFixed(1),
      median_require_ms: +requireMs.toFixed(1),
      median_node_start_ms: +nodeStartMs.toFixed(1),
      median_child_wall_ms: +childWallMs.toFixed(1),
      runs: COLD_RUNS,
      all_load_ms: cold.map((c) => +c.loadMs.toFixed(1)),
      pass: loadMs < TARGET_LOAD_MS,
    },
    lookups: {
      target_per_s: TARGET_LOOKUPS_PER_S,
      median_per_s: Math.round(lookupsPerS),
      per_rep_per_s: lookupRates.map(Math.round),
      lookups_per_rep: N,
      distinct_archs: N_ARCHS,
      checksum,
      pass: lookupsPerS >= TARGET_LOOKUPS_PER_S,
    },
    estimate: {
      metrics_per_estimate: 2,
      estimate_per_s: Math.round(estimatePerS),
      estimateMany_per_s: Math.round(estimateManyPerS),
      archs: batch.length,
    },
  };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');

  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  const md = `# estimator-tabular benchmark

\`node tools/bench/tabular/tabular.bench.cjs\` (built package, ${results.date.slice(0, 10)}).
Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, ${machine.platform}, Node ${machine.node}.

| measure | target | measured | pass |
|---|---|---|---|
| cold load of all NB201 tables (3 × .csv.gz → Float64Array columns), median of ${COLD_RUNS} fresh processes | < ${TARGET_LOAD_MS} ms | ${loadMs.toFixed(0)} ms | ${results.coldLoad.pass ? 'yes' : 'NO'} |
| \`table.lookup(arch, metric)\`, one process, ${fmt(N)} lookups × 5 reps, median | ≥ ${fmt(TARGET_LOOKUPS_PER_S)} /s | ${fmt(lookupsPerS)} /s | ${results.lookups.pass ? 'yes' : 'NO'} |
| \`await estimate(arch)\` (2 metrics), ${fmt(batch.length)} archs × 5 reps, median | – | ${fmt(estimatePerS)} /s | – |
| \`estimateMany(archs)\` (2 metrics), same | – | ${fmt(estimateManyPerS)} /s | – |

Cold load excludes Node start-up (median ${nodeStartMs.toFixed(0)} ms) and \`require\` of the package (median ${requireMs.toFixed(0)} ms); a whole child process took ${childWallMs.toFixed(0)} ms (median, wall).
`;
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
  process.stdout.write(md);
  if (!results.coldLoad.pass || !results.lookups.pass) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
