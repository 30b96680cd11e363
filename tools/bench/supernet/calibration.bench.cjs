#!/usr/bin/env node
// How much of a supernet's ranking is its evaluation protocol: trained one-shot and few-shot
// supernets (supernet.bench.cjs --keep <dir>) evaluated again on the τ bench's 1,000 cells, each
// under several batch-norm protocols, through `nasx score` with `load=` (the BUILT workspace):
//   - `2 (draw A)` and `2 (draw B)`: recalibration on 2 training batches of 250, drawn with two
//     different seeds (the estimators' default); the τ between the two is the protocol's
//     test-retest agreement for one and the same weights;
//   - `6`: on 6 batches of 250, i.e. every one of the 1,500 training images once;
//   - `0`: each validation batch's own statistics (the few-shot NAS authors' evaluation).
// For each: Kendall τ against NB201's 200-epoch CIFAR-10 test accuracy, ranked by accuracy and by
// −loss, and the τ between the protocol's and draw A's estimates.
//
//   node tools/bench/supernet/calibration.bench.cjs --supernets <dir> [--protocols a,b,6,0]
//        [--cells 1000] [--validation-size 500] [--augment] [--workers 2] [--out <dir>]
//   node tools/bench/supernet/calibration.bench.cjs --report [--out <dir>]
//
// Writes calibration.results.json and CALIBRATION.md into --out (default: beside this script);
// --report rewrites CALIBRATION.md from the calibration.results.json in --out, measuring nothing.
// CALIBRATION.notes.md in the report's folder, when present, is appended to the report.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { arg, DATA, CLI, builtStats, csv, benchCells, writeMarkdown, outFolder, measureOrReport, stamp } = require('./common.cjs');
const SUPERNETS = arg('--supernets', undefined);
const PROTOCOLS = arg('--protocols', 'a,b,6,0').split(',');
const CELLS = Number(arg('--cells', 1000));
const VALIDATION = Number(arg('--validation-size', 500));
const AUGMENT = process.argv.includes('--augment');
const WORKERS = Number(arg('--workers', 2));
const OUT = arg('--out', __dirname);
const REPORT = process.argv.includes('--report');
outFolder('calibration bench', OUT, REPORT);
if (!REPORT && (!SUPERNETS || !fs.existsSync(SUPERNETS))) {
  console.error('calibration bench: give --supernets <dir>, the --keep folder of a supernet.bench.cjs run');
  process.exit(2);
}
if (!PROTOCOLS.includes('a')) {
  console.error('calibration bench: --protocols must include a (2 batches, draw A), the reference of the agreement column');
  process.exit(2);
}
const { kendallTau, mean } = builtStats('calibration bench');

const PROTOCOL = {
  a: { label: '2 batches (draw A)', batches: 2, drawSeed: 0 },
  b: { label: '2 batches (draw B)', batches: 2, drawSeed: 1 },
  6: { label: '6 batches (all 1,500 training images)', batches: 6, drawSeed: 0 },
  0: { label: 'validation batch statistics', batches: 0, drawSeed: 0 },
};

const unknown = PROTOCOLS.filter((p) => !PROTOCOL[p]);
if (unknown.length) {
  console.error(`calibration bench: unknown protocol ${unknown.join(', ')}; use a, b, 6 or 0`);
  process.exit(2);
}

