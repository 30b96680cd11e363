#!/usr/bin/env node
// Weight-sharing estimators on NAS-Bench-201 against the truth: Kendall τ-b (and Spearman ρ) of
// one-shot, few-shot and RLNAS-angle estimates of the same cells with NB201's 200-epoch CIFAR-10
// test accuracy, each from our own CPU-sized supernet, trained and evaluated by the product path
// (`nasx score --estimator <id> --task cifar10`, the BUILT workspace: node tools/scripts/build.cjs).
//
//   node tools/bench/supernet/supernet.bench.cjs [--seeds 3] [--cells 1000] [--epochs 40]
//        [--channels 8] [--cells-per-stage 1] [--workers 2] [--methods one-shot,few-shot,rlnas]
//        [--validation-size 500] [--augment] [--split-lr 0.005] [--split-epochs 4] [--first-seed 0]
//        [--calibration-batches 2] [--limit <n>] [--keep <dir>] [--append]
//
// --append: add this run's seeds to the results.json already in --out instead of replacing it; the
// schedule must be the one that file was made with (else the bench refuses and names the field),
// a method and seed already there is replaced, and the summary is recomputed over every run.
// --report rewrites RESULTS.md from results.json and brings the file's summary up to date with its
// runs (runs added by hand, or an older bench that did not recompute it).
// --keep: write <dir>/<method>-<seed>.json holding the path of each trained supernet's
// supernet.json (kept in a temporary folder), for search.bench.cjs --supernets <dir>.
// --limit: use only the first n training images of the data (the task's limit), e.g. 20,000 of
// the full 50,000 for a CPU-sized schedule; the validation images are held out of those n.
// --calibration-batches: training batches of 250 that recalibrate a path's batch norm before it is
// evaluated (the estimators' calibrationBatches; 0: each validation batch's own statistics).
// Same total training budget: one-shot and RLNAS train `epochs`; few-shot trains the one-shot
// supernet for epochs/2, then each of its 5 sub-supernets (split on edge 0) for epochs/10, so
// epochs/2 + 5 × epochs/10 = epochs; --split-epochs s moves the split: epochs − 5s one-shot epochs,
// then 5 × s. Data: NASX_DATA, else the shared/data folder beside the
// repository (cifar10-sample/ or CIFAR-10 in the official binary layout, e.g. from
// convnetjs-cifar10.cjs, and nas-bench-201/). Writes results.json and
// RESULTS.md into --out (default: beside this script), with RESULTS.notes.md of that folder appended
// to the report when present.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { ROOT, arg, DATA, CLI, newestSupernet, builtStats, csv, nb201Truth, sampleCells, writeMarkdown, outFolder } = require('./common.cjs');
const SEEDS = Number(arg('--seeds', 3));
const FIRST_SEED = Number(arg('--first-seed', 0));
const CELLS = Number(arg('--cells', 1000));
const EPOCHS = Number(arg('--epochs', 40));
const CHANNELS = Number(arg('--channels', 8));
const PER_STAGE = Number(arg('--cells-per-stage', 1));
const WORKERS = Number(arg('--workers', 2));
const METHODS = arg('--methods', 'one-shot,few-shot,rlnas').split(',');
const OUT = arg('--out', __dirname);
const REPORT = process.argv.includes('--report'); // rewrite RESULTS.md from results.json only
const APPEND = process.argv.includes('--append');
if (REPORT && APPEND) {
  console.error('supernet bench: --report measures nothing, so there is nothing to --append; give one of them');
  process.exit(2);
}
outFolder('supernet bench', OUT, REPORT);
const KEEP = arg('--keep', undefined);
const VALIDATION = Number(arg('--validation-size', 500));
const AUGMENT = process.argv.includes('--augment');
const LIMIT_ARG = arg('--limit', undefined);
const LIMIT = LIMIT_ARG === undefined ? undefined : Number(LIMIT_ARG);
if (LIMIT !== undefined && (!Number.isInteger(LIMIT) || LIMIT <= VALIDATION)) {
  console.error('supernet bench: --limit takes a whole number of training images above --validation-size');
  process.exit(2);
}
const SPLIT_LR = arg('--split-lr', undefined);
const CALIBRATION = Number(arg('--calibration-batches', 2));
if (!Number.isInteger(CALIBRATION) || CALIBRATION < 0) {
  console.error('supernet bench: --calibration-batches takes a whole number ≥ 0 (0: validation batch statistics)');
  process.exit(2);
}
const SPLIT_EPOCHS = Number(arg('--split-epochs', EPOCHS / 10));
if (!Number.isInteger(SPLIT_EPOCHS) || SPLIT_EPOCHS < 1 || 5 * SPLIT_EPOCHS >= EPOCHS) {
  console.error(
    'supernet bench: few-shot trains epochs − 5 × split-epochs one-shot epochs, then 5 × split-epochs: ' +
      'give --split-epochs a whole number ≥ 1 below epochs/5 (default epochs/10)',
  );
  process.exit(2);
}

