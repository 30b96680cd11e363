#!/usr/bin/env node
// The supernets of a same-parent stage evaluated again, on another split or more images: each
// kept supernet (same-parent.bench.cjs --keep: <arm>-<seed>.json naming its supernet.json) is
// loaded as it is (the estimators' `load`, nothing trains) and every cell of the stage estimated
// again through `nasx score` with `evalSplit` (`--eval-split test`: the task's test split, the
// 10,000 CIFAR-10 test images the few-shot NAS authors evaluated their supernets on) and
// `valLimit`. The report puts each seed's τ beside the stage's own (on its validation images),
// by accuracy and by −loss, and the paired few-shot − one-shot-on difference under both: does a
// larger, less noisy evaluation set change the verdict of the acceptance check?
//
//   node tools/bench/supernet/re-evaluate.bench.cjs --results <stage results json>[,<json>...]
//        --keep <dir>[,<dir>...] [--eval-split test|validation] [--val-limit N] [--seeds 0,1]
//        [--workers 2] [--name re-evaluate] [--out <dir>] [--resume]
//   node tools/bench/supernet/re-evaluate.bench.cjs --report [--name re-evaluate] [--out <dir>]
//   node tools/bench/supernet/re-evaluate.bench.cjs --pool <results json>,<results json>... --name <stem> [--out <dir>]
//
// --results and --keep pair by position: a same-parent results file and the --keep folder of the
// run that made it (e.g. seeds 0-2 and seeds 3-5 of one stage). Each supernet is evaluated with the
// stage's own settings (seed, so the same calibration batches; task limit, validation size and
// augmentation, so the same training split; calibration batches) and only the evaluation changed.
// `--eval-split validation` without --val-limit must reproduce the stage's τ exactly; the bench
// checks that it does (a determinism check of load and evaluation) and stops if not. Writes
// <name>.results.json after every seed and <NAME>.md (upper-cased) into --out (default: beside
// this script); <NAME>.notes.md there is appended to the report. --resume keeps the seeds
// <name>.results.json already holds (same settings) and measures the others.
// --pool measures nothing: it joins the seeds of several re-evaluate results files made with the
// same settings (cells, split, image limit, stage settings, parent epochs; other seeds, e.g. stages
// whose supernets were trained in different runs) into <name>.results.json and its report.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const {
  arg,
  builtStats,
  benchCells,
  scoreCells,
  withinSplitTau,
  writeMarkdown,
  outFolder,
  measureOrReport,
  stamp,
  STAGE_SETTINGS,
  differingKeys,
} = require('./common.cjs');

const BENCH = 're-evaluate bench';
const RESULTS = arg('--results', '').split(',').filter(Boolean);
const KEEP = arg('--keep', '').split(',').filter(Boolean);
const EVAL_SPLIT = arg('--eval-split', 'test');
const VAL_LIMIT = arg('--val-limit', undefined);
const SEEDS = arg('--seeds', undefined);
const WORKERS = Number(arg('--workers', 2));
const OUT = arg('--out', __dirname);
const NAME = arg('--name', 're-evaluate');
const REPORT = process.argv.includes('--report');
const RESUME = process.argv.includes('--resume');
const POOL = arg('--pool', '').split(',').filter(Boolean);
const ARMS = { oneShotOn: 'one-shot', fewShot: 'few-shot' };
const SUBS = 5;
outFolder(BENCH, OUT, REPORT);

const fail = (message) => {
  console.error(`${BENCH}: ${message}`);
  process.exit(2);
};
if (!REPORT && !POOL.length) {
  if (!RESULTS.length || RESULTS.length !== KEEP.length)
    fail('give --results <same-parent results json>[,...] and --keep <its --keep folder>[,...], one folder per results file');
  for (const f of [...RESULTS, ...KEEP]) if (!fs.existsSync(f)) fail(`${f} does not exist`);
  if (EVAL_SPLIT !== 'test' && EVAL_SPLIT !== 'validation') fail(`--eval-split takes test or validation, not ${EVAL_SPLIT}`);
  if (VAL_LIMIT !== undefined && !(Number.isInteger(Number(VAL_LIMIT)) && Number(VAL_LIMIT) >= 1)) fail('--val-limit takes a whole number ≥ 1');
  if (!Number.isInteger(WORKERS) || WORKERS < 1) fail('--workers takes a whole number ≥ 1');
}
const { kendallTau, mean, sampleStd } = builtStats(BENCH);

