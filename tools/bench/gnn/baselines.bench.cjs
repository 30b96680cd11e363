#!/usr/bin/env node
// GCN and GAT trained by nasx on the Planetoid graphs, against their published accuracies: each
// network is the gnn space's preset (`gcn`, `gat`), trained by the train-graph estimator through
// `nasx score` (the product path) with its paper's recipe, once per seed; the test accuracy of the
// weights the recipe selects is compared with the paper's (Kipf & Welling 2017, Table 2;
// Veličković et al. 2018, Table 2). Also times full-batch GCN training (epochs/s).
//
//   node tools/bench/gnn/baselines.bench.cjs [--seeds 10] [--graphs cora,citeseer] [--models gcn,gat]
//   node tools/bench/gnn/baselines.bench.cjs --report     (BASELINES.md again from the results file)
//
// Data: NASX_DATA, else the shared data folder beside the repository (planetoid/). Writes
// baselines.results.json and BASELINES.md beside this script. Build first (node tools/scripts/build.cjs).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { ROOT, arg, DATA, CLI } = require('../common.cjs');
const { machineInfo } = require('../machine.cjs');
const SEEDS = Number(arg('--seeds', 10));
const GRAPHS = arg('--graphs', 'cora,citeseer').split(',');
const MODELS = arg('--models', 'gcn,gat').split(',');

if (!fs.existsSync(path.join(DATA, 'planetoid'))) {
  console.error(`gnn bench: no planetoid/ under ${DATA}; set NASX_DATA`);
  process.exit(2);
}
const { mean, sampleStd } = require(path.join(ROOT, 'libs', 'stats', 'dist', 'index.js'));

/** The papers' recipes, as train-graph options, and their published test accuracies (%). */
const RECIPES = {
  gcn: {
    paper: 'Kipf & Welling, ICLR 2017, Table 2',
    published: { cora: 81.5, citeseer: 70.3, pubmed: 79.0 },
    options: { epochs: 200, lr: 0.01, weightDecay: 5e-4, weightDecayScope: 'first-layer', dropout: 0.5, earlyStopping: 'window', patience: 10 },
  },
  gat: {
    paper: 'Veličković et al., ICLR 2018, Table 2',
    published: { cora: 83.0, citeseer: 72.5, pubmed: 79.0 },
    options: { epochs: 100000, lr: 0.005, weightDecay: 5e-4, weightDecayScope: 'all', dropout: 0.6, earlyStopping: 'patience', patience: 100 },
  },
};

const RESULTS = path.join(__dirname, 'baselines.results.json');
if (process.argv.includes('--report')) {
  report(JSON.parse(fs.readFileSync(RESULTS, 'utf8')));
  process.exit(0);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-gnn-bench-'));
const rows = [];
for (const graph of GRAPHS) {
  for (const model of MODELS) {
    const recipe = RECIPES[model];
    const archFile = path.join(work, `${model}.txt`);
    fs.writeFileSync(archFile, `${model}\n`);
    const runs = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const out = path.join(work, `${graph}-${model}-${seed}.csv`);
      const args = [CLI, 'score', '--space', 'gnn', '--estimator', 'train-graph', '--task', graph, '--archs', archFile, '-o', out, '--seed', String(seed)];
      args.push('--data-dir', path.join(DATA, 'planetoid'), '--workers', '0', '--runs-dir', path.join(work, 'runs'), '-q');
      for (const [k, v] of Object.entries(recipe.options)) args.push('--set', `estimator.options.${k}=${v}`);
      args.push('--set', 'estimator.options.inherit=false');
      const t0 = Date.now();
      const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
      const seconds = (Date.now() - t0) / 1000;
      if (r.status !== 0) {
        console.error(`gnn bench: ${graph} ${model} seed ${seed} failed:\n${r.stderr}`);
        process.exit(1);
      }
      const [head, line] = fs.readFileSync(out, 'utf8').trim().split('\n');
      const row = Object.fromEntries(head.split(',').map((k, i) => [k, line.split(',')[i]]));
      runs.push({ seed, test: Number(row.test_acc), val: Number(row.val_acc), seconds });
      console.error(`${graph} ${model} seed ${seed}: test ${row.test_acc} val ${row.val_acc} (${seconds.toFixed(1)} s)`);
    }
    const tests = runs.map((x) => x.test);
    rows.push({
      graph,
      model,
      paper: recipe.paper,
      published: recipe.published[graph],
      mean: mean(tests),
      std: sampleStd(tests),
      within: Math.abs(mean(tests) - recipe.published[graph]) <= 1.5,
      secondsPerRun: mean(runs.map((x) => x.seconds)),
      runs,
      options: recipe.options,
    });
  }
}

const result = { date: new Date().toISOString().slice(0, 10), machine: machineInfo(), seeds: SEEDS, rows };
fs.writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
report(result);

function report(result) {
  const { machine, rows, seeds: SEEDS } = result;
  const fmt = (x) => x.toFixed(2);
  const md = [
    '# GCN and GAT on the Planetoid graphs, trained by nasx',
    '',
    `${machine.cores} × ${machine.cpu}, Node ${machine.node}, load ${machine.loadAverage1m} at the end, ${result.date}. Made by \`node tools/bench/gnn/baselines.bench.cjs\`: each network is the gnn space's preset (\`gcn\`, \`gat\`) trained by the \`train-graph\` estimator through \`nasx score\`, once per seed (${SEEDS} seeds), on Planetoid's public split; test accuracy of the weights the recipe selects.`,
    '',
    '| graph | network | test accuracy (mean ± sd) | published | within 1.5 points | seconds per run |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.graph} | ${r.model} | ${fmt(r.mean)} ± ${fmt(r.std)} | ${r.published} (${r.paper}) | ${r.within ? 'yes' : '**no**'} | ${r.secondsPerRun.toFixed(1)} |`,
    ),
    '',
    '## Recipes',
    '',
    "- GCN: 2 layers, 16 hidden units, ReLU, Kipf & Welling's normalisation with self-loops; Adam 0.01, L2 5e-4 on the first layer, dropout 0.5 (inputs and hidden), 200 epochs, stop when the validation loss exceeds the mean of the 10 epochs before; row-normalised features.",
    '- GAT: 8 heads × 8 units, ELU, one output head; Adam 0.005, L2 5e-4 on all parameters, dropout 0.6 on inputs and attention coefficients; stop after 100 epochs without a better validation accuracy or loss, keep the weights at which both were best; row-normalised features.',
    '- Seconds per run include starting `nasx` and reading the graph.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'BASELINES.md'), md);
  console.log(md);
}
