#!/usr/bin/env node
// Few-shot NAS's split against training on, from the same parent and at the same budget. Each
// one-shot supernet kept by a supernet.bench.cjs run is a parent; from it, through the product path
// (`nasx score`, the estimators' `init` option, the BUILT workspace), two supernets train the same
// number of further epochs E:
//   - one-shot on: the one-shot supernet trained E more epochs (`init`, `epochs: E`);
//   - few-shot: the parent split on edge 0 into 5 sub-supernets of E/5 epochs each (`init`,
//     `epochs: 0`, `split.epochs: E/5`).
// Both restart their learning rate (`--lr`, default the estimators' 0.025) and end with the same
// total epochs (parent + E), so the comparison is the acceptance check's — few-shot against
// one-shot at the same training budget — with the seed's parent shared, which takes the parent's
// spread out of the paired difference. Each supernet is evaluated as the supernet bench does.
//
//   node tools/bench/supernet/same-parent.bench.cjs --parents <keep dir> --results <results json>
//        [--epochs 100] [--lr 0.025] [--calibration-batches 6] [--validation-size 500] [--augment]
//        [--seeds 0,1,2] [--workers 2] [--estimates <dir>,<dir>] [--keep <dir>] [--name <stem>]
//        [--out <dir>] [--resume] [--score-parents]
//   node tools/bench/supernet/same-parent.bench.cjs --report [--name <stem>] [--out <dir>]
//   node tools/bench/supernet/same-parent.bench.cjs --pool <results json>,<results json>... --name <stem> [--out <dir>]
//
// --parents: the --keep folder of the supernet.bench.cjs run that made --results (its
// one-shot-<seed>.json files; the parent's τ is read from --results). --results may instead be an
// earlier same-parent bench's results and --parents its --keep folder: the parents are then that
// run's one-shot-on supernets (oneShotOn-<seed>.json), one more stage on the same line of parents.
// --score-parents: the parents in --parents are not the supernets --results measured (e.g. a line
// retrained by `nasx score` outside the benches to stand in for one whose supernets are gone): each
// parent is first scored here (`load`, this stage's evaluation) for its τ, and --results gives only
// the parents' schedule and epochs.
// --estimates: the supernet.bench.cjs run's working folders holding one-shot-<seed>.csv, to add the
// parent's τ within the cells sharing edge 0's operation (a chained stage reads it from the earlier
// results instead). --keep: write <dir>/<arm>-<seed>.json naming each trained supernet's
// supernet.json. Writes <name>.results.json (default same-parent) and <NAME>.md (upper-cased) into
// --out (default: beside this script), the results after every seed; <NAME>.notes.md in --out
// is appended to the report when present. --resume keeps the seeds that <name>.results.json
// in --out already holds (a bench stopped early, same settings) and measures the others.
// --pool measures nothing: it joins the seeds of several same-parent results files made with the
// same settings (cells, validation, calibration, augmentation, epochs, lr, parent schedule; other
// seeds, e.g. parents of two supernet bench runs) into <name>.results.json and its report, so that
// the means and counts are over all of them.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const {
  arg,
  builtStats,
  csv,
  newestSupernet,
  benchCells,
  withinSplitTau,
  scoreCells,
  writeMarkdown,
  outFolder,
  measureOrReport,
  stamp,
  STAGE_SETTINGS,
  differingKeys,
} = require('./common.cjs');
const BENCH = 'same-parent bench';
const PARENTS = arg('--parents', undefined);
const RESULTS = arg('--results', undefined);
const EPOCHS = Number(arg('--epochs', 100));
const LR = arg('--lr', undefined);
const CALIBRATION = Number(arg('--calibration-batches', 6));
const VALIDATION = Number(arg('--validation-size', 500));
const AUGMENT = process.argv.includes('--augment');
const WORKERS = Number(arg('--workers', 2));
const SEEDS = arg('--seeds', undefined);
const ESTIMATES = arg('--estimates', '').split(',').filter(Boolean);
const KEEP = arg('--keep', undefined);
const OUT = arg('--out', __dirname);
const NAME = arg('--name', 'same-parent');
const REPORT = process.argv.includes('--report');
const POOL = arg('--pool', '').split(',').filter(Boolean);
outFolder(BENCH, OUT, REPORT);
const RESUME = process.argv.includes('--resume');
const SCORE_PARENTS = process.argv.includes('--score-parents');
const SUBS = 5; // the split on edge 0: one sub-supernet per NB201 operation
if (!REPORT && !POOL.length) {
  if (!PARENTS || !fs.existsSync(PARENTS) || !RESULTS || !fs.existsSync(RESULTS)) {
    console.error(`${BENCH}: give --parents <dir> and --results <file>, the --keep folder and the results JSON of one supernet.bench.cjs run`);
    process.exit(2);
  }
  if (!Number.isInteger(EPOCHS) || EPOCHS < SUBS || EPOCHS % SUBS !== 0) {
    console.error(`${BENCH}: --epochs takes a multiple of ${SUBS} (the few-shot arm trains ${SUBS} sub-supernets of epochs/${SUBS} each)`);
    process.exit(2);
  }
  if (!Number.isInteger(CALIBRATION) || CALIBRATION < 0) {
    console.error(`${BENCH}: --calibration-batches takes a whole number ≥ 0 (0: validation batch statistics)`);
    process.exit(2);
  }
  if (LR !== undefined && !(Number(LR) >= 0)) {
    console.error(`${BENCH}: --lr takes a learning rate ≥ 0`);
    process.exit(2);
  }
}
const { kendallTau, mean, sampleStd } = builtStats(BENCH);