/** The stage results files, read and checked to be same-parent results of one schedule. */
function stages() {
  const parts = RESULTS.map((file, i) => {
    let results;
    try {
      results = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      fail(`cannot read ${file} (${e.message})`);
    }
    if (!Array.isArray(results.runs) || results.parentSchedule === undefined)
      fail(`${file} is not the results of same-parent.bench.cjs (no runs and parentSchedule)`);
    return { file, keep: KEEP[i], results };
  });
  for (const part of parts.slice(1)) {
    const differ = differingKeys(STAGE_SETTINGS, part.results, parts[0].results);
    if (differ.length) fail(`${part.file} was made with other settings than ${parts[0].file} (${differ.join(', ')}); give the results of one stage`);
  }
  return parts;
}

function measure() {
  const parts = stages();
  const stage = parts[0].results;
  const { truth, cells, tru, work, cellFile } = benchCells(stage.cells, 'nasx-re-evaluate-');
  const wanted = SEEDS === undefined ? undefined : new Set(SEEDS.split(',').map(Number));
  const runs = [];
  const results = {
    ...stamp(),
    stages: parts.map((p) => path.relative(OUT, p.file).split(path.sep).join('/')),
    cells: stage.cells,
    evalSplit: EVAL_SPLIT,
    ...(VAL_LIMIT !== undefined ? { valLimit: Number(VAL_LIMIT) } : {}),
    stage: Object.fromEntries(['validation', 'calibrationBatches', 'augment', 'epochs', 'lr', 'parentArm'].map((k) => [k, stage[k]])),
    parentEpochs: undefined,
    runs,
  };
  const saved = path.join(OUT, `${NAME}.results.json`);
  if (RESUME && fs.existsSync(saved)) {
    const before = JSON.parse(fs.readFileSync(saved, 'utf8'));
    const differ = differingKeys(['stages', 'cells', 'evalSplit', 'valLimit', 'stage'], before, results);
    if (differ.length) fail(`--resume: ${saved} was made with other settings (${differ.join(', ')}); give another --name or --out, or drop --resume`);
    results.date = before.date;
    results.parentEpochs = before.parentEpochs;
    runs.push(...before.runs);
    console.error(`${BENCH}: --resume: seeds ${runs.map((r) => r.seed).join(', ') || 'none'} kept from ${saved}`);
  }
  const limit = stage.parentSchedule.limit;
  for (const { file, keep, results: st } of parts) {
    for (const before of st.runs) {
      const seed = before.seed;
      if ((wanted && !wanted.has(seed)) || runs.some((r) => r.seed === seed)) continue;
      results.parentEpochs = before.parent.epochs;
      const run = { seed, parent: { epochs: before.parent.epochs } };
      for (const [key, estimator] of Object.entries(ARMS)) {
        const pointer = path.join(keep, `${key}-${seed}.json`);
        if (!fs.existsSync(pointer)) fail(`${keep} has no ${key}-${seed}.json; give the --keep folder of the run that made ${file}`);
        const manifest = fs.readFileSync(pointer, 'utf8').trim();
        if (!fs.existsSync(manifest)) fail(`${pointer} names ${manifest}, which no longer exists`);
        const setup = JSON.parse(fs.readFileSync(manifest, 'utf8')).setup;
        const sets = [
          `estimator.options.load=${manifest}`,
          `estimator.options.macro.channels=${setup.macro.channels}`,
          `estimator.options.macro.cellsPerStage=${setup.macro.cellsPerStage}`,
          `estimator.options.calibrationBatches=${st.calibrationBatches}`,
          `estimator.options.lr=${st.lr}`,
          `estimator.options.evalSplit=${EVAL_SPLIT}`,
          ...(VAL_LIMIT !== undefined ? [`estimator.options.valLimit=${VAL_LIMIT}`] : []),
          ...(key === 'fewShot'
            ? ['estimator.options.epochs=0', `estimator.options.split.epochs=${st.epochs / SUBS}`]
            : [`estimator.options.epochs=${st.epochs}`]),
          `task.options.validationSize=${st.validation}`,
          `task.options.augment=${st.augment}`,
          ...(limit !== undefined ? [`task.options.limit=${limit}`] : []),
        ];
        const out = path.join(work, `${key}-${seed}.csv`);
        const what = `${estimator} of seed ${seed} (${manifest})`;
        const { rows, seconds } = scoreCells({ bench: BENCH, what, estimator, cellFile, out, seed, work, workers: WORKERS, sets });
        const acc = cells.map((c) => Number(rows.get(c).supernet_acc));
        const negLoss = cells.map((c) => -Number(rows.get(c).supernet_loss));
        const now = { tau: kendallTau(acc, tru), tauLoss: kendallTau(negLoss, tru), within: withinSplitTau(cells, acc, truth, kendallTau), seconds };
        const was = before[key];
        if (EVAL_SPLIT === 'validation' && VAL_LIMIT === undefined && (Math.abs(now.tau - was.tau) > 1e-9 || Math.abs(now.tauLoss - was.tauLoss) > 1e-9)) {
          console.error(
            `${BENCH}: ${what} gives τ ${now.tau} (−loss ${now.tauLoss}) on the stage's own validation images, where ${file} has ${was.tau} (${was.tauLoss}): loading does not reproduce the stage`,
          );
          process.exit(1);
        }
        run[key] = { before: { tau: was.tau, tauLoss: was.tauLoss, within: was.within }, now };
        console.error(
          `seed ${seed}: ${key} τ ${now.tau.toFixed(3)} (loss ${now.tauLoss.toFixed(3)}, within ${now.within.toFixed(3)}) in ${seconds.toFixed(0)} s; on the stage's validation ${was.tau.toFixed(3)}`,
        );
      }
      runs.push(run);
      runs.sort((a, b) => a.seed - b.seed);
      fs.writeFileSync(saved, `${JSON.stringify(results, null, 2)}\n`);
    }
  }
  if (!runs.length) fail(`no run of seeds ${SEEDS} in ${RESULTS.join(', ')}`);
  return results;
}

