#!/usr/bin/env node
// AGNN against random search on the Planetoid graphs, with and without parameter sharing, each
// through `nasx run` (the product path): the same budget of evaluations (GNNs of the gnn space
// trained by train-graph and judged by validation accuracy); then the architecture each search
// picked (best validation accuracy) is retrained once per seed and its test accuracy reported beside
// the AGNN paper's (Zhou et al. 2019, Table 3). Search time is the run's wall time.
//
//   node tools/bench/gnn/agnn.bench.cjs [--graphs cora,citeseer,pubmed] [--budget 40]
//        [--methods agnn,agnn-noshare,random] [--search-seeds 1] [--retrain 10] [--concurrency 2]
//        [--search-epochs 200] [--retrain-epochs 300] [--workers auto|0]
//        [--machine-shared]   (mark the rows: other jobs shared the cores, so search times are inflated)
//   node tools/bench/gnn/agnn.bench.cjs --retrain-only --graphs pubmed --retrain 10
//        (more retraining seeds for picks already in the results file, without searching again)
//   node tools/bench/gnn/agnn.bench.cjs --report     (AGNN.md again from the results file)
//
// Data: NASX_DATA, else the shared data folder beside the repository (planetoid/). Results are
// merged into agnn.results.json by (graph, method, search seed), so graphs can be run separately.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT, arg, DATA, CLI } = require('../common.cjs');
const { machineInfo } = require('../machine.cjs');

const GRAPHS = arg('--graphs', 'cora,citeseer,pubmed').split(',');
const BUDGET = Number(arg('--budget', 40));
const METHODS = arg('--methods', 'agnn,agnn-noshare,random').split(',');
const SEARCH_SEEDS = Number(arg('--search-seeds', 1));
const RETRAIN = Number(arg('--retrain', 10));
const CONCURRENCY = Number(arg('--concurrency', 2));
/**
 * Worker threads of the search (`auto`: one per core; 0: in-process). Either way Pubmed's widest
 * children need more than the 4 GiB of a wasm heap: they fail as out of memory, at once, and are
 * counted in the table's "failed".
 */
const WORKERS = arg('--workers', 'auto');
const RESULTS = path.join(__dirname, 'agnn.results.json');
const RETRAIN_ONLY = process.argv.includes('--retrain-only');

/** The AGNN paper's test accuracies of its found architectures (Table 3, mean ± sd over runs). */
const PAPER = { cora: '83.6 ± 0.3', citeseer: '73.8 ± 0.7', pubmed: '79.7 ± 0.4' };
/**
 * The child training of the search: AGNN's and GraphNAS's is 200 epochs (train-graph's default);
 * `--search-epochs` shortens it for CPU budgets (children that inherit train a quarter of it).
 */
const SEARCH_EPOCHS = Number(arg('--search-epochs', 200));
const SEARCH_TRAINING = { epochs: SEARCH_EPOCHS, inheritEpochs: Math.max(1, Math.round(SEARCH_EPOCHS / 4)), lr: 0.005, weightDecay: 0.0005, dropout: 0.6 };
/** Retraining of a picked architecture: GAT's recipe (keep the best validation weights), at most --retrain-epochs. */
const RETRAINING = {
  epochs: Number(arg('--retrain-epochs', 300)),
  lr: 0.005,
  weightDecay: 0.0005,
  dropout: 0.6,
  earlyStopping: 'patience',
  patience: 100,
  inherit: false,
};

const SEARCHERS = {
  agnn: { use: 'agnn', options: { initial: 4, share: true } },
  'agnn-noshare': { use: 'agnn', options: { initial: 4, share: false } },
  random: { use: 'random' },
};

if (!fs.existsSync(path.join(DATA, 'planetoid'))) {
  console.error(`gnn bench: no planetoid/ under ${DATA}; set NASX_DATA`);
  process.exit(2);
}
const { mean, sampleStd } = require(path.join(ROOT, 'libs', 'stats', 'dist', 'index.js'));

const previous = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : { rows: [] };
if (process.argv.includes('--report')) {
  report(previous);
  process.exit(0);
}