/** The parent's per-cell accuracy estimates from --estimates (the supernet bench's one-shot-<seed>.csv), or undefined. */
function parentEstimates(seed, cells) {
  const file = ESTIMATES.map((d) => path.join(d, `one-shot-${seed}.csv`)).find((f) => fs.existsSync(f));
  if (!file) return undefined;
  const rows = new Map(csv(file).map((row) => [row.arch, Number(row.supernet_acc)]));
  return cells.map((c) => rows.get(c));
}

function measure() {
  const bench = JSON.parse(fs.readFileSync(RESULTS, 'utf8'));
  // A same-parent results file (it has parentSchedule): its one-shot-on supernets are the parents.
  const chained = bench.parentSchedule !== undefined;
  const CELLS = chained ? bench.cells : bench.schedule?.cells;
  const { truth, cells, tru, work, cellFile } = benchCells(CELLS, 'nasx-same-parent-');
  const wanted = SEEDS === undefined ? undefined : new Set(SEEDS.split(',').map(Number));
  const pattern = chained ? /^oneShotOn-(\d+)\.json$/ : /^one-shot-(\d+)\.json$/;
  const kept = fs
    .readdirSync(PARENTS)
    .map((f) => pattern.exec(f))
    .filter((m) => m && (!wanted || wanted.has(Number(m[1]))))
    .map((m) => ({ file: m[0], seed: Number(m[1]) }))
    .sort((a, b) => a.seed - b.seed);
  if (!kept.length) {
    console.error(`${BENCH}: ${PARENTS} holds no ${chained ? 'oneShotOn' : 'one-shot'}-<seed>.json${wanted ? ` of seeds ${SEEDS}` : ''}`);
    process.exit(2);
  }
  /** The parent of one seed as --results measured it: τ, τ by −loss, within-group τ when known, and its total epochs. */
  const parentOf = (seed) => {
    if (chained) {
      const r = bench.runs.find((x) => x.seed === seed);
      return r && { epochs: r.parent.epochs + bench.epochs, tau: r.oneShotOn.tau, tauLoss: r.oneShotOn.tauLoss, within: r.oneShotOn.within };
    }
    const r = bench.runs.find((x) => x.method === 'one-shot' && x.seed === seed);
    return r && { epochs: bench.schedule.epochs, tau: r.tau, tauLoss: r.tauLoss };
  };
  /** --score-parents: the parent of one seed scored here with `load` under this stage's evaluation. */
  const scoreParent = (seed, manifest, sets) => {
    const epochs = chained ? bench.runs[0].parent.epochs + bench.epochs : bench.schedule.epochs;
    // The parent's own training options, which `load` checks against the supernet it reads.
    const trained = chained
      ? [`estimator.options.epochs=${bench.epochs}`, `estimator.options.lr=${bench.lr}`]
      : [`estimator.options.epochs=${bench.schedule.epochs}`];
    const out = path.join(work, `parent-${seed}.csv`);
    const { rows } = scoreCells({
      bench: BENCH,
      what: `the parent of seed ${seed} (${manifest})`,
      estimator: 'one-shot',
      cellFile,
      out,
      seed,
      work,
      workers: WORKERS,
      sets: [...sets.filter((kv) => !/^estimator\.options\.(init|lr)=/.test(kv)), `estimator.options.load=${manifest}`, ...trained],
    });
    const acc = cells.map((c) => Number(rows.get(c).supernet_acc));
    const negLoss = cells.map((c) => -Number(rows.get(c).supernet_loss));
    return { epochs, tau: kendallTau(acc, tru), tauLoss: kendallTau(negLoss, tru), within: withinSplitTau(cells, acc, truth, kendallTau) };
  };
  const parentLimit = (chained ? bench.parentSchedule : bench.schedule).limit;
  const runs = [];
  const results = {
    ...stamp(),
    // From --out, where the report and a --pool read it (a basename when --results is in --out).
    results: path.relative(OUT, RESULTS).split(path.sep).join('/'),
    cells: CELLS,
    validation: VALIDATION,
    calibrationBatches: CALIBRATION,
    augment: AUGMENT,
    epochs: EPOCHS,
    lr: LR === undefined ? 0.025 : Number(LR),
    parentSchedule: chained ? bench.parentSchedule : bench.schedule,
    // Parents from an earlier same-parent stage: its one-shot-on supernets.
    ...(chained ? { parentArm: 'oneShotOn' } : {}),
    ...(SCORE_PARENTS ? { parentsScored: true } : {}),
    runs,
  };
  // --resume: keep the seeds an earlier run of the same bench (same parents and schedule) finished.
  const saved = path.join(OUT, `${NAME}.results.json`);
  if (RESUME && fs.existsSync(saved)) {
    const before = JSON.parse(fs.readFileSync(saved, 'utf8'));
    const differ = differingKeys(
      ['results', 'cells', 'validation', 'calibrationBatches', 'augment', 'epochs', 'lr', 'parentArm', 'parentsScored'],
      before,
      results,
    );
    if (differ.length) {
      console.error(`${BENCH}: --resume: ${saved} was made with other settings (${differ.join(', ')}); give another --name or --out, or drop --resume`);
      process.exit(2);
    }
    results.date = before.date;
    runs.push(...before.runs.filter((r) => kept.some((k) => k.seed === r.seed)));
    console.error(`${BENCH}: --resume: seeds ${runs.map((r) => r.seed).join(', ') || 'none'} kept from ${saved}`);
  }
  for (const { file, seed } of kept) {
    if (runs.some((r) => r.seed === seed)) continue;
    const one = SCORE_PARENTS ? {} : parentOf(seed);
    if (!one) {
      console.error(
        `${BENCH}: ${RESULTS} has no ${chained ? 'one-shot-on' : 'one-shot'} run of seed ${seed}; give the results of the run that kept ${PARENTS}`,
      );
      process.exit(2);
    }
    const manifest = fs.readFileSync(path.join(PARENTS, file), 'utf8').trim();
    const parentSetup = JSON.parse(fs.readFileSync(manifest, 'utf8')).setup;
    const common = [
      `estimator.options.init=${manifest}`,
      `estimator.options.macro.channels=${parentSetup.macro.channels}`,
      `estimator.options.macro.cellsPerStage=${parentSetup.macro.cellsPerStage}`,
      `estimator.options.calibrationBatches=${CALIBRATION}`,
      ...(LR !== undefined ? [`estimator.options.lr=${LR}`] : []),
      `task.options.validationSize=${VALIDATION}`,
      `task.options.augment=${AUGMENT}`,
      // The parents' training images (supernet.bench.cjs --limit), so both arms train on the parent's data.
      ...(parentLimit !== undefined ? [`task.options.limit=${parentLimit}`] : []),
    ];
    const arms = {
      oneShotOn: { estimator: 'one-shot', sets: [...common, `estimator.options.epochs=${EPOCHS}`] },
      fewShot: { estimator: 'few-shot', sets: [...common, 'estimator.options.epochs=0', `estimator.options.split.epochs=${EPOCHS / SUBS}`] },
    };
    if (SCORE_PARENTS) Object.assign(one, scoreParent(seed, manifest, common));
    const parentAcc = chained || SCORE_PARENTS ? undefined : parentEstimates(seed, cells);
    if (parentAcc && (parentAcc.some((x) => x === undefined) || Math.abs(kendallTau(parentAcc, tru) - one.tau) > 1e-9)) {
      console.error(`${BENCH}: the one-shot-${seed}.csv under --estimates is not the run of ${RESULTS} (other cells or τ)`);
      process.exit(2);
    }
    const run = {
      seed,
      parent: {
        ...one,
        ...(parentAcc ? { within: withinSplitTau(cells, parentAcc, truth, kendallTau) } : {}),
      },
    };
    for (const [key, arm] of Object.entries(arms)) {
      const out = path.join(work, `${key}-${seed}.csv`);
      const what = `${arm.estimator} from the parent of seed ${seed}`;
      const { rows, seconds } = scoreCells({ bench: BENCH, what, estimator: arm.estimator, cellFile, out, seed, work, workers: WORKERS, sets: arm.sets });
      const acc = cells.map((c) => Number(rows.get(c).supernet_acc));
      const negLoss = cells.map((c) => -Number(rows.get(c).supernet_loss));
      run[key] = { tau: kendallTau(acc, tru), tauLoss: kendallTau(negLoss, tru), within: withinSplitTau(cells, acc, truth, kendallTau), seconds };
      if (KEEP) {
        fs.mkdirSync(KEEP, { recursive: true });
        fs.writeFileSync(path.join(KEEP, `${key}-${seed}.json`), `${newestSupernet(path.join(work, 'runs'), arm.estimator)}\n`);
      }
      console.error(
        `seed ${seed}: ${key} τ ${run[key].tau.toFixed(3)} (loss ${run[key].tauLoss.toFixed(3)}, within ${run[key].within.toFixed(3)}) in ${seconds.toFixed(0)} s; parent ${one.tau.toFixed(3)}`,
      );
    }
    runs.push(run);
    // After every seed, so a bench stopped early keeps the seeds it finished.
    fs.writeFileSync(path.join(OUT, `${NAME}.results.json`), `${JSON.stringify(results, null, 2)}\n`);
  }
  return results;
}

