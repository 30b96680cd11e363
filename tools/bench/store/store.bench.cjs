#!/usr/bin/env node
// The experiment store's speed: a run of many evaluations (synthetic NB201, regularised evolution,
// dedup off, through the built CLI) ingested from its journal into a new store, then an
// incremental sync of its last lines (the journal cut short, then completed), and the queries the
// web view makes.
//
//   node tools/bench/store/store.bench.cjs [--evaluations 20000]
//
// Writes results.json and RESULTS.md beside this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'apps', 'cli', 'bin', 'nasx.js');
const i = process.argv.indexOf('--evaluations');
const EVALUATIONS = i > 0 ? Number(process.argv[i + 1]) : 20000;
const store = path.join(ROOT, 'libs', 'store', 'dist', 'index.js');
if (!fs.existsSync(store)) {
  console.error('store bench: build first (node tools/scripts/build.cjs)');
  process.exit(2);
}
const { ExperimentStore } = require(store);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-store-bench-'));
const config = path.join(work, 'big.yaml');
fs.writeFileSync(
  config,
  ['name: big', 'seed: 0', 'space: nb201', 'estimator: synthetic', 'searcher: { use: regularized-evolution, options: { population: 100, sampleSize: 25 } }', 'dedup: false', `budget: { evaluations: ${EVALUATIONS} }`, ''].join('\n'),
);
const runs = path.join(work, 'runs');
const r = spawnSync(process.execPath, [CLI, 'run', config, '--runs-dir', runs, '-q'], { encoding: 'utf8' });
if (r.status !== 0) throw new Error(r.stderr);
const id = fs.readdirSync(runs)[0];
const journal = path.join(runs, id, 'events.ndjson');
const text = fs.readFileSync(journal, 'utf8');
const lines = text.trimEnd().split('\n');
const ms = (f) => {
  const t0 = process.hrtime.bigint();
  const v = f();
  return [Number(process.hrtime.bigint() - t0) / 1e6, v];
};

// Full ingestion (best of 3, each into a new database).
const full = [];
for (let k = 0; k < 3; k++) {
  fs.rmSync(path.join(runs, 'nasx.db'), { force: true });
  for (const s of ['-wal', '-shm']) fs.rmSync(path.join(runs, `nasx.db${s}`), { force: true });
  const s = ExperimentStore.open(runs);
  const [t, rep] = ms(() => s.sync());
  full.push({ ms: t, lines: rep.lines });
  s.close();
}
// Incremental: the journal without its last 100 lines, synced; then the rest, timed.
const head = `${lines.slice(0, -100).join('\n')}\n`;
const incremental = [];
for (let k = 0; k < 5; k++) {
  fs.writeFileSync(journal, head);
  const s = ExperimentStore.open(runs, { file: path.join(work, `inc${k}.db`) });
  s.sync();
  fs.appendFileSync(journal, `${lines.slice(-100).join('\n')}\n`);
  const [t, rep] = ms(() => s.sync());
  incremental.push({ ms: t, lines: rep.lines });
  s.close();
}
const s = ExperimentStore.open(runs);
s.sync();
const queries = {
  listRuns: ms(() => s.listRuns())[0],
  trajectory: ms(() => s.trajectory(id).length)[0],
  top50ByValue: ms(() => s.trials(id, { sort: 'value', order: 'desc', limit: 50 }))[0],
  archFilter: ms(() => s.trials(id, { arch: '333', limit: 500 }))[0],
  compare: ms(() => s.compare([id, id]))[0],
};
const trials = s.run(id).trials;
s.close();
const dbBytes = fs.statSync(path.join(runs, 'nasx.db')).size + (fs.existsSync(path.join(runs, 'nasx.db-wal')) ? fs.statSync(path.join(runs, 'nasx.db-wal')).size : 0);
const best = Math.min(...full.map((f) => f.ms));
const inc = incremental.map((x) => x.ms).sort((a, b) => a - b)[2];
const results = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0].model}`,
  node: process.version,
  evaluations: EVALUATIONS,
  trials,
  journalLines: lines.length,
  journalBytes: Buffer.byteLength(text),
  storeBytes: dbBytes,
  fullIngestMs: full.map((f) => f.ms),
  fullLinesPerSecond: lines.length / (best / 1000),
  incrementalMs: incremental.map((x) => x.ms),
  incrementalLines: incremental[0].lines,
  queriesMs: queries,
};
fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
const md = [
  '# Experiment store: ingesting journals and answering the web view',
  '',
  `\`node tools/bench/store/store.bench.cjs\`, ${results.machine}, Node ${results.node}, ${results.date.slice(0, 10)}. One run of ${EVALUATIONS} evaluations (synthetic NB201 objective, regularised evolution, dedup off): a journal of ${lines.length} lines (${(results.journalBytes / 1e6).toFixed(1)} MB); the store holds it in ${(dbBytes / 1e6).toFixed(1)} MB.`,
  '',
  '| operation | time | rate |',
  '|---|---:|---:|',
  `| full ingestion into a new store (best of 3) | ${best.toFixed(0)} ms | **${Math.round(results.fullLinesPerSecond).toLocaleString('en')} lines/s** |`,
  `| incremental sync of the last ${incremental[0].lines} lines (median of 5) | ${inc.toFixed(1)} ms | ${Math.round(incremental[0].lines / (inc / 1000)).toLocaleString('en')} lines/s |`,
  `| list runs | ${queries.listRuns.toFixed(1)} ms | |`,
  `| trajectory (${trials} points) | ${queries.trajectory.toFixed(1)} ms | |`,
  `| top 50 trials by objective | ${queries.top50ByValue.toFixed(1)} ms | |`,
  `| trials whose architecture contains "333" (≤ 500) | ${queries.archFilter.toFixed(1)} ms | |`,
  `| compare two runs | ${queries.compare.toFixed(1)} ms | |`,
  '',
];
fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md.join('\n'));
console.error(md.join('\n'));
fs.rmSync(work, { recursive: true, force: true });
