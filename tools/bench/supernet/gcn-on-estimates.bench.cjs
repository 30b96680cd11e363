#!/usr/bin/env node
// The GCN predictor fitted to supernet estimates (Chen et al., "A Surgery of the Neural
// Architecture Evaluators" line of work, arXiv 2004.08423: a graph network trained on a supernet's
// noisy estimates of sampled subnets predicts every architecture, smoothing the supernet's error).
// The estimates are the few-shot NAS authors' released ones for all 15,625 NB201 cells (600-epoch
// one-shot supernet, 5 few-shot sub-supernets; supernet-estimates-nb201/), served as the score-table
// estimator serves them. For n of them the `gcn` estimator (Wen et al. 2020, nasx defaults) is fitted
// on (cell, estimate) pairs, and Kendall τ against NB201's 200-epoch CIFAR-10 test accuracy is
// measured on held-out cells, beside the τ of the raw estimates on the same cells.
//
//   node tools/bench/supernet/gcn-on-estimates.bench.cjs [--seeds 3] [--sizes 50,100,200,500,1000] [--test 2000]
//
// Data: NASX_DATA, else the shared/data folder beside the repository. Writes
// gcn-on-estimates.results.json and GCN-ON-ESTIMATES.md beside this script (BUILT workspace).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ROOT, arg, DATA } = require('./common.cjs');
const SEEDS = Number(arg('--seeds', 3));
const SIZES = arg('--sizes', '50,100,200,500,1000').split(',').map(Number);
const TEST = Number(arg('--test', 2000));
const FILE = 'supernet-estimates-nb201/nb201_fewshot_nas_supernet_estimates.csv.gz';
const TRUTH = 'nas-bench-201/nb201_test_acc_200ep_nats.csv.gz';
for (const f of [FILE, TRUTH]) {
  if (!fs.existsSync(path.join(DATA, f))) {
    console.error(`gcn-on-estimates bench: no ${f} under ${DATA}; set NASX_DATA`);
    process.exit(2);
  }
}
const load = (p) => require(path.join(ROOT, p, 'dist', 'index.js'));

