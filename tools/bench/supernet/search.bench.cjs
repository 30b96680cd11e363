#!/usr/bin/env node
// End-to-end weight-sharing search on NAS-Bench-201, CIFAR-10: for each estimator (one-shot,
// few-shot, rlnas) and seed, `nasx run` trains the supernet in prepare() (or loads the one the τ
// bench trained for that seed: --supernets <dir> of supernet.bench.cjs's --keep), searches with the
// method's searcher over the supernet's estimates, and the picked cell's true 200-epoch CIFAR-10
// test accuracy is read from the NB201 table through `report:` (the BUILT workspace).
//
//   node tools/bench/supernet/search.bench.cjs [--seeds 5] [--epochs 200] [--evaluations 100]
//        [--supernets <dir>] [--methods one-shot,few-shot,rlnas]
//
// Searchers: regularized evolution (population 20, sample 5) for one-shot and few-shot (the
// few-shot paper's REA); for rlnas the SPOS evolutionary search RLNAS runs under its angle metric
// when @nasx/searcher-evolution is built, else regularized evolution. Writes search.results.json
// and SEARCH.md beside this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { ROOT, arg, DATA, CLI, newestSupernet } = require('./common.cjs');
const SEEDS = Number(arg('--seeds', 5));
const FIRST = Number(arg('--first-seed', 0));
const MERGE = process.argv.includes('--merge'); // keep the runs of search.results.json for other seeds
const EPOCHS = Number(arg('--epochs', 200));
const EVALUATIONS = Number(arg('--evaluations', 100));
const CHANNELS = Number(arg('--channels', 8));
const PER_STAGE = Number(arg('--cells-per-stage', 1));
const SUPERNETS = arg('--supernets', undefined);
const METHODS = arg('--methods', 'one-shot,few-shot,rlnas').split(',');
const VALIDATION = arg('--validation-size', '500');
const { mean, sampleStd } = require(path.join(ROOT, 'libs', 'stats', 'dist', 'index.js'));
const hasEvolution = fs.existsSync(path.join(ROOT, 'plugins', 'searcher-evolution', 'dist', 'index.js'));

