#!/usr/bin/env node
// Benchmarks of searches on the tabular NAS-Bench-201 (the BUILT workspace: npm run build).
//   node tools/bench/search/search.bench.cjs [--seeds 200]
// Data: NASX_DATA, else the `shared/data` folder beside the repository. Measures, in one run:
//   1. REA vs random search, NB201 protocol (search on 12-epoch validation accuracy, report the
//      200-epoch test accuracy of the returned cell; 100 evaluations; P = 10, S = 3) on cifar10,
//      cifar100 and imagenet16-120, duplicates charged (dedup off, as R_EA.py) and free (dedup on);
//   2. wall time of 200 REA runs x 100 evaluations with the journal on (target < 10 s);
//   3. journal overhead on a 10,000-evaluation tabular run (target < 10 %);
//   4. `nasx plugins` cold start (target < 1 s).
// Writes results.json + RESULTS.md next to this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const argSeeds = process.argv.indexOf('--seeds');
const SEEDS = argSeeds > 0 ? Number(process.argv[argSeeds + 1]) : 200;

function dataDir() {
  const d = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
  if (!fs.existsSync(path.join(d, 'nas-bench-201'))) {
    console.error(`search bench: no nas-bench-201/ under ${d}; set NASX_DATA`);
    process.exit(2);
  }
  return d;
}

const kernelDist = path.join(ROOT, 'libs', 'kernel', 'dist', 'index.js');
if (!fs.existsSync(kernelDist)) {
  console.error('search bench: build first (npm run build)');
  process.exit(2);
}
const { Kernel } = require(kernelDist);
const { lastValueFrom, toArray } = require('rxjs');

const mean = (x) => x.reduce((a, b) => a + b, 0) / x.length;
const std = (x) => Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function runOnce(kernel, config, opts) {
  const resolved = kernel.loadConfigObject(config);
  const handle = await kernel.start(resolved, opts);
  const events = await lastValueFrom(handle.events$.pipe(toArray()));
  return events[events.length - 1];
}

function config(data, dataset, searcher, seed, dedup, evaluations = 100) {
  return {
    seed,
    dataDir: data,
    space: 'nb201',
    estimator: { use: 'tabular', options: { dataset, metric: 'val_acc', epochs: 12, report: ['test_acc@200'] } },
    searcher,
    objective: 'val_acc@12',
    dedup,
    budget: { evaluations },
  };
}

const REA = { use: 'regularized-evolution', options: { population: 10, sampleSize: 3 } };
const RANDOM = 'random';

async function science(kernel, data) {
  const rows = [];
  for (const dataset of ['cifar10', 'cifar100', 'imagenet16-120']) {
    for (const dedup of [false, true]) {
      const row = { dataset, dedup };
      for (const [name, searcher] of [
        ['rea', REA],
        ['random', RANDOM],
      ]) {
        const acc = [];
        for (let seed = 0; seed < SEEDS; seed++) {
          const fin = await runOnce(kernel, config(data, dataset, searcher, seed, dedup), { persist: false });
          acc.push(fin.best.estimate.metrics['test_acc@200']);
        }
        row[name] = { mean: mean(acc), std: std(acc) };
      }
      row.welchT = (row.rea.mean - row.random.mean) / Math.sqrt(row.rea.std ** 2 / SEEDS + row.random.std ** 2 / SEEDS);
      rows.push(row);
      console.error(
        `${dataset} dedup=${dedup}: REA ${row.rea.mean.toFixed(2)} ± ${row.rea.std.toFixed(2)}, RS ${row.random.mean.toFixed(2)} ± ${row.random.std.toFixed(2)} (t=${row.welchT.toFixed(1)})`,
      );
    }
  }
  return rows;
}

async function timedReaRuns(kernel, data) {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-bench-runs-'));
  // warm the table cache and the code paths once
  await runOnce(kernel, config(data, 'cifar10', REA, 999, false), { persist: false });
  const t0 = performance.now();
  for (let seed = 0; seed < 200; seed++) await runOnce(kernel, config(data, 'cifar10', REA, seed, false), { persist: true, runsDir });
  const ms = performance.now() - t0;
  const journals = fs.readdirSync(runsDir).filter((d) => fs.existsSync(path.join(runsDir, d, 'events.ndjson'))).length;
  fs.rmSync(runsDir, { recursive: true, force: true });
  return { runs: 200, evaluationsPerRun: 100, journals, seconds: ms / 1000 };
}

async function journalOverhead(kernel, data) {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-bench-journal-'));
  const cfg = config(data, 'cifar10', RANDOM, 1, false, 10_000);
  await runOnce(kernel, cfg, { persist: false });
  const withJ = [];
  const without = [];
  for (let rep = 0; rep < 7; rep++) {
    let t = performance.now();
    await runOnce(kernel, cfg, { persist: false });
    without.push(performance.now() - t);
    t = performance.now();
    await runOnce(kernel, cfg, { persist: true, runsDir });
    withJ.push(performance.now() - t);
  }
  const size = fs.readdirSync(runsDir).map((d) => fs.statSync(path.join(runsDir, d, 'events.ndjson')).size);
  fs.rmSync(runsDir, { recursive: true, force: true });
  return {
    evaluations: 10_000,
    reps: 7,
    medianMsWithout: median(without),
    medianMsWith: median(withJ),
    overhead: median(withJ) / median(without) - 1,
    journalBytes: median(size),
  };
}