function nasx(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) {
    console.error(`gnn bench: nasx ${args.join(' ')} failed:\n${r.stderr}`);
    process.exit(1);
  }
  return r;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-agnn-bench-'));

/**
 * Retrains `row`'s pick on its graph with the seeds after those it has, up to `to` (GAT's recipe,
 * one `nasx score` each), saving the row after every seed so that a stopped bench loses one seed
 * at most (`--retrain-only` goes on from there).
 */
function retrain(row, to) {
  const archFile = path.join(work, 'arch.txt');
  fs.writeFileSync(archFile, `${row.best.arch}\n`);
  for (let seed = row.retrain.tests.length; seed < to; seed++) {
    const out = path.join(work, `retrain-${seed}.csv`);
    const args = ['score', '--space', 'gnn', '--estimator', 'train-graph', '--task', row.graph, '--archs', archFile, '-o', out, '--seed', String(seed)];
    args.push('--data-dir', path.join(DATA, 'planetoid'), '--workers', '0', '--no-journal', '-q');
    for (const [k, v] of Object.entries(RETRAINING)) args.push('--set', `estimator.options.${k}=${v}`);
    nasx(args);
    const [head, line] = fs.readFileSync(out, 'utf8').trim().split('\n');
    const scores = Object.fromEntries(head.split(',').map((k, i) => [k, line.split(',')[i]]));
    const tests = [...row.retrain.tests, Number(scores.test_acc)];
    row.retrain = { seeds: tests.length, tests, mean: mean(tests), std: tests.length > 1 ? sampleStd(tests) : 0 };
    save([row]);
  }
  console.error(
    `${row.graph} ${row.method} seed ${row.searchSeed}: retrained ${row.retrain.seeds}×, test ${row.retrain.mean.toFixed(2)} ± ${row.retrain.std.toFixed(2)}`,
  );
}

/** Writes `rows` into the results file, keeping the rows another bench process wrote meanwhile (keyed by graph, method, search seed). */
function save(rows) {
  const key = (r) => `${r.graph}/${r.method}/${r.searchSeed}`;
  const mine = new Set(rows.map(key));
  const file = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : { rows: [] };
  const merged = [...file.rows.filter((r) => !mine.has(key(r))), ...rows];
  // Retraining only: the searches' schedule is the file's, not this invocation's defaults.
  const searchTraining = RETRAIN_ONLY ? (file.searchTraining ?? SEARCH_TRAINING) : SEARCH_TRAINING;
  const result = { date: new Date().toISOString().slice(0, 10), machine: machineInfo(), searchTraining, retraining: RETRAINING, rows: merged };
  fs.writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
}

