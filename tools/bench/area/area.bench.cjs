#!/usr/bin/env node
// AREA (assisted regularized evolution; Mellor, Turner, Storkey & Crowley, "Neural Architecture
// Search without Training", ICML 2021, §4.1, Algorithm 2, Table 2a) on NAS-Bench-201, run by the
// kernel through the real nb201 space, the tabular estimator, the score-table proxy and the
// assisted-regularized-evolution searcher (the BUILT workspace: node tools/scripts/build.cjs).
//
//   node tools/bench/area/area.bench.cjs [--seeds 200] [--scores <nasx score file of CIFAR-10 NASWOT>]
//
// Data: NASX_DATA, else the `shared/data` folder beside the repository (nas-bench-201/ and
// nas-bench-suite-zero/). --scores defaults to nb201-cifar10-naswot.csv beside this script (our
// own NASWOT scores, written by `nasx score`); the protocol is in README.md here. Writes
// results.json + RESULTS.md next to this script.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SEEDS = Number(arg('--seeds', 200));
const SCORES = path.resolve(arg('--scores', path.join(__dirname, 'nb201-cifar10-naswot.csv')));
const NASLIB = 'nas-bench-suite-zero/zc_nasbench201.csv.gz';

function dataDir() {
  const d = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
  for (const sub of ['nas-bench-201', 'nas-bench-suite-zero']) {
    if (!fs.existsSync(path.join(d, sub))) {
      console.error(`area bench: no ${sub}/ under ${d}; set NASX_DATA`);
      process.exit(2);
    }
  }
  return d;
}

const dist = (p) => path.join(ROOT, p, 'dist', 'index.js');
if (!fs.existsSync(dist('libs/kernel')) || !fs.existsSync(dist('plugins/estimator-tabular'))) {
  console.error('area bench: build first (node tools/scripts/build.cjs)');
  process.exit(2);
}
const { Kernel } = require(dist('libs/kernel'));
const { openBenchmarkTable, formatNb201ArchStr, nb201CodeOfArchStr, nb201OpsOfCode } = require(dist('plugins/estimator-tabular'));
const { lastValueFrom, toArray } = require('rxjs');

const mean = (x) => x.reduce((a, b) => a + b, 0) / x.length;
const std = (x) => Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1));
const fmt = (x) => `${mean(x).toFixed(2)} ± ${std(x).toFixed(2)}`;