function journalOverheadCli(data) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-bench-cli-'));
  const file = path.join(dir, 'c.json');
  fs.writeFileSync(file, JSON.stringify(config(data, 'cifar10', RANDOM, 1, false, 10_000)));
  const bin = path.join(ROOT, 'apps', 'cli', 'bin', 'nasx.js');
  const time = (extra) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [bin, 'run', file, '--quiet', '--runs-dir', path.join(dir, 'runs'), ...extra], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return performance.now() - t;
  };
  time([]);
  const withJ = [];
  const without = [];
  for (let rep = 0; rep < 7; rep++) {
    without.push(time(['--no-journal']));
    withJ.push(time([]));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { evaluations: 10_000, reps: 7, medianMsWithout: median(without), medianMsWith: median(withJ), overhead: median(withJ) / median(without) - 1 };
}

function pluginsColdStart() {
  const bin = path.join(ROOT, 'apps', 'cli', 'bin', 'nasx.js');
  const times = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [bin, 'plugins'], { cwd: ROOT, encoding: 'utf8' });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  const node = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    node.push(performance.now() - t);
  }
  return { medianMs: median(times), nodeStartMs: median(node) };
}

async function main() {
  const data = dataDir();
  const kernel = Kernel.open({ roots: [ROOT] });
  kernel.assertHealthy();
  const results = {
    date: new Date().toISOString().slice(0, 10),
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    seeds: SEEDS,
    science: await science(kernel, data),
    reaRuns: await timedReaRuns(kernel, data),
    journal: await journalOverhead(kernel, data),
    journalCli: journalOverheadCli(data),
    pluginsColdStart: pluginsColdStart(),
  };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const f = (x) => x.toFixed(2);
  const md = [
    '# Search benchmarks (NAS-Bench-201, tabular)',
    '',
    `\`node tools/bench/search/search.bench.cjs\` (built workspace, ${results.date}).`,
    `Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memGiB} GiB, ${results.machine.platform}, Node ${results.machine.node}.`,
    '',
    `## REA vs random search: 200-epoch test accuracy of the returned cell, mean ± std over ${SEEDS} seeds`,
    '',
    'Search signal: 12-epoch validation accuracy of the same dataset; 100 evaluations; REA P = 10, S = 3, one-edge mutation.',
    '"charged": every proposal counts against the budget, duplicates included (the NB201 protocol, R_EA.py); "free": duplicates (by canonical key, isomorphic cells included) are answered from the cache and do not count.',
    '',
    '| dataset | duplicates | REA | random | Welch t | published REA / random |',
    '|---|---|---|---|---|---|',
    ...results.science.map((r) => {
      const pub = r.dataset === 'cifar10' && !r.dedup ? '93.97 ± 0.4 / 93.75 (issue protocol); NB201 Table 5: 93.92 ± 0.30 / 93.70 ± 0.36' : '–';
      return `| ${r.dataset} | ${r.dedup ? 'free' : 'charged'} | ${f(r.rea.mean)} ± ${f(r.rea.std)} | ${f(r.random.mean)} ± ${f(r.random.std)} | ${r.welchT.toFixed(1)} | ${pub} |`;
    }),
    '',
    '## Speed',
    '',
    '| measure | target | measured | pass |',
    '|---|---|---|---|',
    `| 200 REA runs × 100 evaluations, journal on (200 run folders written) | < 10 s | ${f(results.reaRuns.seconds)} s | ${results.reaRuns.seconds < 10 ? 'yes' : 'no'} |`,
    `| journal overhead, a 10,000-evaluation tabular run as a user runs it: \`nasx run --quiet\` vs \`--no-journal\`, whole process (median of 7: ${results.journalCli.medianMsWith.toFixed(0)} ms vs ${results.journalCli.medianMsWithout.toFixed(0)} ms) | < 10 % | ${(100 * results.journalCli.overhead).toFixed(1)} % | ${results.journalCli.overhead < 0.1 ? 'yes' : 'no'} |`,
    `| journal overhead, search loop only (in-process, median of 7: ${results.journal.medianMsWith.toFixed(0)} ms vs ${results.journal.medianMsWithout.toFixed(0)} ms for 10,000 evaluations; journal ${(results.journal.journalBytes / 2 ** 20).toFixed(1)} MiB) | – | ${(100 * results.journal.overhead).toFixed(1)} % | – |`,
    `| \`nasx plugins\` cold start, whole process (median of 9; bare \`node -e 0\` takes ${results.pluginsColdStart.nodeStartMs.toFixed(0)} ms) | < 1 s | ${results.pluginsColdStart.medianMs.toFixed(0)} ms | ${results.pluginsColdStart.medianMs < 1000 ? 'yes' : 'no'} |`,
    '',
    'The search loop over a table costs about 5 µs per evaluation; the journal adds about 2.5 µs per',
    'trial (two JSON lines; group-committed writes), so a loop that does nothing but table lookups runs',
    'about twice as long with its journal. In a whole run that cost is small next to start-up and table',
    'loading; with any estimator that trains or scores a network it is negligible.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
  process.stdout.write(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
