#!/usr/bin/env node
// What few-shot NAS's split adds to the supernet it was split from. A few-shot supernet keeps the
// one-shot weights it was split from (its `one-shot` weight set); this bench evaluates those
// parent weights as a one-shot supernet (`nasx score --estimator one-shot` with `load=`, the BUILT
// workspace) on the τ bench's cells, with the evaluation the few-shot run had, and sets the parent's
// τ beside the few-shot τ and the equal-budget one-shot τ of the same seed from the supernet bench's
// results file. Two comparisons come out of one run:
//   - few-shot against its parent: the protocol of the few-shot authors' released estimates (a
//     600-epoch one-shot supernet against 5 sub-supernets fine-tuned from it for 150 epochs each),
//     where the sub-supernets' epochs come on top of the parent's;
//   - few-shot against one-shot at the same total epochs: the acceptance check's comparison.
//
//   node tools/bench/supernet/split-gain.bench.cjs --supernets <keep dir> --results <results json>
//        [--calibration-batches 6] [--cells 1000] [--validation-size 500] [--augment]
//        [--workers 2] [--estimates <dir>,<dir>] [--name <file stem>] [--out <dir>]
//   node tools/bench/supernet/split-gain.bench.cjs --report [--name <file stem>] [--out <dir>]
//
// --supernets: the --keep folder of the supernet.bench.cjs run that made --results (its
// few-shot-<seed>.json files). --estimates: the supernet bench's working folders holding its
// per-cell <method>-<seed>.csv, to add each supernet's τ within the cells sharing the split edge's
// operation (the ranking a sub-supernet is responsible for) beside the overall τ. Writes <name>.results.json (default split-gain) and SPLIT-GAIN.md
// into --out (default: beside this script); --report rewrites SPLIT-GAIN.md from the results file.
// SPLIT-GAIN.notes.md in the report's folder, when present, is appended to the report.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { ROOT, arg, builtStats, csv, benchCells, withinSplitTau, scoreCells, writeMarkdown, outFolder, measureOrReport, stamp } = require('./common.cjs');
const SUPERNETS = arg('--supernets', undefined);
const RESULTS = arg('--results', undefined);
const CALIBRATION = Number(arg('--calibration-batches', 6));
const CELLS = Number(arg('--cells', 1000));
const VALIDATION = Number(arg('--validation-size', 500));
const AUGMENT = process.argv.includes('--augment');
const WORKERS = Number(arg('--workers', 2));
const OUT = arg('--out', __dirname);
const NAME = arg('--name', 'split-gain');
const ESTIMATES = arg('--estimates', '').split(',').filter(Boolean);
const REPORT = process.argv.includes('--report');
outFolder('split-gain bench', OUT, REPORT);
if (!REPORT) {
  if (!SUPERNETS || !fs.existsSync(SUPERNETS) || !RESULTS || !fs.existsSync(RESULTS)) {
    console.error('split-gain bench: give --supernets <dir> and --results <file>, the --keep folder and the results JSON of one supernet.bench.cjs run');
    process.exit(2);
  }
  if (!Number.isInteger(CALIBRATION) || CALIBRATION < 0) {
    console.error('split-gain bench: --calibration-batches takes a whole number ≥ 0 (0: validation batch statistics)');
    process.exit(2);
  }
}
const { kendallTau, mean, sampleStd } = builtStats('split-gain bench');

/** A one-shot supernet.json in `dir` whose only weight set is the few-shot supernet's parent. */
function parentManifest(fewShotManifest, dir) {
  const { setupFingerprint } = require(path.join(ROOT, 'plugins', 'estimator-supernet', 'dist', 'supernet', 'checkpoint.js'));
  const few = JSON.parse(fs.readFileSync(fewShotManifest, 'utf8'));
  const parent = few.sets['one-shot'];
  if (few.setup.contribution !== 'few-shot' || !few.complete || !parent) {
    console.error(`split-gain bench: ${fewShotManifest} is not a finished few-shot supernet`);
    process.exit(2);
  }
  const schedule = Object.fromEntries(Object.entries(few.setup.schedule).filter(([k]) => !['splitEdges', 'splitEpochs', 'splitLr'].includes(k)));
  const setup = { ...few.setup, contribution: 'one-shot', schedule };
  fs.mkdirSync(dir, { recursive: true });
  const link = path.join(dir, parent.file);
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(path.dirname(fewShotManifest), parent.file), link);
  const manifest = path.join(dir, 'supernet.json');
  const checkpoint = { format: few.format, fingerprint: setupFingerprint(setup), setup, sets: { 'one-shot': parent }, complete: true };
  fs.writeFileSync(manifest, `${JSON.stringify(checkpoint, null, 1)}\n`);
  return { manifest, setup: few.setup };
}

