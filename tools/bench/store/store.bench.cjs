#!/usr/bin/env node
// Benchmark of the experiment store (@nasx/store; the BUILT workspace: npm run build).
//   node tools/bench/store/store.bench.cjs
// Makes two 5,000-evaluation runs with `nasx run` on the synthetic example (no data needed):
// random search (few repeated architectures) and regularized evolution (which converges and
// proposes its population's cells again and again: ~140 cached answers per evaluation). For each:
//   1. full ingestion: the journal read into a new store (median of 3), lines/s (target ≥ 20,000);
//   2. incremental sync of the journal's last 3,000 lines, 100 at a time, into a store that has
//      the rest (median and mean of 30), lines/s and ms: in a process that keeps the store open (a
//      live view); and the last 100 as a new process's open + sync + close (a CLI call; median of 10);
//   3. a sync that finds nothing new (what a live view's poll costs), and the queries the CLI and
//      the web view make: listRuns, run, the top 10 trials by value, a page of trials, the
//      trajectory, compare, events; database size against the journal's.
// Writes results.json + RESULTS.md next to this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const storeDist = path.join(ROOT, 'libs', 'store', 'dist', 'index.js');
const cli = path.join(ROOT, 'apps', 'cli', 'bin', 'nasx.js');
if (!fs.existsSync(storeDist)) {
  console.error('store bench: build first (npm run build)');
  process.exit(2);
}
const { ExperimentStore } = require(storeDist);

const EVALUATIONS = 5000;
const TAIL = 100;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Median ms of `f` over `n` runs (after one warm-up). */
function time(n, f) {
  f();
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    f();
    ms.push(now() - t0);
  }
  return median(ms);
}