/** --pool: the seeds of the given results files as one results object (settings checked equal, seeds distinct). */
function pool() {
  if (POOL.length < 2 || NAME === 'same-parent') {
    console.error(`${BENCH}: --pool takes two or more results files and a --name of its own for the pooled results and report`);
    process.exit(2);
  }
  const parts = POOL.map((file) => {
    try {
      const results = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (!Array.isArray(results.runs) || results.parentSchedule === undefined) throw new Error('it has no runs and parentSchedule');
      return { file, results };
    } catch (e) {
      console.error(`${BENCH}: --pool: cannot read ${file} as a same-parent results file (${e.message})`);
      process.exit(2);
    }
  });
  const [first] = parts;
  for (const part of parts.slice(1)) {
    const differ = differingKeys(STAGE_SETTINGS, part.results, first.results);
    if (differ.length) {
      console.error(`${BENCH}: --pool: ${part.file} was made with other settings than ${first.file} (${differ.join(', ')}); pool only runs of one schedule`);
      process.exit(2);
    }
  }
  const runs = parts.flatMap((p) => p.results.runs);
  const seeds = runs.map((r) => r.seed);
  if (new Set(seeds).size !== seeds.length) {
    console.error(`${BENCH}: --pool: seed ${seeds.find((x, i) => seeds.indexOf(x) !== i)} is in more than one file; pool runs of different seeds`);
    process.exit(2);
  }
  const relative = (file) => path.relative(OUT, file).split(path.sep).join('/');
  return {
    ...stamp(),
    ...Object.fromEntries(STAGE_SETTINGS.map((k) => [k, first.results[k]])),
    results: parts
      .map(
        (p) =>
          `\`${relative(path.join(path.dirname(p.file), p.results.results))}\` (seed${p.results.runs.length > 1 ? 's' : ''} ${p.results.runs.map((r) => r.seed).join(', ')})`,
      )
      .join(' and '),
    pooled: parts.map((p) => relative(p.file)),
    runs: runs.sort((a, b) => a.seed - b.seed),
  };
}