/** The settings that make re-evaluate results one measurement: files that agree on these can be pooled. */
const SETTINGS = ['cells', 'evalSplit', 'valLimit', 'stage', 'parentEpochs'];

/** --pool: the seeds of the given results files as one results object (settings checked equal, seeds distinct). */
function pool() {
  if (POOL.length < 2 || NAME === 're-evaluate') fail('--pool takes two or more results files and a --name of its own for the pooled results and report');
  const parts = POOL.map((file) => {
    let results;
    try {
      results = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      fail(`--pool: cannot read ${file} (${e.message})`);
    }
    if (!Array.isArray(results.runs) || !Array.isArray(results.stages)) fail(`--pool: ${file} is not the results of this bench (no runs and stages)`);
    return { file, results };
  });
  const [first] = parts;
  for (const part of parts.slice(1)) {
    const differ = differingKeys(SETTINGS, part.results, first.results);
    if (differ.length) fail(`--pool: ${part.file} was made with other settings than ${first.file} (${differ.join(', ')}); pool only runs of one measurement`);
  }
  const runs = parts.flatMap((p) => p.results.runs);
  const seeds = runs.map((r) => r.seed);
  if (new Set(seeds).size !== seeds.length)
    fail(`--pool: seed ${seeds.find((x, i) => seeds.indexOf(x) !== i)} is in more than one file; pool runs of different seeds`);
  const relative = (file) => path.relative(OUT, file).split(path.sep).join('/');
  // Each file's stages, as paths from --out, for the seeds that file holds.
  const stagesOf = (p) => p.results.stages.map((s) => relative(path.join(path.dirname(p.file), s)));
  return {
    ...stamp(),
    stages: [...new Set(parts.flatMap(stagesOf))],
    ...Object.fromEntries(SETTINGS.filter((k) => first.results[k] !== undefined).map((k) => [k, first.results[k]])),
    pooled: parts.map((p) => ({ file: relative(p.file), seeds: p.results.runs.map((r) => r.seed) })),
    runs: runs.sort((a, b) => a.seed - b.seed),
  };
}

