#!/usr/bin/env node
// Estimating every NAS-Bench-201 cell with a trained supernet: `nasx score --all --estimator
// one-shot` (the BUILT workspace) with a supernet the τ bench trained (--supernet <supernet.json>,
// loaded with the options it was trained with) or one trained here first, reporting cells per
// second and the process's resident memory over the run (sampled from /proc every 5 s), to show it
// stays flat.
//
//   node tools/bench/supernet/all-cells.bench.cjs [--supernet <supernet.json>] [--workers 2]
//        [--epochs 200] [--channels 8] [--cells-per-stage 1] [--validation-size 500] [--limit N]
//        [--val-limit N] [--calibration-batches 2]
//
// Writes all-cells.results.json and ALL-CELLS.md beside this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { arg, DATA, CLI } = require('./common.cjs');
const SUPERNET = arg('--supernet', undefined);
const WORKERS = Number(arg('--workers', 2));
const EPOCHS = Number(arg('--epochs', 200));
const CHANNELS = Number(arg('--channels', 8));
const PER_STAGE = Number(arg('--cells-per-stage', 1));
const VALIDATION = Number(arg('--validation-size', 500));
const LIMIT = arg('--limit', undefined);
const VAL_LIMIT = arg('--val-limit', undefined);
const CALIBRATION = Number(arg('--calibration-batches', 2));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-supernet-all-'));
const out = path.join(work, 'scores.csv');
const sets = [
  `estimator.options.epochs=${EPOCHS}`,
  `estimator.options.macro.channels=${CHANNELS}`,
  `estimator.options.macro.cellsPerStage=${PER_STAGE}`,
  `task.options.validationSize=${VALIDATION}`,
  `estimator.options.calibrationBatches=${CALIBRATION}`,
  ...(VAL_LIMIT ? [`estimator.options.valLimit=${VAL_LIMIT}`] : []),
  ...(SUPERNET ? [`estimator.options.load=${path.resolve(SUPERNET)}`] : []),
];
let archArgs = ['--all'];
if (LIMIT) {
  // The first N cells in NB201 index order, for a short check of the bench itself.
  const zlib = require('node:zlib');
  const rows = zlib
    .gunzipSync(fs.readFileSync(path.join(DATA, 'nas-bench-201', 'nb201_test_acc_200ep_nats.csv.gz')))
    .toString('utf8')
    .trim()
    .split('\n')
    .slice(1, 1 + Number(LIMIT));
  fs.writeFileSync(path.join(work, 'cells.txt'), rows.map((r) => r.split(',')[1]).join('\n') + '\n');
  archArgs = ['--archs', path.join(work, 'cells.txt')];
}
const args = [
  CLI,
  'score',
  '--estimator',
  'one-shot',
  '--task',
  'cifar10',
  ...archArgs,
  '-o',
  out,
  '--data-dir',
  DATA,
  '--workers',
  String(WORKERS),
  '--runs-dir',
  path.join(work, 'runs'),
  '-q',
  ...sets.flatMap((s) => ['--set', s]),
];

const rssMb = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
};
const lines = () => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').length - 2 : 0);

const t0 = Date.now();
const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
const samples = [];
let firstScoredAt;
const timer = setInterval(() => {
  const done = lines();
  if (done > 0 && firstScoredAt === undefined) firstScoredAt = { seconds: (Date.now() - t0) / 1000, cells: done };
  samples.push({ seconds: (Date.now() - t0) / 1000, cells: Math.max(done, 0), rssMb: rssMb(child.pid) });
}, 5000);
child.on('exit', (code) => {
  clearInterval(timer);
  if (code !== 0) {
    console.error(`all-cells bench: nasx score exited ${code}`);
    process.exit(1);
  }
  const seconds = (Date.now() - t0) / 1000;
  const cells = lines();
  const scoring = samples.filter((s) => s.cells > 0);
  const first = scoring[0];
  const last = scoring.at(-1);
  const rate = first && last && last.seconds > first.seconds ? (last.cells - first.cells) / (last.seconds - first.seconds) : cells / seconds;
  const rss = scoring.map((s) => s.rssMb).filter((x) => x !== undefined);
  const quarter = Math.max(1, Math.floor(rss.length / 4));
  const results = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0].model}`,
    load: os.loadavg(),
    supernet: SUPERNET ? 'loaded (trained by supernet.bench.cjs)' : `trained here (${EPOCHS} epochs)`,
    schedule: {
      macro: { channels: CHANNELS, cellsPerStage: PER_STAGE },
      epochs: EPOCHS,
      validationSize: VALIDATION,
      evaluatedOn: Number(VAL_LIMIT ?? VALIDATION),
      calibration: `${CALIBRATION} batch(es) of 250`,
      workers: WORKERS,
    },
    cells,
    seconds,
    cellsPerSecond: rate,
    rssMb: {
      firstQuarterMean: rss.slice(0, quarter).reduce((a, b) => a + b, 0) / quarter,
      lastQuarterMean: rss.slice(-quarter).reduce((a, b) => a + b, 0) / quarter,
      max: Math.max(...rss),
      samples: rss.length,
    },
    samples,
  };
  fs.writeFileSync(path.join(__dirname, 'all-cells.results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const md = [
    '# Estimating every NB201 cell with a trained supernet',
    '',
    `\`node tools/bench/supernet/all-cells.bench.cjs\`, ${results.machine}, ${results.date.slice(0, 10)}: \`nasx score --all --estimator one-shot\` on the CIFAR-10 sample task (${results.schedule.evaluatedOn} validation images per cell, batch-norm recalibrated on ${CALIBRATION} training batch(es) of 250 before each), ${WORKERS} workers, supernet ${results.supernet}, ${CHANNELS} channels × ${PER_STAGE} cell(s) per stage.`,
    '',
    '| cells | wall time | cells/s while scoring | resident memory, first quarter → last quarter of the run (mean) | peak |',
    '|---:|---:|---:|---|---:|',
    `| ${cells.toLocaleString('en')} | ${(seconds / 60).toFixed(1)} min | ${rate.toFixed(2)} | ${results.rssMb.firstQuarterMean.toFixed(0)} MB → ${results.rssMb.lastQuarterMean.toFixed(0)} MB | ${results.rssMb.max.toFixed(0)} MB |`,
    '',
    `Memory sampled every 5 s (${rss.length} samples while scoring) from the process's VmRSS (all its worker threads). 1-minute load average at the end: ${results.load[0].toFixed(2)}.`,
    '',
  ];
  fs.writeFileSync(path.join(__dirname, 'ALL-CELLS.md'), md.join('\n'));
  console.error(md.join('\n'));
});
