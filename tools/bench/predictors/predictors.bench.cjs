#!/usr/bin/env node
// Benchmark of the learned performance predictors on NAS-Bench-201 (the BUILT packages:
//   npx tsc -b libs/predictors plugins/estimator-gcn plugins/estimator-renas plugins/estimator-ctnas plugins/search-space-nb201
// and the workspace linked by npm install).
//   node tools/bench/predictors/predictors.bench.cjs            # full protocol, several minutes
//   node tools/bench/predictors/predictors.bench.cjs --quick    # one seed, n = 50 and 424 (no files written)
//   ... --options '{"gcn":{"epochs":40},"renas":{"channels":[8,16]}}'   # override options (no files written)
// Data: NASX_DATA, else the `shared/data` folder beside the repository
// (nas-bench-201/nb201_test_acc_200ep_nats.csv.gz: CIFAR-10 test accuracy after 200 epochs).
//
// Protocol, per seed: shuffle the 15,625 cells; the training cells are the first 424 with distinct
// keys (isomorphism classes) in that order, and the training set of size n is their first n
// (nested sets); the test cells are the first 2,000 further cells whose key is not among the 424.
// Each method is fitted on n cells labelled with their accuracy and scores the test cells;
// Kendall τ-b and Spearman ρ against the true accuracies are reported as mean ± sample std over
// the seeds. Timings: fit on 424 cells (wall clock, median over seeds) and `estimateMany` over all
// 15,625 cells (graph building, encoding and inference; median over seeds).
// Writes results.json + RESULTS.md next to this script.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SIZES = [25, 50, 100, 200, 424];
const SEEDS = [0, 1, 2];
const TEST_CELLS = 2000;
const TARGET_FIT_S = 30;
const TARGET_SCORE_ALL_S = 5;
const RIDGE_LAMBDA = 1;

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const QUICK = process.argv.includes('--quick');
const OVERRIDES = JSON.parse(argValue('--options') ?? '{}');
const WRITE = !QUICK && argValue('--options') === undefined;

function load(rel) {
  const file = path.join(ROOT, rel, 'dist', 'index.js');
  if (!fs.existsSync(file)) {
    console.error(
      `predictors bench: ${file} is missing. Build first: npx tsc -b libs/predictors plugins/estimator-gcn plugins/estimator-renas plugins/estimator-ctnas plugins/search-space-nb201`,
    );
    process.exit(2);
  }
  return require(file);
}