/** Supernet-bench estimates (accuracy per cell) of `method`/`seed` from --estimates, or undefined. */
function benchEstimates(method, seed, cells) {
  const file = ESTIMATES.map((d) => path.join(d, `${method}-${seed}.csv`)).find((f) => fs.existsSync(f));
  if (!file) return undefined;
  const rows = new Map(csv(file).map((row) => [row.arch, Number(row.supernet_acc)]));
  return cells.map((c) => rows.get(c));
}

function measure() {
  const bench = JSON.parse(fs.readFileSync(RESULTS, 'utf8'));
  if (bench.schedule?.cells !== CELLS) {
    console.error(
      `split-gain bench: ${RESULTS} measured ${bench.schedule?.cells} cells; give --cells ${bench.schedule?.cells} so the τ compare the same cells`,
    );
    process.exit(2);
  }
  const { truth, cells, tru, work, cellFile } = benchCells(CELLS, 'nasx-split-gain-');
  const kept = fs
    .readdirSync(SUPERNETS)
    .filter((f) => /^few-shot-\d+\.json$/.test(f))
    .sort();
  if (!kept.length) {
    console.error(`split-gain bench: ${SUPERNETS} holds no few-shot-<seed>.json`);
    process.exit(2);
  }
  const runs = [];
  for (const f of kept) {
    const seed = Number(/(\d+)\.json$/.exec(f)[1]);
    const few = bench.runs.find((r) => r.method === 'few-shot' && r.seed === seed);
    const one = bench.runs.find((r) => r.method === 'one-shot' && r.seed === seed);
    if (!few) {
      console.error(`split-gain bench: ${RESULTS} has no few-shot run of seed ${seed}; give the results of the run that kept ${SUPERNETS}`);
      process.exit(2);
    }
    const { manifest, setup } = parentManifest(fs.readFileSync(path.join(SUPERNETS, f), 'utf8').trim(), path.join(work, `parent-${seed}`));
    const sets = [
      `estimator.options.load=${manifest}`,
      `estimator.options.epochs=${setup.schedule.epochs}`,
      `estimator.options.macro.channels=${setup.macro.channels}`,
      `estimator.options.macro.cellsPerStage=${setup.macro.cellsPerStage}`,
      `estimator.options.calibrationBatches=${CALIBRATION}`,
      `task.options.validationSize=${VALIDATION}`,
      `task.options.augment=${AUGMENT}`,
    ];
    const out = path.join(work, `parent-${seed}.csv`);
    const what = `the parent of few-shot seed ${seed}`;
    const { rows, seconds } = scoreCells({ bench: 'split-gain bench', what, estimator: 'one-shot', cellFile, out, seed, work, workers: WORKERS, sets });
    const parentAcc = cells.map((c) => Number(rows.get(c).supernet_acc));
    const parent = {
      tau: kendallTau(parentAcc, tru),
      within: withinSplitTau(cells, parentAcc, truth, kendallTau),
      tauLoss: kendallTau(
        cells.map((c) => -Number(rows.get(c).supernet_loss)),
        tru,
      ),
      seconds,
    };
    const run = {
      seed,
      parentEpochs: setup.schedule.epochs,
      splitEpochs: setup.schedule.splitEpochs,
      parent,
      fewShot: { tau: few.tau, tauLoss: few.tauLoss },
      ...(one ? { oneShot: { epochs: bench.schedule.epochs, tau: one.tau, tauLoss: one.tauLoss } } : {}),
    };
    for (const [key, method] of [
      ['fewShot', 'few-shot'],
      ['oneShot', 'one-shot'],
    ]) {
      const est = run[key] && benchEstimates(method, seed, cells);
      if (!est) continue;
      if (est.some((x) => x === undefined) || Math.abs(kendallTau(est, tru) - run[key].tau) > 1e-9) {
        console.error(`split-gain bench: the ${method}-${seed}.csv under --estimates is not the run of ${RESULTS} (other cells or τ)`);
        process.exit(2);
      }
      run[key].within = withinSplitTau(cells, est, truth, kendallTau);
    }
    runs.push(run);
    console.error(
      `seed ${seed}: parent (${run.parentEpochs} epochs) τ ${parent.tau.toFixed(3)} (loss ${parent.tauLoss.toFixed(3)}); few-shot ${few.tau.toFixed(3)}` +
        (one ? `; one-shot ${one.tau.toFixed(3)}` : ''),
    );
  }
  return {
    ...stamp(),
    results: path.basename(RESULTS),
    cells: CELLS,
    validation: VALIDATION,
    calibrationBatches: CALIBRATION,
    augment: AUGMENT,
    schedule: bench.schedule,
    runs,
  };
}