if (!REPORT && !fs.existsSync(path.join(DATA, 'nas-bench-201'))) {
  console.error(`supernet bench: no nas-bench-201/ under ${DATA}; set NASX_DATA`);
  process.exit(2);
}
const { kendallTau, spearman, mean, sampleStd } = builtStats('supernet bench');

// The truth and a fixed sample of cells (seeded, the same for every method and seed); --report needs neither.
const truth = REPORT ? new Map() : nb201Truth();
const cells = sampleCells(truth, CELLS);
// The working folder (the cells, each run's folder and estimates); --report measures nothing and needs none.
const work = REPORT ? '' : fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-supernet-bench-'));
const cellFile = path.join(work, 'cells.txt');
if (!REPORT) fs.writeFileSync(cellFile, `${cells.join('\n')}\n`);

const METRIC = { 'one-shot': 'supernet_acc', 'few-shot': 'supernet_acc', rlnas: 'angle' };
function settings(method) {
  const macro = [
    `estimator.options.macro.channels=${CHANNELS}`,
    `estimator.options.macro.cellsPerStage=${PER_STAGE}`,
    `task.options.validationSize=${VALIDATION}`,
    `task.options.augment=${AUGMENT}`,
    ...(LIMIT !== undefined ? [`task.options.limit=${LIMIT}`] : []),
    ...(method === 'rlnas' ? [] : [`estimator.options.calibrationBatches=${CALIBRATION}`]),
  ];
  if (method === 'few-shot')
    return [
      ...macro,
      `estimator.options.epochs=${EPOCHS - 5 * SPLIT_EPOCHS}`,
      `estimator.options.split.epochs=${SPLIT_EPOCHS}`,
      ...(SPLIT_LR !== undefined ? [`estimator.options.split.lr=${SPLIT_LR}`] : []),
    ];
  return [...macro, `estimator.options.epochs=${EPOCHS}`];
}

const schedule = REPORT
  ? undefined
  : {
      data:
        dataLine() + (AUGMENT ? '; training batches augmented as NB201 does (random horizontal flip, random 32×32 crop of the image padded by 4 pixels)' : ''),
      ...(LIMIT !== undefined ? { limit: LIMIT } : {}),
      macro: { channels: CHANNELS, cellsPerStage: PER_STAGE },
      epochs: EPOCHS,
      fewShot: {
        oneShotEpochs: EPOCHS - 5 * SPLIT_EPOCHS,
        subSupernets: 5,
        epochsEach: SPLIT_EPOCHS,
        splitEdge: 0,
        ...(SPLIT_LR !== undefined ? { splitLr: Number(SPLIT_LR) } : {}),
      },
      batchSize: 64,
      lr: '0.025 cosine to 0.001, SGD Nesterov 0.9, weight decay 5e-4',
      evaluation: `one-shot / few-shot: top-1 on the ${VALIDATION} validation images ${CALIBRATION > 0 ? `after BN recalibration on ${CALIBRATION} training batch(es) of 250` : 'with each validation batch’s own BN statistics'}; rlnas: angle (no evaluation)`,
      cells: CELLS,
      truth: 'NB201 CIFAR-10 200-epoch test accuracy (NATS)',
      options: { augment: AUGMENT, validationSize: VALIDATION, calibrationBatches: CALIBRATION, ...(LIMIT !== undefined ? { limit: LIMIT } : {}) },
    };

