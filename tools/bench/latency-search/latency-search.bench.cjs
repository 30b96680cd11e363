#!/usr/bin/env node
// Latency-constrained search on NAS-Bench-201 (the BUILT workspace: node tools/scripts/build.cjs).
//   node tools/bench/latency-search/latency-search.bench.cjs [--seeds 10] [--evaluations 300]
//        [--devices pixel3,raspi4] [--searchers mnas-ppo,rea,random] [--no-write]
// Data: NASX_DATA, else the `shared/data` folder beside the repository (nas-bench-201/ and
// hw-latency-help/). For each device (HW-NAS-Bench's pixel3 and raspi4 CIFAR-10 latencies, via
// HELP's table) and three targets T at quantiles of that device's latency over all 15,625 cells,
// it runs MnasNet's controller (searcher `mnas`), regularized evolution and random search through
// the kernel with the mnas objective under the hard constraint (ACC·(LAT/T)^w, w = 0 under T,
// −1 over it), accuracy = CIFAR-10 test accuracy after 200 epochs from the tabular benchmark,
// latency = the `table` model; a fixed budget of evaluations (repeats answered from the cache are
// free, as in any nasx run); the same seeds for every searcher. It reports, per searcher, the true
// accuracy of the best cell under T among the evaluated ones (mean ± sd over seeds) and the
// fraction of runs that found the true optimum under T, computed here from the two tables.
// Writes results.json + RESULTS.md next to this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SEEDS = Number(arg('seeds', 10));
const EVALUATIONS = Number(arg('evaluations', 300));
const DEVICES = arg('devices', 'pixel3,raspi4').split(',');
const QUANTILES = [0.1, 0.25, 0.5];
const WRITE = !process.argv.includes('--no-write');

function dataDir() {
  const d = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
  for (const sub of ['nas-bench-201', 'hw-latency-help']) {
    if (!fs.existsSync(path.join(d, sub))) {
      console.error(`latency-search bench: no ${sub}/ under ${d}; set NASX_DATA`);
      process.exit(2);
    }
  }
  return d;
}

const kernelDist = path.join(ROOT, 'libs', 'kernel', 'dist', 'index.js');
if (!fs.existsSync(kernelDist) || !fs.existsSync(path.join(ROOT, 'plugins', 'searcher-mnas', 'dist', 'index.js'))) {
  console.error('latency-search bench: build first (node tools/scripts/build.cjs)');
  process.exit(2);
}
const { Kernel } = require(kernelDist);
const { lastValueFrom, toArray } = require('rxjs');

const mean = (x) => x.reduce((a, b) => a + b, 0) / x.length;
const sd = (x) => (x.length > 1 ? Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1)) : 0);

function csv(file) {
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trimEnd().split('\n');
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

/** Every NB201 cell with its 200-epoch CIFAR-10 test accuracy and its latency on each device. */
function truthTable(data) {
  const acc = new Map(csv(path.join(data, 'nas-bench-201', 'nb201_test_acc_200ep_nats.csv.gz')).map((r) => [r.arch_str, Number(r.cifar10_test_acc)]));
  return csv(path.join(data, 'hw-latency-help', 'nb201_latency_ms_help.csv.gz')).map((r) => ({
    arch: r.arch_str,
    acc: acc.get(r.arch_str),
    latency: Object.fromEntries(DEVICES.map((d) => [d, Number(r[d])])),
  }));
}

function quantile(sorted, q) {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
}

/** Targets at quantiles of the device's latency, rounded to 2 significant digits (a number a user would write). */
function targets(cells, device) {
  const lat = cells.map((c) => c.latency[device]).sort((a, b) => a - b);
  return QUANTILES.map((q) => {
    const raw = quantile(lat, q);
    const T = Number(raw.toPrecision(2));
    const under = cells.filter((c) => c.latency[device] <= T);
    const best = under.reduce((b, c) => (c.acc > b.acc ? c : b));
    return {
      quantile: q,
      target: T,
      fractionUnder: under.length / cells.length,
      optimum: { arch: best.arch, acc: best.acc, latency: best.latency[device] },
      // Accuracy of the best cell of the whole space, and what the constraint costs.
      unconstrained: Math.max(...cells.map((c) => c.acc)),
    };
  });
}

const SEARCHERS = {
  'mnas-ppo': { title: 'MnasNet controller (PPO)', searcher: 'mnas' },
  'mnas-reinforce': { title: 'MnasNet controller (REINFORCE)', searcher: { use: 'mnas', options: { algorithm: 'reinforce' } } },
  rea: { title: 'regularized evolution (P = 10, S = 3)', searcher: { use: 'regularized-evolution', options: { population: 10, sampleSize: 3 } } },
  random: { title: 'random search', searcher: 'random' },
};
const CHOSEN = arg('searchers', 'mnas-ppo,rea,random').split(',');

function config(data, device, T, searcher, seed) {
  return {
    seed,
    dataDir: data,
    space: 'nb201',
    estimator: { use: 'tabular', options: { benchmark: 'nb201', dataset: 'cifar10', metric: 'test_acc', epochs: 200 } },
    latency: [{ use: 'table', options: { device } }],
    objective: { type: 'mnas', accuracy: 'test_acc@200', latency: 'latency_ms', target: T, constraint: 'hard' },
    searcher,
    budget: { evaluations: EVALUATIONS },
  };
}

async function runOnce(kernel, cfg) {
  const handle = await kernel.start(kernel.loadConfigObject(cfg), { persist: false });
  const events = await lastValueFrom(handle.events$.pipe(toArray()));
  const evaluated = events.filter((e) => e.type === 'evaluated');
  const fin = events[events.length - 1];
  let best;
  for (const e of evaluated) {
    const m = e.estimate.metrics;
    if (m.latency_ms <= cfg.objective.target && (best === undefined || m['test_acc@200'] > best.acc)) best = { acc: m['test_acc@200'], arch: e.arch.key };
  }
  return {
    best,
    trials: fin.trials ?? events.filter((e) => e.type === 'proposed').length,
    evaluations: evaluated.filter((e) => !e.cached).length,
    status: fin.status,
  };
}

async function main() {
  const data = dataDir();
  const cells = truthTable(data);
  const kernel = Kernel.open({ roots: [ROOT] });
  kernel.assertHealthy();
  const rows = [];
  const t0 = performance.now();
  for (const device of DEVICES) {
    for (const t of targets(cells, device)) {
      const row = { device, ...t, searchers: {} };
      for (const name of CHOSEN) {
        const acc = [];
        let exact = 0;
        const trials = [];
        const started = performance.now();
        for (let seed = 0; seed < SEEDS; seed++) {
          const r = await runOnce(kernel, config(data, device, t.target, SEARCHERS[name].searcher, seed));
          // A run that found no cell under T scores 0 (it did not answer the question); none did here.
          acc.push(r.best ? r.best.acc : 0);
          if (r.best && Math.abs(r.best.acc - t.optimum.acc) < 1e-9) exact++;
          trials.push(r.trials);
        }
        row.searchers[name] = {
          mean: mean(acc),
          sd: sd(acc),
          regret: t.optimum.acc - mean(acc),
          exact: exact / SEEDS,
          noneUnderT: acc.filter((a) => a === 0).length,
          meanTrials: mean(trials),
          seconds: (performance.now() - started) / 1000,
        };
        const s = row.searchers[name];
        console.error(
          `${device} T=${t.target} ms (q${t.quantile}, optimum ${t.optimum.acc.toFixed(2)}): ${name} ${s.mean.toFixed(2)} ± ${s.sd.toFixed(2)}, exact ${(100 * s.exact).toFixed(0)} %, ${s.meanTrials.toFixed(0)} trials/run, ${s.seconds.toFixed(1)} s`,
        );
      }
      rows.push(row);
    }
  }
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
    evaluations: EVALUATIONS,
    searchers: Object.fromEntries(CHOSEN.map((n) => [n, SEARCHERS[n]])),
    rows,
    seconds: (performance.now() - t0) / 1000,
  };
  if (!WRITE) return;
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), markdown(results));
}