function writeReport(results) {
  const { runs } = results;
  const f3 = (x) => (x === undefined ? '—' : (x < 0 ? '−' : '') + Math.abs(x).toFixed(3));
  const ms = (xs) => (xs.length > 1 ? `${f3(mean(xs))} ± ${sampleStd(xs).toFixed(3)}` : f3(mean(xs)));
  const p = runs[0].parent.epochs;
  const e = results.epochs;
  const diffs = runs.map((r) => r.fewShot.tau - r.oneShotOn.tau);
  const count = (pred) => runs.filter(pred).length;
  const lines = [
    '# Few-shot split against training on, from the same parent at the same budget',
    '',
    `${results.cells} NB201 cells (the τ bench's sample), ${results.machine}, ${results.date.slice(0, 10)}. Made by \`node tools/bench/supernet/same-parent.bench.cjs\`${results.pooled ? `, pooled (\`--pool\`) from ${results.pooled.map((f) => `\`${f}\``).join(' and ')}` : ''}. Parents: the ${p}-epoch ${results.parentArm ? 'one-shot-on supernets' : 'one-shot supernets'} of ${results.pooled ? results.results : `\`${results.results}\``}${results.parentArm ? ' (one-shot trained on in stages, lr restarted at each)' : ''}; their τ is ${results.parentsScored ? 'measured here (`--score-parents`, `load` and this evaluation): these parents were retrained on that schedule, they are not the supernets that file measured' : results.pooled ? 'those files’' : 'that file’s'}. From each, through \`nasx score\` with the estimators' \`init\`: **one-shot on** trains the supernet ${e} more epochs; **few-shot** splits it on edge 0 into 5 sub-supernets of ${e / 5} epochs each. Both restart SGD at lr ${results.lr} (cosine to 0.001) and end at ${p} + ${e} epochs in total. Evaluation as the parents': batch norm recalibrated on ${results.calibrationBatches} training batch(es) of 250, top-1 on ${results.validation} validation images${results.augment ? ', training batches augmented' : ''}.`,
    '',
    `| seed | parent (${p}) τ | one-shot on (${p} + ${e}) τ | few-shot (${p} + 5 × ${e / 5}) τ | few-shot − one-shot on | one-shot on τ by −loss | few-shot τ by −loss |`,
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map(
      (r) =>
        `| ${r.seed} | ${f3(r.parent.tau)} | ${f3(r.oneShotOn.tau)} | ${f3(r.fewShot.tau)} | ${f3(r.fewShot.tau - r.oneShotOn.tau)} | ${f3(r.oneShotOn.tauLoss)} | ${f3(r.fewShot.tauLoss)} |`,
    ),
    `| mean ± sd | ${ms(runs.map((r) => r.parent.tau))} | ${ms(runs.map((r) => r.oneShotOn.tau))} | ${ms(runs.map((r) => r.fewShot.tau))} | ${ms(diffs)} | ${f3(mean(runs.map((r) => r.oneShotOn.tauLoss)))} | ${f3(mean(runs.map((r) => r.fewShot.tauLoss)))} |`,
    '',
    'τ within the cells sharing edge 0’s operation (each group ranked on its own, averaged weighted by size: the ranking one sub-supernet is responsible for):',
    '',
    '| seed | parent within | one-shot on within | few-shot within |',
    '|---:|---:|---:|---:|',
    ...runs.map((r) => `| ${r.seed} | ${f3(r.parent.within)} | ${f3(r.oneShotOn.within)} | ${f3(r.fewShot.within)} |`),
    `| mean | ${runs.every((r) => r.parent.within !== undefined) ? f3(mean(runs.map((r) => r.parent.within))) : '—'} | ${f3(mean(runs.map((r) => r.oneShotOn.within)))} | ${f3(mean(runs.map((r) => r.fewShot.within)))} |`,
    '',
    `- Few-shot above one-shot on at the same total epochs (the acceptance check, paired on one parent): ${count((r) => r.fewShot.tau > r.oneShotOn.tau)} of ${runs.length} seeds by accuracy, ${count((r) => r.fewShot.tauLoss > r.oneShotOn.tauLoss)} of ${runs.length} by −loss, ${count((r) => r.fewShot.within > r.oneShotOn.within)} of ${runs.length} within the split's groups.`,
    `- Above the parent: few-shot in ${count((r) => r.fewShot.tau > r.parent.tau)} of ${runs.length} seeds, one-shot on in ${count((r) => r.oneShotOn.tau > r.parent.tau)} of ${runs.length}.`,
    `- Seconds per supernet (training ${e} epochs and estimating every cell): one-shot on ${mean(runs.map((r) => r.oneShotOn.seconds)).toFixed(0)}, few-shot ${mean(runs.map((r) => r.fewShot.seconds)).toFixed(0)}.`,
    '',
  ];
  writeMarkdown(OUT, NAME.toUpperCase(), lines);
}

measureOrReport({
  bench: BENCH,
  out: OUT,
  stem: NAME,
  report: REPORT,
  makeIt: '--parents <dir> --results <file>',
  measure: POOL.length ? pool : measure,
  writeReport,
});