// --append checks the schedule before anything trains: hours of runs must not end in a refusal.
if (APPEND) {
  const file = path.join(OUT, 'results.json');
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    const differs = scheduleDifference(comparable(saved.schedule), comparable(schedule));
    if (differs !== undefined) {
      console.error(
        `supernet bench: --append adds runs to ${file}, whose schedule differs from this run's at "${differs}" ` +
          `(${JSON.stringify(at(comparable(saved.schedule), differs))} there, ${JSON.stringify(at(comparable(schedule), differs))} here); give the options that file was made with, or another --out`,
      );
      process.exit(2);
    }
  }
}

const runs = [];
for (let seed = FIRST_SEED; seed < (REPORT ? 0 : FIRST_SEED + SEEDS); seed++) {
  for (const method of METHODS) {
    const out = path.join(work, `${method}-${seed}.csv`);
    const args = [
      CLI,
      'score',
      '--estimator',
      method,
      '--task',
      'cifar10',
      '--archs',
      cellFile,
      '-o',
      out,
      '--seed',
      String(seed),
      '--data-dir',
      DATA,
      '--workers',
      String(WORKERS),
      '--runs-dir',
      path.join(work, 'runs'),
      '-q',
    ];
    for (const kv of settings(method)) args.push('--set', kv);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const seconds = (Date.now() - t0) / 1000;
    if (r.status !== 0) {
      console.error(`supernet bench: ${method} seed ${seed} failed:\n${r.stderr}`);
      process.exit(1);
    }
    if (KEEP) {
      fs.mkdirSync(KEEP, { recursive: true });
      fs.writeFileSync(path.join(KEEP, `${method}-${seed}.json`), `${newestSupernet(path.join(work, 'runs'), method)}\n`);
    }
    const rows = csv(out);
    const est = rows.map((row) => Number(row[METRIC[method]]));
    const tru = rows.map((row) => truth.get(row.arch));
    const run = { method, seed, cells: rows.length, seconds, tau: kendallTau(est, tru), rho: spearman(est, tru) };
    if (method !== 'rlnas')
      run.tauLoss = kendallTau(
        rows.map((row) => -Number(row.supernet_loss)),
        tru,
      );
    runs.push(run);
    console.error(
      `${method} seed ${seed}: τ ${run.tau.toFixed(3)}${run.tauLoss !== undefined ? ` (by loss ${run.tauLoss.toFixed(3)})` : ''}, ρ ${run.rho.toFixed(3)} over ${run.cells} cells (${seconds.toFixed(0)} s)`,
    );
  }
}

/** What the cifar10 task reads from DATA, found by the task's own locator (the built package). */
function dataLine() {
  const { layout, train } = require(path.join(ROOT, 'plugins', 'task-cifar10', 'dist', 'index.js')).locateCifar10(DATA);
  const used = Math.min(train.count, LIMIT ?? train.count);
  const n = (x) => x.toLocaleString('en-US');
  const split = `the task trains on ${n(used - VALIDATION)} and validates on ${n(VALIDATION)}`;
  const limited = used < train.count ? `, of which the first ${n(used)} are used (--limit): ` : ': ';
  if (layout === 'sample') return `CIFAR-10 sample: ${n(train.count)} training images${limited}${split}`;
  if (train.count === 50000) return `CIFAR-10 in the official binary layout, all 50,000 training images${limited}${split}`;
  return `CIFAR-10 in the official binary layout with ${n(train.count)} of the 50,000 training images${limited}${split}`;
}