const PAPER = {
  'one-shot': 'SPOS baseline in the RLNAS table: 92.11 (CIFAR-10 test)',
  'few-shot': 'few-shot REA ≈ 94.37, read from the authors’ plot',
  rlnas: 'RLNAS: 93.45 (CIFAR-10 test)',
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-supernet-search-'));
const runs = [];
if (MERGE && fs.existsSync(path.join(__dirname, 'search.results.json'))) {
  const previous = JSON.parse(fs.readFileSync(path.join(__dirname, 'search.results.json'), 'utf8')).runs;
  runs.push(...previous.filter((r) => r.seed < FIRST || r.seed >= FIRST + SEEDS || !METHODS.includes(r.method)));
}
for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
  for (const method of METHODS) {
    const metric = method === 'rlnas' ? 'angle' : 'supernet_acc';
    const options = { macro: { channels: CHANNELS, cellsPerStage: PER_STAGE } };
    if (method === 'few-shot') Object.assign(options, { epochs: EPOCHS / 2, split: { epochs: EPOCHS / 10 } });
    else options.epochs = EPOCHS;
    const cached = SUPERNETS && path.join(SUPERNETS, `${method}-${seed}.json`);
    if (cached && fs.existsSync(cached)) options.load = fs.readFileSync(cached, 'utf8').trim();
    // RLNAS: its own evolutionary search, the paper's 20 generations of 100 (an angle costs no
    // evaluation pass); one-shot and few-shot: REA over EVALUATIONS path evaluations.
    const searcher =
      method === 'rlnas' && hasEvolution ? { use: 'evolution', options: {} } : { use: 'regularized-evolution', options: { population: 20, sampleSize: 5 } };
    const evaluations = searcher.use === 'evolution' ? 2000 : EVALUATIONS;
    const config = {
      name: `supernet-search-${method}`,
      seed,
      space: 'nb201',
      task: { use: 'cifar10', options: { validationSize: Number(VALIDATION) } },
      estimator: { use: method, options },
      estimators: { table: { use: 'tabular', options: { dataset: 'cifar10', metric: 'test_acc', epochs: 200, report: [] } } },
      report: ['table'],
      searcher,
      objective: metric,
      budget: { evaluations },
    };
    const file = path.join(work, `${method}-${seed}.json`);
    fs.writeFileSync(file, JSON.stringify(config));
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [CLI, 'run', file, '--data-dir', DATA, '--runs-dir', path.join(work, 'runs'), '--json', '-q'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const seconds = (Date.now() - t0) / 1000;
    if (r.status !== 0) {
      console.error(`search bench: ${method} seed ${seed} failed:\n${r.stderr}`);
      process.exit(1);
    }
    if (cached && !options.load) {
      // Keep the supernet this run trained, for a later run of the same seed.
      const found = newestSupernet(path.join(work, 'runs'), method);
      if (found) fs.writeFileSync(cached, `${found}\n`);
    }
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const best = events.filter((e) => e.type === 'new-best').at(-1);
    const evaluated = events.filter((e) => e.type === 'evaluated');
    const picked = evaluated.find((e) => e.trial === best.trial);
    const trueAcc = picked.estimate.metrics['test_acc@200'];
    const bestTrue = Math.max(...evaluated.map((e) => e.estimate.metrics['test_acc@200']));
    runs.push({
      method,
      seed,
      searcher: searcher.use,
      budget: evaluations,
      loaded: Boolean(options.load),
      evaluations: evaluated.length,
      seconds,
      picked: picked.arch.key,
      estimate: picked.estimate.metrics[metric],
      testAcc: trueAcc,
      bestSeenTestAcc: bestTrue,
    });
    console.error(`${method} seed ${seed}: picked cell test acc ${trueAcc.toFixed(2)} (best evaluated ${bestTrue.toFixed(2)}), ${seconds.toFixed(0)} s`);
  }
}

const summary = [...new Set(runs.map((r) => r.method))].map((method) => {
  const r = runs.filter((x) => x.method === method);
  const acc = r.map((x) => x.testAcc);
  const budgets = [...new Set(r.map((x) => `${x.searcher}, ${x.budget ?? EVALUATIONS} evaluations`))];
  return { method, searcher: budgets.join('; '), mean: mean(acc), std: acc.length > 1 ? sampleStd(acc) : 0, paper: PAPER[method] };
});
const results = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0].model}`,
  schedule: {
    macro: { channels: CHANNELS, cellsPerStage: PER_STAGE },
    epochs: EPOCHS,
    fewShot: `${EPOCHS / 2} one-shot epochs + 5 × ${EPOCHS / 10}`,
    task: `CIFAR-10 task, validationSize ${VALIDATION}`,
    evaluations: EVALUATIONS,
  },
  runs,
  summary,
};
fs.writeFileSync(path.join(__dirname, 'search.results.json'), `${JSON.stringify(results, null, 2)}\n`);
const lines = [
  '# Weight-sharing search on NAS-Bench-201: true accuracy of the picked cell',
  '',
  `${new Set(runs.map((r) => r.seed)).size} seeds (${runs.filter((r) => r.loaded).length} of ${runs.length} searches loaded the supernet supernet.bench.cjs trained for that seed; the others trained their own in prepare()), ${results.machine}. Made by \`node tools/bench/supernet/search.bench.cjs\`.`,
  '',
  '| estimator | searcher, budget | CIFAR-10 test acc of the picked cell (mean ± sd) | per seed | paper |',
  '|---|---|---|---|---|',
  ...summary.map(
    (x) =>
      `| ${x.method} | ${x.searcher} | ${x.mean.toFixed(2)} ± ${x.std.toFixed(2)} | ${runs
        .filter((r) => r.method === x.method)
        .sort((a, b) => a.seed - b.seed)
        .map((r) => r.testAcc.toFixed(2))
        .join(', ')} | ${x.paper} |`,
  ),
  '',
  `Schedule: NB201 supernet with ${CHANNELS} channels and ${PER_STAGE} cell(s) per stage; one-shot and RLNAS ${EPOCHS} epochs, few-shot ${EPOCHS / 2} + 5 × ${EPOCHS / 10}; the CIFAR-10 task with ${VALIDATION} validation images (on the CIFAR-10 sample: ${2000 - Number(VALIDATION)} training images). The papers: 16 channels × 5 cells, 250–600 epochs on 25,000–50,000 images.`,
  '',
];
fs.writeFileSync(path.join(__dirname, 'SEARCH.md'), lines.join('\n'));
console.error(lines.join('\n'));