function dataFile() {
  const dir = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
  const file = path.join(dir, 'nas-bench-201', 'nb201_test_acc_200ep_nats.csv.gz');
  if (!fs.existsSync(file)) {
    console.error(`predictors bench: ${file} not found. Set NASX_DATA to the folder holding nas-bench-201/.`);
    process.exit(2);
  }
  return file;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const { tf, initTensorBackend } = load('libs/tensor');
  const { createRng } = load('libs/kernel');
  const { kendallTau, spearman, mean, sampleStd } = load('libs/stats');
  const { RidgeBaseline, RandomRankingBaseline } = load('libs/predictors');
  const { Nb201SearchSpace } = load('plugins/search-space-nb201');
  const { gcnEstimator } = load('plugins/estimator-gcn');
  const { renasEstimator } = load('plugins/estimator-renas');
  const { ctnasEstimator } = load('plugins/estimator-ctnas');
  const backend = await initTensorBackend();

  const space = new Nb201SearchSpace({});
  const file = dataFile();
  const rows = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n');
  const head = rows[0].split(',');
  const col = head.indexOf('cifar10_test_acc');
  const cells = rows.slice(1).map((line) => {
    const c = line.split(',');
    return { arch: space.parse(c[1]), value: Number(c[col]) };
  });
  if (cells.length !== 15625) throw new Error(`expected 15,625 cells, got ${cells.length}`);

  const silent = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
  const sizes = QUICK ? [50, 424] : SIZES;
  const seeds = QUICK ? [0] : SEEDS;
  const methods = ['gcn', 'renas', 'ctnas', 'ridge', 'random'];
  const runs = [];
  const fitSeconds = { gcn: [], renas: [], ctnas: [] };
  const scoreAllSeconds = { gcn: [], renas: [], ctnas: [] };
  const started = performance.now();

  for (const seed of seeds) {
    const rng = createRng(1000 + seed);
    const order = rng.shuffle(cells.map((_, i) => i));
    const trainKeys = new Set();
    const train = [];
    let k = 0;
    for (; k < order.length && train.length < 424; k++) {
      const cell = cells[order[k]];
      if (trainKeys.has(cell.arch.key)) continue;
      trainKeys.add(cell.arch.key);
      train.push(cell);
    }
    const test = [];
    for (; k < order.length && test.length < TEST_CELLS; k++) if (!trainKeys.has(cells[order[k]].arch.key)) test.push(cells[order[k]]);
    const truth = test.map((c) => c.value);
    const testArchs = test.map((c) => c.arch);

    for (const n of sizes) {
      const data = train.slice(0, n);
      const ctx = { runId: 'bench', rng: createRng(seed), signal: new AbortController().signal, logger: silent, emit() {} };
      const scores = {};
      for (const [name, def] of [
        ['gcn', gcnEstimator],
        ['renas', renasEstimator],
        ['ctnas', ctnasEstimator],
      ]) {
        const e = await def.create(
          { ...(OVERRIDES[name] ?? {}), seed },
          { configDir: ROOT, logger: silent, rng: createRng(seed), space, latencyModels: [], estimators: {} },
        );
        const t0 = performance.now();
        await e.fit(data, ctx);
        const fitS = (performance.now() - t0) / 1000;
        scores[name] = { values: (await e.estimateMany(testArchs, { ...ctx, trial: 0 })).map((r) => r.metrics[name]), fitS };
        if (n === 424) {
          fitSeconds[name].push(fitS);
          const all = cells.map((c) => c.arch);
          const t1 = performance.now();
          const out = await e.estimateMany(all, { ...ctx, trial: 0 });
          scoreAllSeconds[name].push((performance.now() - t1) / 1000);
          if (out.length !== all.length) throw new Error('estimateMany returned the wrong number of estimates');
        }
        e.dispose();
      }
      const ridge = new RidgeBaseline(space, { lambda: RIDGE_LAMBDA });
      let t0 = performance.now();
      ridge.fit(data);
      scores.ridge = { values: Array.from(ridge.predict(testArchs)), fitS: (performance.now() - t0) / 1000 };
      const random = new RandomRankingBaseline(seed);
      t0 = performance.now();
      random.fit(data);
      scores.random = { values: Array.from(random.predict(testArchs)), fitS: (performance.now() - t0) / 1000 };
      for (const m of methods) {
        const r = {
          method: m,
          n,
          seed,
          tau: kendallTau(scores[m].values, truth),
          rho: spearman(scores[m].values, truth),
          fitSeconds: +scores[m].fitS.toFixed(3),
        };
        runs.push(r);
        console.error(`seed ${seed} n ${String(n).padStart(3)} ${m.padEnd(6)} τ ${r.tau.toFixed(3)} ρ ${r.rho.toFixed(3)} fit ${r.fitSeconds.toFixed(1)} s`);
      }
    }
    console.error(`tensors alive after seed ${seed}: ${tf.memory().numTensors}`);
  }

  const summary = [];
  for (const n of sizes) {
    for (const m of methods) {
      const rs = runs.filter((r) => r.n === n && r.method === m);
      const tau = rs.map((r) => r.tau);
      const rho = rs.map((r) => r.rho);
      summary.push({
        n,
        method: m,
        tauMean: mean(tau),
        tauStd: tau.length > 1 ? sampleStd(tau) : 0,
        rhoMean: mean(rho),
        rhoStd: rho.length > 1 ? sampleStd(rho) : 0,
      });
    }
  }
  const timing = {};
  for (const m of ['gcn', 'renas', 'ctnas']) {
    timing[m] = {
      fit424_s: +median(fitSeconds[m]).toFixed(2),
      fit424_all_s: fitSeconds[m].map((s) => +s.toFixed(2)),
      scoreAll15625_s: +median(scoreAllSeconds[m]).toFixed(2),
      scoreAll_all_s: scoreAllSeconds[m].map((s) => +s.toFixed(2)),
      passFit: median(fitSeconds[m]) < TARGET_FIT_S,
      passScore: median(scoreAllSeconds[m]) < TARGET_SCORE_ALL_S,
    };
  }
  const machine = machineInfo();
  const results = {
    bench: 'predictors',
    date: new Date().toISOString(),
    machine,
    backend: backend.name,
    data: 'nas-bench-201/nb201_test_acc_200ep_nats.csv.gz (cifar10_test_acc, 200 epochs)',
    protocol: {
      sizes,
      seeds,
      testCells: TEST_CELLS,
      trainingCells: 'first 424 distinct keys of a seeded shuffle, nested',
      testSelection: 'next cells whose key is not in the training set',
      ridgeLambda: RIDGE_LAMBDA,
      options: OVERRIDES,
    },
    targets: { fit424_s: TARGET_FIT_S, scoreAll15625_s: TARGET_SCORE_ALL_S },
    summary: summary.map((s) => ({
      ...s,
      tauMean: +s.tauMean.toFixed(4),
      tauStd: +s.tauStd.toFixed(4),
      rhoMean: +s.rhoMean.toFixed(4),
      rhoStd: +s.rhoStd.toFixed(4),
    })),
    timing,
    runs: runs.map((r) => ({ ...r, tau: +r.tau.toFixed(4), rho: +r.rho.toFixed(4) })),
    wallSeconds: +((performance.now() - started) / 1000).toFixed(1),
  };

  const cell = (n, m, key) => {
    const s = summary.find((x) => x.n === n && x.method === m);
    return `${s[`${key}Mean`].toFixed(3)} ± ${s[`${key}Std`].toFixed(3)}`;
  };
  const table = (key) =>
    [
      `| n | ${methods.join(' | ')} |`,
      `|---|${methods.map(() => '---').join('|')}|`,
      ...sizes.map((n) => `| ${n} | ${methods.map((m) => cell(n, m, key)).join(' | ')} |`),
    ].join('\n');
  const md = `# Predictor benchmark (NAS-Bench-201, CIFAR-10)

\`node tools/bench/predictors/predictors.bench.cjs\` (built packages, ${results.date.slice(0, 10)}, backend ${backend.name}).
Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, ${machine.platform}, Node ${machine.node}; 1-minute load average at the end ${machine.loadAverage1m} (other jobs shared the cores).

Labels: CIFAR-10 test accuracy after 200 epochs (NATS-Bench, \`nb201_test_acc_200ep_nats.csv.gz\`). Per seed
(${seeds.join(', ')}): the training cells are the first 424 cells with distinct keys of a seeded shuffle (sets of size n
are nested prefixes); the ${TEST_CELLS.toLocaleString('en-US')} test cells follow in the same order, none isomorphic to a training cell. Each
method is fitted on n cells with default options and scores the test cells. Mean ± sample std over ${seeds.length} seeds.
Baselines: ridge regression on the one-hot encoding (\`space.encode\`, λ = ${RIDGE_LAMBDA}), and a random ranking.

Kendall τ-b:

${table('tau')}

Spearman ρ:

${table('rho')}

| timing (median over seeds) | target (gcn, renas) | gcn | renas | ctnas |
|---|---|---|---|---|
| fit on 424 cells (wall clock) | < ${TARGET_FIT_S} s | ${timing.gcn.fit424_s.toFixed(1)} s | ${timing.renas.fit424_s.toFixed(1)} s | ${timing.ctnas.fit424_s.toFixed(1)} s |
| \`estimateMany\` over all 15,625 cells | < ${TARGET_SCORE_ALL_S} s | ${timing.gcn.scoreAll15625_s.toFixed(2)} s | ${timing.renas.scoreAll15625_s.toFixed(2)} s | ${timing.ctnas.scoreAll15625_s.toFixed(2)} s |

ctnas's estimate is the mean probability of beating 64 reference cells, so scoring costs 64 comparisons per cell.
Whole benchmark: ${(results.wallSeconds / 60).toFixed(1)} min.

NAS-Bench-101 (the 20,001 tabulated cells, 108-epoch validation accuracy) is measured with \`nasx predictors bench\`:
\`nb101/predictors-bench.md\` (the command is in \`nb101/README.md\`).
`;
  if (WRITE) {
    fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
  }
  process.stdout.write(md);
  if (!['gcn', 'renas'].every((m) => timing[m].passFit && timing[m].passScore)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