async function main() {
  const { initTensorBackend } = load('libs/tensor');
  const { createRng } = load('libs/kernel');
  const { kendallTau, mean, sampleStd } = load('libs/stats');
  const { Nb201SearchSpace } = load('plugins/search-space-nb201');
  const { gcnEstimator } = load('plugins/estimator-gcn');
  const { scoreTableEstimator } = load('plugins/estimator-tabular');
  const backend = await initTensorBackend();
  const space = new Nb201SearchSpace({});
  const silent = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
  const deps = { configDir: ROOT, dataDir: DATA, logger: silent, rng: createRng(0), space, latencyModels: [], estimators: {} };
  const ctx = { runId: 'bench', trial: 0, rng: createRng(0), signal: new AbortController().signal, logger: silent, emit() {} };

  // Every cell with its truth and both estimates, the estimates read through score-table.
  const zlib = require('node:zlib');
  const truthRows = zlib
    .gunzipSync(fs.readFileSync(path.join(DATA, TRUTH)))
    .toString('utf8')
    .trim()
    .split('\n')
    .slice(1);
  const cells = truthRows.map((line) => {
    const c = line.split(',');
    return { arch: space.parse(c[1]), truth: Number(c[2]) };
  });
  const sources = ['oneshot_estimate', 'fewshot_estimate'];
  for (const metric of sources) {
    const table = scoreTableEstimator.create({ file: FILE, metric }, deps);
    const est = [];
    for (const c of cells) est.push(await table.estimate(c.arch, ctx));
    est.forEach((e, i) => (cells[i][metric] = e.metrics[metric]));
  }

  const runs = [];
  const t0 = performance.now();
  for (let seed = 0; seed < SEEDS; seed++) {
    const order = createRng(5000 + seed).shuffle(cells.map((_, i) => i));
    const maxN = Math.max(...SIZES);
    // Training pool: distinct architecture keys; held-out cells share no key with it.
    const keys = new Set();
    const pool = [];
    let k = 0;
    for (; k < order.length && pool.length < maxN; k++) {
      const c = cells[order[k]];
      if (keys.has(c.arch.key)) continue;
      keys.add(c.arch.key);
      pool.push(c);
    }
    const test = [];
    for (; k < order.length && test.length < TEST; k++) if (!keys.has(cells[order[k]].arch.key)) test.push(cells[order[k]]);
    const truth = test.map((c) => c.truth);
    for (const metric of sources) {
      const raw = kendallTau(
        test.map((c) => c[metric]),
        truth,
      );
      for (const n of SIZES) {
        const e = await gcnEstimator.create({ seed }, deps);
        const f0 = performance.now();
        await e.fit(
          pool.slice(0, n).map((c) => ({ arch: c.arch, value: c[metric] })),
          { ...ctx, rng: createRng(seed) },
        );
        const fitSeconds = (performance.now() - f0) / 1000;
        const pred = (
          await e.estimateMany(
            test.map((c) => c.arch),
            ctx,
          )
        ).map((r) => r.metrics.gcn);
        e.dispose();
        const run = { seed, source: metric, n, tauGcn: kendallTau(pred, truth), tauRaw: raw, fitSeconds };
        runs.push(run);
        console.error(`seed ${seed} ${metric} n=${n}: GCN τ ${run.tauGcn.toFixed(3)} vs raw ${raw.toFixed(3)} (fit ${fitSeconds.toFixed(1)} s)`);
      }
    }
  }
  const summary = [];
  for (const source of sources) {
    for (const n of SIZES) {
      const r = runs.filter((x) => x.source === source && x.n === n);
      summary.push({
        source,
        n,
        tauGcn: mean(r.map((x) => x.tauGcn)),
        tauGcnStd: r.length > 1 ? sampleStd(r.map((x) => x.tauGcn)) : 0,
        tauRaw: mean(r.map((x) => x.tauRaw)),
        gcnAboveRaw: r.filter((x) => x.tauGcn > x.tauRaw).length,
        seeds: r.length,
      });
    }
  }
  const results = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0].model}`,
    backend: backend.name,
    test: TEST,
    seconds: (performance.now() - t0) / 1000,
    runs,
    summary,
  };
  fs.writeFileSync(path.join(__dirname, 'gcn-on-estimates.results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const label = { oneshot_estimate: 'one-shot', fewshot_estimate: 'few-shot' };
  const md = [
    '# A GCN fitted to supernet estimates, against the raw estimates',
    '',
    `\`node tools/bench/supernet/gcn-on-estimates.bench.cjs\`, ${results.machine}, ${results.date.slice(0, 10)}, ${backend.name} backend. The estimates are the few-shot NAS authors' released ones (600-epoch one-shot supernet and 5 sub-supernets, C = 16, N = 5, full CIFAR-10; τ over all 15,625 cells 0.484 / 0.550). For each seed, n cells (distinct architectures) with their estimate train the \`gcn\` estimator (nasx defaults: 3 graph convolutions of 144, 70 epochs, rank-normal targets); Kendall τ with NB201's 200-epoch CIFAR-10 test accuracy is measured on ${TEST} held-out cells (no architecture shared with the training cells), beside the raw estimates' τ on the same cells. ${SEEDS} seeds.`,
    '',
    '| estimates | n | τ of the GCN (mean ± sd) | τ of the raw estimates | GCN above raw in |',
    '|---|---:|---|---|---|',
    ...summary.map(
      (s) =>
        `| ${label[s.source]} | ${s.n} | ${s.tauGcn.toFixed(3)} ± ${s.tauGcnStd.toFixed(3)} | ${s.tauRaw.toFixed(3)} | ${s.gcnAboveRaw} of ${s.seeds} seeds |`,
    ),
    '',
  ];
  fs.writeFileSync(path.join(__dirname, 'GCN-ON-ESTIMATES.md'), md.join('\n'));
  console.error(md.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