function writeReport(results) {
  const { runs } = results;
  const n = runs.length;
  const f3 = (x) => (x < 0 ? '−' : '') + Math.abs(x).toFixed(3);
  const ms = (xs) => (xs.length > 1 ? `${f3(mean(xs))} ± ${sampleStd(xs).toFixed(3)}` : f3(mean(xs)));
  const t = (xs) => (xs.length > 1 && sampleStd(xs) > 0 ? (mean(xs) / (sampleStd(xs) / Math.sqrt(xs.length))).toFixed(1) : '—');
  const st = results.stage;
  const p = results.parentEpochs;
  const e = st.epochs;
  const where =
    results.evalSplit === 'test'
      ? `the task's test split (${results.valLimit ? `${results.valLimit} of its images, a fixed uniform subset` : 'all its images'})`
      : `the validation split (${results.valLimit ? `${results.valLimit} of its ${st.validation} images` : `its ${st.validation} images, as the stage`})`;
  const by = (when, metric) => runs.map((r) => r.fewShot[when][metric] - r.oneShotOn[when][metric]);
  const count = (xs) => xs.filter((x) => x > 0).length;
  /** Per seed, the stage's τ and the new one of each arm by `metric` (tau, tauLoss), and the paired differences. */
  const table = (metric) => {
    const of = (arm, when) => runs.map((r) => r[arm][when][metric]);
    const cols = [of('oneShotOn', 'before'), of('oneShotOn', 'now'), of('fewShot', 'before'), of('fewShot', 'now'), by('before', metric), by('now', metric)];
    return [
      '| seed | one-shot on, stage | one-shot on, now | few-shot, stage | few-shot, now | few-shot − one-shot on, stage | few-shot − one-shot on, now |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...runs.map((r, i) => `| ${r.seed} | ${cols.map((c) => f3(c[i])).join(' | ')} |`),
      `| mean ± sd | ${cols.map(ms).join(' | ')} |`,
      '',
    ];
  };
  const lines = [
    '# A same-parent stage evaluated again',
    '',
    `${results.cells} NB201 cells (the τ bench's sample), ${results.machine}, ${results.date.slice(0, 10)}. Made by \`node tools/bench/supernet/re-evaluate.bench.cjs\`${results.pooled ? `, pooled (\`--pool\`) from ${results.pooled.map((p) => `\`${p.file}\` (seed${p.seeds.length > 1 ? 's' : ''} ${p.seeds.join(', ')})`).join(' and ')}` : ''}${results.pooled ? '; stages' : ' from'} ${results.stages.map((s) => `\`${s}\``).join(' and ')}: every supernet that stage trained (one-shot on: ${p} + ${e} epochs; few-shot: ${p} + 5 × ${e / 5}) loaded as it is (\`load\`, nothing trained) and each cell evaluated again on ${where}, batch norm recalibrated as in the stage (${st.calibrationBatches} training batch(es) of 250, the same batches). "Stage" columns: the stage's own τ, on its ${st.validation} validation images.`,
    '',
    ...table('tau'),
    'Ranked by −loss:',
    '',
    ...table('tauLoss'),
    `- Few-shot above one-shot on by accuracy (the acceptance check): ${count(by('now', 'tau'))} of ${n} seeds now (paired t ${t(by('now', 'tau'))}), ${count(by('before', 'tau'))} of ${n} in the stage (t ${t(by('before', 'tau'))}).`,
    `- By −loss: ${count(by('now', 'tauLoss'))} of ${n} now (t ${t(by('now', 'tauLoss'))}), ${count(by('before', 'tauLoss'))} of ${n} in the stage.`,
    `- Within the split's groups (mean τ): one-shot on ${f3(mean(runs.map((r) => r.oneShotOn.now.within)))}, few-shot ${f3(mean(runs.map((r) => r.fewShot.now.within)))} now; few-shot above in ${count(runs.map((r) => r.fewShot.now.within - r.oneShotOn.now.within))} of ${n}.`,
    `- Seconds per supernet (loading and estimating every cell): one-shot on ${mean(runs.map((r) => r.oneShotOn.now.seconds)).toFixed(0)}, few-shot ${mean(runs.map((r) => r.fewShot.now.seconds)).toFixed(0)}.`,
    '',
  ];
  writeMarkdown(OUT, NAME.toUpperCase(), lines);
}

measureOrReport({
  bench: BENCH,
  out: OUT,
  stem: NAME,
  report: REPORT,
  makeIt: '--results <stage results json> --keep <its keep folder>',
  measure: POOL.length ? pool : measure,
  writeReport,
});