/** Evaluates every kept supernet under each protocol; returns the results written to calibration.results.json. */
function measure() {
  const { truth, cells, work, cellFile } = benchCells(CELLS, 'nasx-supernet-calibration-');
  const kept = fs
    .readdirSync(SUPERNETS)
    .filter((f) => /^(one-shot|few-shot)-\d+\.json$/.test(f))
    .sort();
  const runs = [];
  for (const f of kept) {
    const [, method, seed] = /^(one-shot|few-shot)-(\d+)\.json$/.exec(f);
    const supernet = fs.readFileSync(path.join(SUPERNETS, f), 'utf8').trim();
    const { setup } = JSON.parse(fs.readFileSync(supernet, 'utf8'));
    const sets = [
      `estimator.options.load=${supernet}`,
      `estimator.options.epochs=${setup.schedule.epochs}`,
      `estimator.options.macro.channels=${setup.macro.channels}`,
      `estimator.options.macro.cellsPerStage=${setup.macro.cellsPerStage}`,
      `task.options.validationSize=${VALIDATION}`,
      `task.options.augment=${AUGMENT}`,
      ...(method === 'few-shot' ? [`estimator.options.split.epochs=${setup.schedule.splitEpochs}`] : []),
      ...(setup.schedule.splitLr !== undefined ? [`estimator.options.split.lr=${setup.schedule.splitLr}`] : []),
    ];
    const estimates = {};
    for (const p of PROTOCOLS) {
      const protocol = PROTOCOL[p];
      const out = path.join(work, `${method}-${seed}-${p}.csv`);
      const args = [CLI, 'score', '--estimator', method, '--task', 'cifar10', '--archs', cellFile, '-o', out];
      args.push('--seed', String(protocol.drawSeed), '--data-dir', DATA, '--workers', String(WORKERS), '--runs-dir', path.join(work, 'runs'), '-q');
      for (const kv of [...sets, `estimator.options.calibrationBatches=${protocol.batches}`]) args.push('--set', kv);
      const t0 = Date.now();
      const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (r.status !== 0) {
        console.error(`calibration bench: ${method} seed ${seed}, protocol ${p} failed:\n${r.stderr}`);
        process.exit(1);
      }
      const rows = new Map(csv(out).map((row) => [row.arch, row]));
      estimates[p] = {
        acc: cells.map((c) => Number(rows.get(c).supernet_acc)),
        loss: cells.map((c) => -Number(rows.get(c).supernet_loss)),
        seconds: (Date.now() - t0) / 1000,
      };
    }
    const tru = cells.map((c) => truth.get(c));
    const protocols = PROTOCOLS.map((p) => ({
      protocol: p,
      tau: kendallTau(estimates[p].acc, tru),
      tauLoss: kendallTau(estimates[p].loss, tru),
      agreementWithA: kendallTau(estimates[p].acc, estimates.a.acc),
      seconds: estimates[p].seconds,
    }));
    runs.push({ method, seed: Number(seed), epochs: setup.schedule.epochs, splitEpochs: setup.schedule.splitEpochs, protocols });
    console.error(
      `${method} seed ${seed}: ${protocols.map((x) => `${x.protocol}: τ ${x.tau.toFixed(3)} (loss ${x.tauLoss.toFixed(3)}, with A ${x.agreementWithA.toFixed(3)})`).join('; ')}`,
    );
  }

  return {
    ...stamp(),
    supernets: path.basename(SUPERNETS),
    cells: CELLS,
    validation: VALIDATION,
    protocols: PROTOCOLS,
    runs,
  };
}

function writeReport(results) {
  const { runs, protocols: PROTOCOLS } = results;
  const f3 = (x) => (x < 0 ? '−' : '') + Math.abs(x).toFixed(3);
  const lines = [
    '# How much of a supernet’s ranking is its evaluation protocol',
    '',
    `${results.cells} NB201 cells (the τ bench's sample), ${runs.length} trained supernets from \`${results.supernets}\`, ${results.machine}, ${results.date.slice(0, 10)}. Made by \`node tools/bench/supernet/calibration.bench.cjs\`: each supernet evaluated again through \`nasx score\` with \`load=\`, under each batch-norm protocol. Validation: ${results.validation} images.`,
    '',
    '| supernet | seed | protocol | τ by accuracy | τ by −loss | τ with draw A (same weights) |',
    '|---|---:|---|---:|---:|---:|',
    ...runs.flatMap((r) =>
      r.protocols.map(
        (x) =>
          `| ${r.method} (${r.method === 'few-shot' ? `${r.epochs} + 5 × ${r.splitEpochs}` : r.epochs} epochs) | ${r.seed} | ${PROTOCOL[x.protocol].label} | ${f3(x.tau)} | ${f3(x.tauLoss)} | ${x.protocol === 'a' ? '—' : f3(x.agreementWithA)} |`,
      ),
    ),
    '',
    '| protocol | one-shot τ (mean) | few-shot τ (mean) | few-shot above one-shot (seeds) |',
    '|---|---:|---:|---:|',
    ...PROTOCOLS.map((p) => {
      const tau = (m) => runs.filter((r) => r.method === m).map((r) => ({ seed: r.seed, tau: r.protocols.find((x) => x.protocol === p).tau }));
      const one = tau('one-shot');
      const few = tau('few-shot');
      const paired = few.filter((x) => one.some((o) => o.seed === x.seed));
      const above = paired.filter((x) => x.tau > one.find((o) => o.seed === x.seed).tau).length;
      return `| ${PROTOCOL[p].label} | ${one.length ? f3(mean(one.map((x) => x.tau))) : '—'} | ${few.length ? f3(mean(few.map((x) => x.tau))) : '—'} | ${above} of ${paired.length} |`;
    }),
    '',
  ];
  writeMarkdown(OUT, 'CALIBRATION', lines);
}

measureOrReport({ bench: 'calibration bench', out: OUT, stem: 'calibration', report: REPORT, makeIt: '--supernets <dir>', measure, writeReport });