function markdown(r) {
  const f = (x) => x.toFixed(2);
  const lines = [
    '# Latency-constrained search on NAS-Bench-201',
    '',
    `\`node tools/bench/latency-search/latency-search.bench.cjs\` (built workspace, ${r.date}; ${r.seconds.toFixed(0)} s).`,
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGiB} GiB, ${r.machine.platform}, Node ${r.machine.node}.`,
    '',
    'Task: the most accurate NB201 cell whose latency on the device is at most T. Accuracy: CIFAR-10 test accuracy after 200 epochs',
    "(tabular benchmark). Latency: HW-NAS-Bench CIFAR-10 latency on the device (`table` model, HELP's table). Every searcher is",
    `run through the kernel with the \`mnas\` objective, hard constraint (ACC·(LAT/T)^w, w = 0 under T, −1 over it), ${r.evaluations} evaluations`,
    `(repeats are answered from the cache and cost none), seeds 0..${r.seeds - 1}, the same seeds for every searcher. T is the`,
    `${QUANTILES.map((q) => `${100 * q}th`).join(', ')} percentile of the device's latency over all 15,625 cells, rounded to 2 significant digits.`,
    '',
    'Score of a run: the true accuracy of the best cell under T among the cells it evaluated (not the cell its objective ranks first,',
    'which under the hard constraint may lie slightly over T). "exact": fraction of runs that evaluated the optimum under T.',
    '',
    `| device | T (ms) | cells under T | optimum under T | ${Object.values(r.searchers)
      .map((s) => s.title)
      .join(' | ')} |`,
    `|---|---|---|---|${Object.keys(r.searchers)
      .map(() => '---|')
      .join('')}`,
  ];
  for (const row of r.rows) {
    const cells = Object.keys(r.searchers).map((n) => {
      const s = row.searchers[n];
      return `${f(s.mean)} ± ${f(s.sd)} (exact ${(100 * s.exact).toFixed(0)} %)`;
    });
    lines.push(
      `| ${row.device} | ${row.target} | ${(100 * row.fractionUnder).toFixed(0)} % | ${f(row.optimum.acc)} (${row.optimum.latency.toPrecision(3)} ms) | ${cells.join(' | ')} |`,
    );
  }
  lines.push('', 'Trials per run (proposals, repeats included; mean over seeds):', '');
  lines.push(
    `| device | T (ms) | ${Object.keys(r.searchers).join(' | ')} |`,
    `|---|---|${Object.keys(r.searchers)
      .map(() => '---|')
      .join('')}`,
  );
  for (const row of r.rows)
    lines.push(
      `| ${row.device} | ${row.target} | ${Object.keys(r.searchers)
        .map((n) => row.searchers[n].meanTrials.toFixed(0))
        .join(' | ')} |`,
    );
  return lines.join('\n') + '\n';
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