function writeReport(results) {
  const { runs } = results;
  const f3 = (x) => (x < 0 ? '−' : '') + Math.abs(x).toFixed(3);
  const ms = (xs) => (xs.length > 1 ? `${f3(mean(xs))} ± ${sampleStd(xs).toFixed(3)}` : f3(mean(xs)));
  const first = runs[0];
  const fewLabel = `few-shot (${first.parentEpochs} + 5 × ${first.splitEpochs})`;
  const withOne = runs.filter((r) => r.oneShot);
  const above = (key, ref) => runs.filter((r) => r[ref] && r[key].tau > r[ref].tau).length;
  const lines = [
    '# What few-shot NAS’s split adds to the supernet it was split from',
    '',
    `${results.cells} NB201 cells (the τ bench's sample), the few-shot supernets of \`${results.results}\`, ${results.machine}, ${results.date.slice(0, 10)}. Made by \`node tools/bench/supernet/split-gain.bench.cjs\`: each few-shot supernet's parent — the one-shot weights it was split from, after ${first.parentEpochs} epochs — evaluated as a one-shot supernet through \`nasx score\` with \`load=\`, batch norm recalibrated on ${results.calibrationBatches} training batch(es) of 250, top-1 on the ${results.validation} validation images, as the few-shot run was evaluated. Few-shot and equal-budget one-shot τ are the supernet bench's, same seeds.`,
    '',
    `| seed | parent (${first.parentEpochs} epochs) τ | ${fewLabel} τ | one-shot (${withOne[0]?.oneShot.epochs ?? '—'} epochs) τ | parent τ by −loss | few-shot τ by −loss | one-shot τ by −loss |`,
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map(
      (r) =>
        `| ${r.seed} | ${f3(r.parent.tau)} | ${f3(r.fewShot.tau)} | ${r.oneShot ? f3(r.oneShot.tau) : '—'} | ${f3(r.parent.tauLoss)} | ${f3(r.fewShot.tauLoss)} | ${r.oneShot ? f3(r.oneShot.tauLoss) : '—'} |`,
    ),
    `| mean ± sd | ${ms(runs.map((r) => r.parent.tau))} | ${ms(runs.map((r) => r.fewShot.tau))} | ${withOne.length ? ms(withOne.map((r) => r.oneShot.tau)) : '—'} | ${f3(mean(runs.map((r) => r.parent.tauLoss)))} | ${f3(mean(runs.map((r) => r.fewShot.tauLoss)))} | ${withOne.length ? f3(mean(withOne.map((r) => r.oneShot.tauLoss))) : '—'} |`,
    '',
    ...(runs.every((r) => r.fewShot.within !== undefined)
      ? [
          'τ within the cells sharing edge 0’s operation (each group ranked on its own, averaged weighted by size; the ranking one sub-supernet is responsible for):',
          '',
          '| seed | parent within | few-shot within | one-shot within |',
          '|---:|---:|---:|---:|',
          ...runs.map(
            (r) => `| ${r.seed} | ${f3(r.parent.within)} | ${f3(r.fewShot.within)} | ${r.oneShot?.within !== undefined ? f3(r.oneShot.within) : '—'} |`,
          ),
          `| mean | ${f3(mean(runs.map((r) => r.parent.within)))} | ${f3(mean(runs.map((r) => r.fewShot.within)))} | ${withOne.every((r) => r.oneShot.within !== undefined) && withOne.length ? f3(mean(withOne.map((r) => r.oneShot.within))) : '—'} |`,
          '',
        ]
      : []),
    `- Few-shot above its parent (the released estimates' protocol: the split's epochs on top): ${above('fewShot', 'parent')} of ${runs.length} seeds by accuracy, ${runs.filter((r) => r.fewShot.tauLoss > r.parent.tauLoss).length} of ${runs.length} by −loss.`,
    `- Few-shot above one-shot at the same total epochs (the acceptance check): ${above('fewShot', 'oneShot')} of ${withOne.length} seeds by accuracy, ${withOne.filter((r) => r.fewShot.tauLoss > r.oneShot.tauLoss).length} of ${withOne.length} by −loss.`,
    `- One-shot at the same total epochs (its own schedule from random weights, same seed), above the parent: ${above('oneShot', 'parent')} of ${withOne.length} seeds by accuracy.`,
    '',
  ];
  writeMarkdown(OUT, 'SPLIT-GAIN', lines);
}

measureOrReport({ bench: 'split-gain bench', out: OUT, stem: NAME, report: REPORT, makeIt: '--supernets <dir> --results <file>', measure, writeReport });