function ranks(x) {
  const idx = x.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
  const r = new Array(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}
function spearman(a, b) {
  const ra = ranks(a);
  const rb = ranks(b);
  const ma = mean(ra);
  const mb = mean(rb);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** The events of one run. */
async function run(kernel, config) {
  const handle = await kernel.start(kernel.loadConfigObject(config), { persist: false });
  return lastValueFrom(handle.events$.pipe(toArray()));
}

/** NB201's REA settings (P = 10, S = 3) on 12-epoch validation accuracy, 100 evaluations, duplicates charged. */
function config(data, { dataset, proxy, seed, searcher }) {
  return {
    seed,
    dataDir: data,
    space: 'nb201',
    estimator: { use: 'tabular', options: { dataset, metric: 'val_acc', epochs: 12, report: [] } },
    ...(proxy ? { estimators: { proxy: { use: 'score-table', options: proxy } } } : {}),
    searcher:
      searcher === 'area'
        ? { use: 'assisted-regularized-evolution', options: { proxy: 'proxy', population: 10, sampleSize: 3, samplesFrom: 'proxy' } }
        : { use: 'regularized-evolution', options: { population: 10, sampleSize: 3 } }, // NB201's R_EA.py
    objective: 'val_acc@12',
    dedup: false,
    budget: { evaluations: 100 },
  };
}

async function main() {
  const data = dataDir();
  const kernel = Kernel.open({ roots: [ROOT] });
  // 200-epoch accuracies of the returned cell, every dataset (the search never sees them).
  const tables = {
    cifar10: openBenchmarkTable({ dataset: 'cifar10', dataDir: data }),
    cifar100: openBenchmarkTable({ dataset: 'cifar100', dataDir: data }),
    'imagenet16-120': openBenchmarkTable({ dataset: 'imagenet16-120', dataDir: data }),
  };
  // NASLib's 200-epoch validation accuracy for its 725 cells (the only CIFAR-100 / ImageNet16-120
  // validation numbers in the data), by arch string and dataset.
  const naslibRows = zlib
    .gunzipSync(fs.readFileSync(path.join(data, NASLIB)))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const h = naslibRows[0];
  const naslibVal = new Map(naslibRows.slice(1).map((c) => [`${c[h.indexOf('dataset')]}|${c[h.indexOf('arch_str')]}`, Number(c[h.indexOf('val_accuracy')])]));
  const evaluate = (arch, fmtArch) => ({
    c10val: tables.cifar10.lookup(arch, 'val_acc@200'),
    c10test: tables.cifar10.lookup(arch, 'test_acc@200'),
    c100test: tables.cifar100.lookup(arch, 'test_acc@200'),
    in16test: tables['imagenet16-120'].lookup(arch, 'test_acc@200'),
    c100val: naslibVal.get(`cifar100|${fmtArch}`),
    in16val: naslibVal.get(`ImageNet16-120|${fmtArch}`),
  });

  const own = fs.existsSync(SCORES) ? SCORES : undefined;
  const settings = [
    { name: 'REA (no proxy)', searcher: 'rea', proxy: undefined, searchOn: 'cifar10' },
    { name: 'AREA, NASLib NASWOT (CIFAR-10)', searcher: 'area', proxy: { file: NASLIB, metric: 'nwot', dataset: 'cifar10' }, searchOn: 'cifar10' },
    ...(own ? [{ name: `AREA, our NASWOT (${path.basename(own)})`, searcher: 'area', proxy: { file: own, metric: 'score' }, searchOn: 'cifar10' }] : []),
  ];
  // Per-dataset searches (NATS-Bench style: search and report on the same dataset), NASLib's NASWOT of that dataset.
  const perDataset = [];
  // (CIFAR-10 is the first two settings above.)
  for (const dataset of ['cifar100', 'imagenet16-120']) {
    perDataset.push({ name: `REA, search on ${dataset}`, searcher: 'rea', proxy: undefined, searchOn: dataset });
    perDataset.push({
      name: `AREA, NASLib NASWOT (${dataset}), search on ${dataset}`,
      searcher: 'area',
      proxy: { file: NASLIB, metric: 'nwot', dataset },
      searchOn: dataset,
    });
  }

  const results = { date: new Date().toISOString().slice(0, 10), seeds: SEEDS, scoresFile: own && path.relative(ROOT, own), settings: [], perDataset: [] };
  const t0 = Date.now();
  for (const [list, out] of [
    [settings, results.settings],
    [perDataset, results.perDataset],
  ]) {
    for (const s of list) {
      const acc = { c10val: [], c10test: [], c100test: [], in16test: [], c100val: [], in16val: [] };
      let evaluations = 0;
      for (let seed = 0; seed < SEEDS; seed++) {
        const events = await run(kernel, config(data, { dataset: s.searchOn, proxy: s.proxy, seed, searcher: s.searcher }));
        const fin = events.at(-1);
        if (fin.type !== 'run-finished' || fin.status !== 'budget-exhausted') throw new Error(`${s.name} seed ${seed}: ${JSON.stringify(fin)}`);
        evaluations += fin.evaluations;
        const best = (fin.recommended ?? fin.best).arch; // the best of the history by val_acc@12 (Algorithm 2's last line)
        const e = evaluate(best, formatNb201ArchStr(best.genotype.ops));
        for (const k of Object.keys(acc)) if (e[k] !== undefined) acc[k].push(e[k]);
      }
      const row = { name: s.name, searchOn: s.searchOn, evaluationsPerRun: evaluations / SEEDS };
      for (const [k, v] of Object.entries(acc)) row[k] = v.length ? { mean: mean(v), std: std(v), n: v.length } : null;
      out.push(row);
      console.error(`${s.name}: C10 val ${fmt(acc.c10val)} | C100 test ${fmt(acc.c100test)} | IN16 test ${fmt(acc.in16test)}`);
    }
  }
  results.seconds = (Date.now() - t0) / 1000;

  // Our scores against NASLib's on the cells both hold.
  if (own) {
    const ownRows = fs
      .readFileSync(own, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const ours = new Map(ownRows.map((c) => [c[0], Number(c[1])]));
    const pairs = naslibRows
      .slice(1)
      .filter((c) => c[0] === 'cifar10' && ours.has(c[h.indexOf('arch_str')]))
      .map((c) => ({ ours: ours.get(c[h.indexOf('arch_str')]), naslib: Number(c[h.indexOf('nwot')]), val: Number(c[h.indexOf('val_accuracy')]) }))
      .filter((p) => Number.isFinite(p.ours) && Number.isFinite(p.naslib));
    results.agreement = {
      cells: pairs.length,
      ownCells: ours.size,
      spearmanOursNaslib: spearman(
        pairs.map((p) => p.ours),
        pairs.map((p) => p.naslib),
      ),
      spearmanOursVal: spearman(
        pairs.map((p) => p.ours),
        pairs.map((p) => p.val),
      ),
      spearmanNaslibVal: spearman(
        pairs.map((p) => p.naslib),
        pairs.map((p) => p.val),
      ),
    };
    // Over every cell the file scores (all 15,625 for a full-space file): ρ with NB201's 200-epoch
    // CIFAR-10 validation accuracy (cells without a path to the output score −∞ and rank last).
    const all = [...ours].filter(([arch]) => nb201CodeOfArchStr(arch) >= 0);
    const archOf = (s) => ({ space: 'nb201', genotype: { ops: nb201OpsOfCode(nb201CodeOfArchStr(s)) }, key: s });
    results.agreement.allCells = all.length;
    results.agreement.finiteCells = all.filter(([, v]) => Number.isFinite(v)).length;
    results.agreement.spearmanOursC10ValAll = spearman(
      all.map(([, v]) => (Number.isFinite(v) ? v : -1e300)),
      all.map(([a]) => tables.cifar10.lookup(archOf(a), 'val_acc@200')),
    );
    console.error(`agreement on ${pairs.length} cells: ρ(ours, NASLib nwot) = ${results.agreement.spearmanOursNaslib.toFixed(3)}`);
  }
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), markdown(results));
  console.error(`wrote ${path.relative(ROOT, path.join(__dirname, 'RESULTS.md'))} (${results.seconds.toFixed(0)} s)`);
}

function markdown(r) {
  const cell = (x) => (x ? `${x.mean.toFixed(2)} ± ${x.std.toFixed(2)}${x.n < r.seeds ? ` (n=${x.n})` : ''}` : '–');
  const lines = [
    '# AREA on NAS-Bench-201 (measured)',
    '',
    `\`node tools/bench/area/area.bench.cjs --seeds ${r.seeds}\` (built workspace, ${r.date}; ${r.seconds.toFixed(0)} s). Protocol: README.md here.`,
    `Mean ± sd over seeds 0–${r.seeds - 1} of the 200-epoch accuracy (%) of the cell each run returns.`,
    '',
    '## Search on CIFAR-10, evaluate on all three (the paper’s protocol, Table 2a)',
    '',
    '| method | evaluations | CIFAR-10 valid | CIFAR-10 test | CIFAR-100 test | CIFAR-100 valid (NASLib cells) | ImageNet16-120 test | ImageNet16-120 valid (NASLib cells) |',
    '|---|---|---|---|---|---|---|---|',
    ...r.settings.map(
      (s) =>
        `| ${s.name} | ${s.evaluationsPerRun} | ${cell(s.c10val)} | ${cell(s.c10test)} | ${cell(s.c100test)} | ${cell(s.c100val)} | ${cell(s.in16test)} | ${cell(s.in16val)} |`,
    ),
    '| Mellor et al. 2021, Table 2a: AREA (50 runs) | 12,000 s | 91.20 ± 0.27 | – | – | 71.95 ± 0.99 | – | 45.70 ± 1.05 |',
    '| Mellor et al. 2021, Table 2a: REA (NB201, 500 runs) | 12,000 s | 91.19 ± 0.31 | 93.92 ± 0.30 | 71.84 ± 0.99 | 71.81 ± 1.12 | 45.54 ± 1.03 | 45.15 ± 0.89 |',
    '',
    '## Search on each dataset with that dataset’s NASLib NASWOT scores',
    '',
    '| method | CIFAR-10 valid | CIFAR-100 test | CIFAR-100 valid (NASLib cells) | ImageNet16-120 test | ImageNet16-120 valid (NASLib cells) |',
    '|---|---|---|---|---|---|',
    ...[...r.settings.slice(0, 2), ...r.perDataset].map((s) => {
      const d = s.searchOn;
      return `| ${s.name} | ${d === 'cifar10' ? cell(s.c10val) : '–'} | ${d === 'cifar100' ? cell(s.c100test) : '–'} | ${d === 'cifar100' ? cell(s.c100val) : '–'} | ${d === 'imagenet16-120' ? cell(s.in16test) : '–'} | ${d === 'imagenet16-120' ? cell(s.in16val) : '–'} |`;
    }),
    '',
  ];
  if (r.agreement) {
    const a = r.agreement;
    lines.push(
      '## Our NASWOT scores against NASLib’s',
      '',
      `\`${r.scoresFile}\` holds ${a.ownCells} cells scored by \`nasx score\`; ${a.cells} of them have a finite NASLib \`nwot\` (CIFAR-10).`,
      `Spearman ρ(ours, NASLib nwot) = ${a.spearmanOursNaslib.toFixed(3)}; ρ(ours, NASLib val_accuracy) = ${a.spearmanOursVal.toFixed(3)}; ρ(NASLib nwot, val_accuracy) = ${a.spearmanNaslibVal.toFixed(3)} on the same cells.`,
      ...(a.allCells
        ? [
            `Over all ${a.allCells} cells of the file (${a.finiteCells} with a finite score; the others have no path from input to output and rank last): ρ(ours, NB201 CIFAR-10 val_acc@200) = ${a.spearmanOursC10ValAll.toFixed(3)}.`,
          ]
        : []),
      '',
    );
  }
  return lines.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
