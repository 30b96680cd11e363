#!/usr/bin/env node
// Memory of a long scoring run: `nasx score` with a zero-cost estimator over many NAS-Bench-201
// cells in ONE process (workers 0), sampling the process's resident set size once a second. Peak
// RSS should stay flat (no growth per cell). Usage:
//   node tools/bench/zero-cost/memory.bench.cjs [cells=600] [estimator=synflow]
// Needs the workspace built. synflow needs no data; data-based proxies need NASX_DATA (cifar10).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const cells = Number(process.argv[2] ?? 600);
const estimator = process.argv[3] ?? 'synflow';
const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];

// Every 15,625/cells-th cell in code order: a spread over the whole space.
const archs = [];
for (let i = 0; i < cells; i++) {
  let c = Math.floor((i * 15625) / cells);
  const ops = [];
  for (let e = 0; e < 6; e++, c = Math.floor(c / 5)) ops.push(OPS[c % 5]);
  archs.push(`|${ops[0]}~0|+|${ops[1]}~0|${ops[2]}~1|+|${ops[3]}~0|${ops[4]}~1|${ops[5]}~2|`);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-mem-'));
fs.writeFileSync(path.join(dir, 'archs.txt'), archs.join('\n') + '\n');

const child = spawn(
  process.execPath,
  [
    path.join(ROOT, 'apps/cli/bin/nasx.js'),
    'score',
    '--estimator',
    estimator,
    '--task',
    'mnist',
    '--archs',
    path.join(dir, 'archs.txt'),
    '-o',
    path.join(dir, 'scores.csv'),
    '--workers',
    '0',
    '--no-journal',
    '-q',
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
const samples = [];
const started = Date.now();
const timer = setInterval(() => {
  try {
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    const done = fs.existsSync(path.join(dir, 'scores.csv')) ? fs.readFileSync(path.join(dir, 'scores.csv'), 'utf8').split('\n').length - 2 : 0;
    if (kb) samples.push({ s: (Date.now() - started) / 1000, mib: kb / 1024, done: Math.max(0, done) });
  } catch {}
}, 1000);
child.on('exit', (code) => {
  clearInterval(timer);
  const scored = fs.readFileSync(path.join(dir, 'scores.csv'), 'utf8').trim().split('\n').length - 1;
  const after = (f) => samples.filter((x) => x.done >= f * scored);
  const peakAfter = (f) => Math.max(...after(f).map((x) => x.mib));
  const result = {
    date: new Date().toISOString().slice(0, 10),
    estimator,
    cells: scored,
    exitCode: code,
    seconds: (Date.now() - started) / 1000,
    peakMiB: Math.max(...samples.map((x) => x.mib)),
    peakAfter25pctMiB: peakAfter(0.25),
    peakAfter90pctMiB: peakAfter(0.9),
    samples,
  };
  fs.writeFileSync(path.join(__dirname, `memory.${estimator}.results.json`), JSON.stringify(result, null, 2) + '\n');
  const md = [
    `# Memory of a long scoring run (${estimator}, one process)`,
    '',
    `\`node tools/bench/zero-cost/memory.bench.cjs ${cells} ${estimator}\` (${result.date}): ${scored} NB201 cells spread over the space, MNIST input, wasm, workers 0.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| time | ${result.seconds.toFixed(0)} s (${((result.seconds / scored) * 1000).toFixed(0)} ms per cell) |`,
    `| peak RSS | ${result.peakMiB.toFixed(0)} MiB |`,
    `| peak RSS once 25 % of the cells were scored | ${result.peakAfter25pctMiB.toFixed(0)} MiB |`,
    `| peak RSS once 90 % of the cells were scored | ${result.peakAfter90pctMiB.toFixed(0)} MiB |`,
    '',
    'Flat means the last two rows agree: no growth per cell.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, `MEMORY-${estimator.toUpperCase()}.md`), md);
  process.stdout.write(md);
  fs.rmSync(dir, { recursive: true, force: true });
});