function makeRun(tmp, label, searcher) {
  const runsDir = path.join(tmp, `${label}-runs`);
  const args = [cli, 'run', path.join(ROOT, 'examples', 'synthetic.yaml'), '--runs-dir', runsDir, '--set', `budget.evaluations=${EVALUATIONS}`, '--quiet'];
  if (searcher) args.push('--set', `searcher=${searcher}`);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nasx run failed: ${r.stderr}`);
  const id = fs.readdirSync(runsDir)[0];
  return { runsDir, id, journal: fs.readFileSync(path.join(runsDir, id, 'events.ndjson')) };
}

/** A runs directory holding one run whose journal is `bytes`. */
function runsDirWith(tmp, name, source, bytes) {
  const dir = path.join(tmp, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, source.id), { recursive: true });
  fs.copyFileSync(path.join(source.runsDir, source.id, 'config.json'), path.join(dir, source.id, 'config.json'));
  fs.writeFileSync(path.join(dir, source.id, 'events.ndjson'), bytes);
  return dir;
}

function bench(tmp, label, searcher) {
  console.error(`store bench: ${label}: a ${EVALUATIONS}-evaluation run…`);
  const run = makeRun(tmp, label, searcher);
  const text = run.journal.toString('utf8');
  const lines = text.trimEnd().split('\n').length;

  // 1. Full ingestion into a new store.
  const full = [];
  let dbBytes = 0;
  for (let i = 0; i < 3; i++) {
    const dir = runsDirWith(tmp, `${label}-full`, run, run.journal);
    const store = ExperimentStore.open(dir);
    const t0 = now();
    const r = store.sync();
    full.push(now() - t0);
    if (r.lines !== lines) throw new Error(`ingested ${r.lines} lines of ${lines}`);
    store.close();
    dbBytes = fs.statSync(path.join(dir, 'nasx.db')).size;
  }

  // 2. The last lines, 100 at a time, into a store that has the rest: (a) in one process that keeps
  // the store open, as a live view follows a running search; (b) each in a new process's
  // open + sync + close, as a CLI call does (the store made once and copied back before each).
  const starts = [0];
  for (let i = run.journal.indexOf(10); i >= 0; i = run.journal.indexOf(10, i + 1)) starts.push(i + 1);
  const offsetOf = (n) => starts[n];
  const STEPS = 30;
  const first = offsetOf(lines - STEPS * TAIL);
  const dir = runsDirWith(tmp, `${label}-incremental`, run, run.journal.subarray(0, first));
  const journal = path.join(dir, run.id, 'events.ndjson');
  const live = [];
  const store0 = ExperimentStore.open(dir);
  store0.sync();
  for (let k = 0; k < STEPS; k++) {
    fs.appendFileSync(journal, run.journal.subarray(offsetOf(lines - (STEPS - k) * TAIL), offsetOf(lines - (STEPS - 1 - k) * TAIL)));
    const t0 = now();
    const r = store0.sync();
    live.push(now() - t0);
    if (r.lines !== TAIL) throw new Error(`synced ${r.lines} lines, not ${TAIL}`);
  }
  store0.close();
  const cut = offsetOf(lines - TAIL);
  fs.truncateSync(journal, cut);
  const base = ExperimentStore.open(dir);
  base.rebuild();
  base.close();
  fs.copyFileSync(path.join(dir, 'nasx.db'), path.join(tmp, `${label}-base.db`));
  const cliCall = [];
  for (let i = 0; i < 10; i++) {
    fs.truncateSync(journal, cut);
    fs.copyFileSync(path.join(tmp, `${label}-base.db`), path.join(dir, 'nasx.db'));
    fs.appendFileSync(journal, run.journal.subarray(cut));
    const t0 = now();
    const store = ExperimentStore.open(dir);
    const r = store.sync();
    store.close();
    cliCall.push(now() - t0);
    if (r.lines !== TAIL) throw new Error(`synced ${r.lines} lines, not ${TAIL}`);
  }

  // 3. A sync with nothing new, and the queries (on the store of step 2, now complete).
  const store = ExperimentStore.open(dir);
  store.sync();
  const trials = store.run(run.id).evaluations + store.run(run.id).cached + store.run(run.id).failures;
  const queries = {
    'sync, nothing new': time(50, () => store.sync()),
    listRuns: time(50, () => store.listRuns()),
    run: time(50, () => store.run(run.id)),
    'trials: top 10 by value': time(20, () => store.trials(run.id, { sort: 'value', order: 'desc', limit: 10 })),
    'trials: a page of 50 in the middle': time(20, () => store.trials(run.id, { offset: Math.floor(trials / 2), limit: 50 })),
    'trials: the last 100 (afterSeq)': time(20, () => store.trials(run.id, { afterSeq: store.run(run.id).lastSeq - 2 * TAIL })),
    trajectory: time(20, () => store.trajectory(run.id)),
    'compare (the run with itself)': time(20, () => store.compare([run.id, run.id])),
    events: time(20, () => store.events(run.id)),
  };
  store.close();
  const fullMs = median(full);
  const incMs = median(live);
  return {
    label,
    searcher: searcher ?? 'regularized-evolution',
    evaluations: EVALUATIONS,
    trials,
    journalLines: lines,
    journalMiB: +(run.journal.length / 2 ** 20).toFixed(1),
    databaseMiB: +(dbBytes / 2 ** 20).toFixed(1),
    full: { ms: +fullMs.toFixed(1), linesPerSecond: Math.round((lines / fullMs) * 1000) },
    incremental: {
      lines: TAIL,
      ms: +incMs.toFixed(2),
      meanMs: +(live.reduce((a, b) => a + b, 0) / live.length).toFixed(2),
      linesPerSecond: Math.round((TAIL / incMs) * 1000),
    },
    incrementalInNewProcess: { lines: TAIL, ms: +median(cliCall).toFixed(1) },
    queriesMs: Object.fromEntries(Object.entries(queries).map(([k, v]) => [k, +v.toFixed(2)])),
  };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-store-bench-'));
try {
  const results = [bench(tmp, 'random', 'random'), bench(tmp, 'rea')];
  const out = { date: new Date().toISOString().slice(0, 10), machine: machineInfo(), targetLinesPerSecond: 20000, results };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  const m = out.machine;
  const row = (r) =>
    `| ${r.searcher} | ${r.evaluations.toLocaleString('en-US')} | ${r.trials.toLocaleString('en-US')} | ${r.journalLines.toLocaleString('en-US')} (${r.journalMiB} MiB) | ${r.databaseMiB} MiB | ${r.full.linesPerSecond.toLocaleString('en-US')} (${r.full.ms} ms) | ${r.incremental.linesPerSecond.toLocaleString('en-US')} (${r.incremental.ms} ms; mean ${r.incremental.meanMs} ms) | ${r.incrementalInNewProcess.ms} ms | ${r.full.linesPerSecond >= out.targetLinesPerSecond && r.incremental.linesPerSecond >= out.targetLinesPerSecond ? 'yes' : 'no'} |`;
  const names = Object.keys(results[0].queriesMs);
  const md = [
    '# Experiment store benchmark',
    '',
    `\`node tools/bench/store/store.bench.cjs\` (built workspace, ${out.date}).`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.platform}, Node ${m.node} (load ${m.loadAverage1m}).`,
    '',
    `Two ${EVALUATIONS.toLocaleString('en-US')}-evaluation runs of \`examples/synthetic.yaml\` (NB201 space, synthetic objective): random search, and regularized evolution, which converges and proposes its population's cells again and again (cached answers: journal lines that the store indexes as trials too).`,
    '',
    '## Ingestion, journal lines per second (target ≥ 20,000)',
    '',
    `Full: the whole journal into a new store (one transaction; median of 3). Incremental: the journal's last 3,000 lines, ${TAIL} at a time, into a store that has the rest (median of 30; the mean includes the WAL checkpoints SQLite makes every ~1,000 pages written, each with two fsyncs), in a process that keeps the store open, as a live view follows a running search. New process: the same ${TAIL} lines as a CLI call (\`nasx runs\`) syncs them: open, sync, close; SQLite syncs the write-ahead log to disk at the first commit and at the checkpoint when the store is closed, two fsyncs that take most of that time on this machine's virtual disk.`,
    '',
    '| searcher | evaluations | trials | journal lines | database | full ingestion | incremental, 100 lines (median) | new process: open, 100 lines, close | pass |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(row),
    '',
    '## Queries, ms (median)',
    '',
    `| query | ${results.map((r) => r.searcher).join(' | ')} |`,
    `|---|${results.map(() => '---').join('|')}|`,
    ...names.map((n) => `| ${n} | ${results.map((r) => r.queriesMs[n]).join(' | ')} |`),
    '',
    'A page in the middle is an OFFSET, which SQLite walks row by row (the REA run: its 366,000th trial); a view that follows a run pages by `afterSeq` (the last seq it holds), which is an index lookup.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
  console.log(md);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