/** The methods of `runs` in the bench's order (one-shot, few-shot, rlnas), then any other. */
function methodsOf(runs) {
  const present = new Set(runs.map((r) => r.method));
  return [...Object.keys(METRIC).filter((m) => present.has(m)), ...[...present].filter((m) => !(m in METRIC))];
}

/** `saved` with `added` in: a run of the same method and seed is replaced; sorted by seed, then method. */
function mergeRuns(saved, added) {
  const key = (r) => `${r.method}\u0000${r.seed}`;
  const byKey = new Map(saved.map((r) => [key(r), r]));
  for (const r of added) byKey.set(key(r), r);
  const order = methodsOf([...byKey.values()]);
  return [...byKey.values()].sort((a, b) => a.seed - b.seed || order.indexOf(a.method) - order.indexOf(b.method));
}

/** The first field where two schedules differ (a dotted path), or undefined when they are the same. */
function scheduleDifference(a, b, at = '') {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return JSON.stringify(a) === JSON.stringify(b) ? undefined : at || '(root)';
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = scheduleDifference(a[k], b[k], at ? `${at}.${k}` : k);
    if (d !== undefined) return d;
  }
  return undefined;
}

/**
 * A schedule as --append compares it: its measured settings, without the `data` and `evaluation`
 * prose, whose wording changes between versions of the bench. A file from before the bench recorded
 * `options` has them read back from that prose (augmentation, validation images, calibration batches).
 */
function comparable(schedule) {
  const { data, evaluation, options, ...rest } = schedule;
  if (options) return { ...rest, options };
  const validation = /top-1 on the (\d+) validation/.exec(evaluation ?? '');
  const calibration = /on (\d+) training batch/.exec(evaluation ?? '');
  return {
    ...rest,
    options: {
      augment: /augmented/.test(data ?? ''),
      validationSize: validation ? Number(validation[1]) : undefined,
      calibrationBatches: calibration ? Number(calibration[1]) : 0,
      ...(rest.limit !== undefined ? { limit: rest.limit } : {}),
    },
  };
}

/** The value at a dotted path of `scheduleDifference` (undefined where the path is absent). */
function at(object, dotted) {
  return dotted === '(root)' ? object : dotted.split('.').reduce((o, k) => (o === null || typeof o !== 'object' ? undefined : o[k]), object);
}

function summarise(runs, methods) {
  return methods.map((method) => {
    const r = runs.filter((x) => x.method === method);
    const byLoss = r.filter((x) => x.tauLoss !== undefined).map((x) => x.tauLoss);
    return {
      method,
      metric: METRIC[method],
      tauMean: mean(r.map((x) => x.tau)),
      tauStd: r.length > 1 ? sampleStd(r.map((x) => x.tau)) : 0,
      tauLossMean: byLoss.length ? mean(byLoss) : undefined,
      rhoMean: mean(r.map((x) => x.rho)),
      secondsMean: mean(r.map((x) => x.seconds)),
    };
  });
}