if (RETRAIN_ONLY) {
  // More retraining seeds for picks already in the results (seeds after the ones there, up to --retrain).
  const rows = previous.rows;
  for (const r of rows.filter((x) => GRAPHS.includes(x.graph) && METHODS.includes(x.method) && x.searchSeed < SEARCH_SEEDS)) {
    if (r.retrain.tests.length < RETRAIN) retrain(r, RETRAIN);
  }
  report(JSON.parse(fs.readFileSync(RESULTS, 'utf8')));
  process.exit(0);
}
for (const graph of GRAPHS) {
  for (const method of METHODS) {
    for (let searchSeed = 0; searchSeed < SEARCH_SEEDS; searchSeed++) {
      const runsDir = path.join(work, `${graph}-${method}-${searchSeed}`);
      const config = {
        name: `agnn-bench-${graph}-${method}`,
        seed: searchSeed,
        task: graph,
        space: 'gnn',
        estimator: { use: 'train-graph', options: SEARCH_TRAINING },
        searcher: SEARCHERS[method],
        concurrency: CONCURRENCY,
        workers: WORKERS === 'auto' ? 'auto' : Number(WORKERS),
        // Children that do not fit in memory fail (and teach AGNN's controllers to avoid them):
        // the run goes on to its budget of evaluations whatever the number of failures.
        budget: { evaluations: BUDGET, failures: 0 },
      };
      const file = path.join(work, `${graph}-${method}-${searchSeed}.json`);
      fs.writeFileSync(file, JSON.stringify(config));
      const t0 = Date.now();
      nasx(['run', file, '--data-dir', path.join(DATA, 'planetoid'), '--runs-dir', runsDir, '-q']);
      const searchSeconds = (Date.now() - t0) / 1000;
      const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
      const journal = fs
        .readFileSync(path.join(runDir, 'events.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const events = journal.filter((e) => e.type === 'evaluated' && e.estimate); // a repeat answered from the cache refers to the first
      const failed = journal.filter((e) => e.type === 'failed').length;
      const best = events.reduce((a, e) => (!a || e.estimate.metrics.val_acc > a.estimate.metrics.val_acc ? e : a), undefined);
      const trainedEpochs = events.reduce((s, e) => s + (e.estimate.cost.epochs ?? 0), 0);
      const inherited = events.filter((e) => (e.estimate.info?.inherited ?? 0) > 0).length;
      const text = best.arch.key.replace(/^gnn:/, '');
      console.error(`${graph} ${method} seed ${searchSeed}: best val ${best.estimate.metrics.val_acc} ${text} (${searchSeconds.toFixed(0)} s)`);
      const row = {
        graph,
        method,
        searchSeed,
        budget: BUDGET,
        best: { arch: text, val: best.estimate.metrics.val_acc, trial: best.trial },
        searchSeconds,
        trainedEpochs,
        inherited,
        evaluations: BUDGET,
        failed,
        trained: events.length,
        retrain: { seeds: 0, tests: [] },
        ...(process.argv.includes('--machine-shared') ? { machineShared: true } : {}),
      };
      save([row]); // the search is kept even if the retraining is cut short
      retrain(row, RETRAIN);
    }
  }
}
report(JSON.parse(fs.readFileSync(RESULTS, 'utf8')));

function report(result) {
  const m = result.machine;
  const lines = [
    '# AGNN against random search on the Planetoid graphs',
    '',
    `${m.cores} × ${m.cpu}, Node ${m.node}, ${result.date}. Made by \`node tools/bench/gnn/agnn.bench.cjs\`: each search is a \`nasx run\` over the gnn space (2 layers) with the \`train-graph\` estimator; its pick (best validation accuracy) is retrained once per seed with GAT's recipe and its test accuracy reported.`,
    '',
    '| graph | searcher | search seed | evaluations (failed) | search time (s) | epochs trained | children inherited | best val | picked architecture | retrained test (mean ± sd, seeds) | AGNN paper |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...result.rows.map(
      (r) =>
        `| ${r.graph} | ${r.method} | ${r.searchSeed} | ${r.evaluations}${r.failed ? ` (${r.failed})` : ''} | ${r.searchSeconds.toFixed(0)}${r.machineShared ? ' †' : ''} | ${r.trainedEpochs} | ${r.inherited} | ${r.best.val.toFixed(1)} | \`${r.best.arch.replace(/\|/g, '\\|')}\` | ${r.retrain.seeds ? `${r.retrain.mean.toFixed(2)} ± ${r.retrain.std.toFixed(2)} (${r.retrain.seeds})` : 'not yet retrained'} | ${PAPER[r.graph]} |`,
    ),
    '',
    ...(result.rows.some((r) => r.machineShared)
      ? [
          '† Measured while other benchmarks shared the two cores for part of the search: the time is inflated, by different amounts for different searches, so only the epochs trained compare the cost of the searches fairly.',
          '',
        ]
      : []),
    "Pubmed here is the feature-free variant (the shared data has no Pubmed features: each node is its own one-hot feature), so its numbers are not comparable with the paper's, which uses the 500 TF-IDF features.",
    '',
    `Search training: ${JSON.stringify(result.searchTraining)} (children that inherit train inheritEpochs). Retraining: ${JSON.stringify(result.retraining)}.`,
    '',
  ];
  fs.writeFileSync(path.join(__dirname, 'AGNN.md'), lines.join('\n'));
  console.log(lines.join('\n'));
}