function writeReport(results) {
  const { runs, summary, schedule } = results;
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const fewBeatsOne = seeds.filter((seed) => {
    const f = runs.find((x) => x.method === 'few-shot' && x.seed === seed);
    const o = runs.find((x) => x.method === 'one-shot' && x.seed === seed);
    return f && o && f.tau > o.tau;
  }).length;
  const paired = seeds.filter(
    (seed) => runs.some((x) => x.method === 'few-shot' && x.seed === seed) && runs.some((x) => x.method === 'one-shot' && x.seed === seed),
  );
  const fewBeatsOneByLoss = paired.filter((seed) => {
    const f = runs.find((x) => x.method === 'few-shot' && x.seed === seed);
    const o = runs.find((x) => x.method === 'one-shot' && x.seed === seed);
    return f.tauLoss > o.tauLoss;
  }).length;
  const perSeed = (method, key) =>
    runs
      .filter((r) => r.method === method)
      .map((r) => r[key].toFixed(3))
      .join(', ');
  const lines = [
    '# Weight-sharing estimators on NAS-Bench-201: rank correlation with the truth',
    '',
    `${schedule.cells} NB201 cells (a fixed random sample), seeds ${seeds.join(', ')}, ${results.machine}, ${results.date.slice(0, 10)}. Made by \`node tools/bench/supernet/supernet.bench.cjs\` (each supernet trained and every cell estimated through \`nasx score\`).`,
    '',
    '| estimator | ranked by | Kendall τ (mean ± sd) | per seed | Spearman ρ (mean) | τ when ranked by −loss (per seed) | seconds per run |',
    '|---|---|---|---|---|---|---|',
    ...summary.map(
      (x) =>
        `| ${x.method} | ${x.metric} | ${x.tauMean.toFixed(3)} ± ${x.tauStd.toFixed(3)} | ${perSeed(x.method, 'tau')} | ${x.rhoMean.toFixed(3)} | ${x.tauLossMean === undefined ? '—' : perSeed(x.method, 'tauLoss')} | ${x.secondsMean.toFixed(0)} |`,
    ),
    '',
    ...(results.appended?.length
      ? [
          `Runs added with \`--append\` (the same schedule, checked): ${results.appended.map((a) => `${a.runs.join(', ')} on ${a.date.slice(0, 10)}`).join('; ')}.`,
          '',
        ]
      : []),
    ...(paired.length > 0
      ? [`Few-shot τ above one-shot τ in ${fewBeatsOne} of ${paired.length} seeds; ranked by −loss, in ${fewBeatsOneByLoss} of ${paired.length}.`, '']
      : []),
    '## Schedule',
    '',
    `- Data: ${schedule.data}.`,
    `- Supernet: NB201 skeleton with ${schedule.macro.channels} channels and ${schedule.macro.cellsPerStage} cell(s) per stage (the papers: 16 and 5).`,
    `- One-shot and RLNAS: ${schedule.epochs} epochs. Few-shot: ${schedule.fewShot.oneShotEpochs} one-shot epochs, then 5 sub-supernets (edge 0 split by its op) of ${schedule.fewShot.epochsEach} epochs each: the same ${schedule.epochs} epochs in total.`,
    `- SGD: ${schedule.lr}; batch ${schedule.batchSize}; one uniformly sampled path per step.`,
    `- Evaluation: ${schedule.evaluation}.`,
    `- Truth: ${schedule.truth}.`,
    '',
  ];
  writeMarkdown(OUT, 'RESULTS', lines);
}

if (REPORT) {
  const file = path.join(OUT, 'results.json');
  if (!fs.existsSync(file)) {
    console.error(`supernet bench: --report reads ${file}, which does not exist; run the bench with --out ${OUT} first`);
    process.exit(2);
  }
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  const results = { ...saved, summary: summarise(saved.runs, methodsOf(saved.runs)) };
  if (JSON.stringify(results.summary) !== JSON.stringify(saved.summary)) {
    fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    console.error(`supernet bench: the summary in ${file} did not match its runs; recomputed over ${saved.runs.length} runs`);
  }
  writeReport(results);
} else {
  const machine = `${os.cpus().length} × ${os.cpus()[0].model}`;
  const file = path.join(OUT, 'results.json');
  let results = { date: new Date().toISOString(), machine, schedule, runs, summary: summarise(runs, METHODS) };
  if (APPEND && fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    const merged = mergeRuns(saved.runs, runs);
    results = {
      ...saved,
      machine: saved.machine === machine ? machine : `${saved.machine}; appended runs on ${machine}`,
      runs: merged,
      summary: summarise(merged, methodsOf(merged)),
    };
    results.appended = [...(saved.appended ?? []), { date: new Date().toISOString(), runs: runs.map((r) => `${r.method} seed ${r.seed}`) }];
  }
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeReport(results);
}
