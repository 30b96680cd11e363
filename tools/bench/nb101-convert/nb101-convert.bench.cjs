#!/usr/bin/env node
// Benchmark of convertNb101 (@nasx/estimator-tabular, the BUILT packages: node tools/scripts/build.cjs)
// on a synthetic file the size of the official nasbench_full.tfrecord (no real data is needed):
//   node tools/bench/nb101-convert/nb101-convert.bench.cjs [--only108]
// 1. writes a TFRecord in the upstream format: every one of the 423,624 NB101 cells (enumerated and
//    hashed by @nasx/search-space-nb101), 4 budgets x 3 repeats (--only108: 108 epochs x 3), each a
//    JSON row with a base64 ModelMetrics of 3 evaluations and seeded random values, in hash-grouped
//    order; 2. converts it in a fresh process, measuring wall time, throughput and peak RSS; 3. loads
//    the converted table as the tabular estimator does, in another fresh process; 4. writes
//    results.json and RESULTS.md beside this script. The files go to a temporary folder and are removed.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const dist = (p) => path.join(ROOT, p, 'dist', 'index.js');
for (const p of ['plugins/estimator-tabular', 'plugins/search-space-nb101', 'libs/data']) {
  if (!fs.existsSync(dist(p))) {
    console.error(`nb101-convert bench: ${dist(p)} is missing. Build first: node tools/scripts/build.cjs`);
    process.exit(2);
  }
}
const { convertNb101, openBenchmarkTable, NB101_RELEASE } = require(dist('plugins/estimator-tabular'));
const { forEachNb101Class, nb101Hash, NB101_OPS } = require(dist('plugins/search-space-nb101'));
const { encodeTfRecord } = require(dist('libs/data'));

const ONLY108 = process.argv.includes('--only108');
const EPOCHS = ONLY108 ? [108] : [4, 12, 36, 108];
const REPEATS = 3;

// mulberry32: seeded, fast.
let seed = 101;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

// ModelMetrics wire format (model_metrics.proto), 3 EvaluationData of 5 doubles + params + total time.
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
function metricsBytes(epochs, params) {
  const out = [];
  const dbl = (field, x) => {
    out.push((field << 3) | 1);
    f64[0] = x;
    for (let i = 0; i < 8; i++) out.push(f64b[i]);
  };
  const finalVal = Math.fround(0.7 + 0.25 * rand());
  let time = 0;
  for (const frac of [0, 0.5, 1]) {
    out.push((1 << 3) | 2, 45); // EvaluationData, 5 x (1 + 8) bytes
    time = frac === 0 ? 0 : Math.fround(epochs * frac * (3 + 40 * rand()));
    dbl(1, epochs * frac);
    dbl(2, time);
    dbl(3, Math.fround(finalVal * frac + 0.05));
    dbl(4, Math.fround(finalVal * frac));
    dbl(5, Math.fround(finalVal * frac - 0.003));
  }
  out.push(2 << 3);
  for (let v = params; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out.push(v);
      break;
    }
    out.push((v & 0x7f) | 0x80);
  }
  dbl(3, time * 1.1);
  return Buffer.from(out);
}

function adjacencyText(n, bits) {
  let s = '';
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += j > i && (bits >>> (i + ((j * (j - 1)) >> 1))) & 1 ? '1' : '0';
  return s;
}

async function writeSynthetic(file) {
  const t0 = performance.now();
  const out = fs.createWriteStream(file, { highWaterMark: 1 << 22 });
  let pending = [];
  let pendingBytes = 0;
  let records = 0;
  let cells = 0;
  const flush = async () => {
    if (!out.write(Buffer.concat(pending, pendingBytes))) await new Promise((r) => out.once('drain', r));
    pending = [];
    pendingBytes = 0;
  };
  const all = [];
  forEachNb101Class((n, bits, labels) => all.push([n, bits, Array.from(labels.subarray(0, n - 2))]));
  for (const [n, bits, labels] of all) {
    const hash = nb101Hash({ n, bits, labels });
    const adj = adjacencyText(n, bits);
    const ops = ['input', ...labels.map((l) => NB101_OPS[l]), 'output'].join(',');
    const params = 227274 + Math.floor(rand() * 49_752_000);
    cells++;
    for (const e of EPOCHS) {
      for (let r = 0; r < REPEATS; r++) {
        const row = JSON.stringify([hash, e, adj, ops, metricsBytes(e, params).toString('base64')]);
        const rec = encodeTfRecord(Buffer.from(row));
        pending.push(rec);
        pendingBytes += rec.length;
        records++;
      }
    }
    if (pendingBytes > 1 << 22) await flush();
  }
  await flush();
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  return { records, cells, bytes: fs.statSync(file).size, ms: performance.now() - t0 };
}

/** Child process: converts argv[3] into argv[4] and prints timings and peak RSS as JSON. */
async function convertChild(source, output) {
  const t0 = performance.now();
  let readMs = 0;
  const result = await convertNb101({
    source,
    output,
    onProgress: (p) => {
      if (p.phase === 'write' && readMs === 0) readMs = performance.now() - t0;
    },
  });
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, readMs, result, maxRssKiB: process.resourceUsage().maxRSS }));
}

/** Child process: loads every metric of the converted table under data dir argv[3], as the estimator does. */
function loadChild(dataDir) {
  const t0 = performance.now();
  const table = openBenchmarkTable({ benchmark: 'nb101', dataset: 'cifar10', dataDir });
  table.load();
  console.log(JSON.stringify({ ms: performance.now() - t0, metrics: table.metrics, maxRssKiB: process.resourceUsage().maxRSS }));
}

function child(args) {
  const r = spawnSync(process.execPath, [__filename, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-nb101-bench-'));
  try {
    const source = path.join(dir, ONLY108 ? 'nasbench_only108.tfrecord' : 'nasbench_full.tfrecord');
    console.error(`writing a synthetic ${path.basename(source)} (${EPOCHS.length} budget(s) x ${REPEATS} repeats x every NB101 cell) ...`);
    const synth = await writeSynthetic(source);
    console.error(`  ${synth.records.toLocaleString('en-US')} records, ${(synth.bytes / 1e9).toFixed(2)} GB in ${(synth.ms / 1000).toFixed(1)} s`);
    const produces = NB101_RELEASE.files[ONLY108 ? 1 : 0].produces;
    const output = path.join(dir, 'data', NB101_RELEASE.subdir, produces);
    console.error(`converting it to ${produces} ...`);
    const { ms, readMs, result, maxRssKiB } = child(['--convert-child', source, output]);
    const outBytes = fs.statSync(output).size;
    fs.rmSync(source);
    console.error('loading the table as the tabular estimator does ...');
    const load = child(['--load-child', path.join(dir, 'data')]);
    const results = {
      machine: machineInfo(),
      synthetic: {
        file: path.basename(source),
        records: synth.records,
        cells: synth.cells,
        bytes: synth.bytes,
        officialApproxBytes: NB101_RELEASE.files[ONLY108 ? 1 : 0].approxBytes,
      },
      convert: {
        seconds: +(ms / 1000).toFixed(1),
        readSeconds: +(readMs / 1000).toFixed(1),
        writeSeconds: +((ms - readMs) / 1000).toFixed(1),
        mbPerSecond: +(synth.bytes / 1e6 / (ms / 1000)).toFixed(0),
        recordsPerSecond: Math.round(synth.records / (ms / 1000)),
        models: result.models,
        storeMiB: +(result.storeBytes / 2 ** 20).toFixed(1),
        peakRssMiB: +(maxRssKiB / 1024).toFixed(0),
        outputMB: +(outBytes / 1e6).toFixed(1),
      },
      load: { seconds: +(load.ms / 1000).toFixed(1), metrics: load.metrics, peakRssMiB: +(load.maxRssKiB / 1024).toFixed(0) },
    };
    fs.writeFileSync(path.join(__dirname, ONLY108 ? 'results-only108.json' : 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const c = results.convert;
    const md = [
      '# convertNb101 on a synthetic NAS-Bench-101 release',
      '',
      `Written by \`node tools/bench/nb101-convert/nb101-convert.bench.cjs${ONLY108 ? ' --only108' : ''}\`. Machine: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}.`,
      '',
      `Input: ${synth.records.toLocaleString('en-US')} records (${synth.cells.toLocaleString('en-US')} cells x ${EPOCHS.join('/')} epochs x ${REPEATS} repeats), ${(synth.bytes / 1e9).toFixed(2)} GB (the official ${path.basename(source)}: ${NB101_RELEASE.files[ONLY108 ? 1 : 0].size}).`,
      '',
      '| measure | value |',
      '|---|---|',
      `| conversion, wall | ${c.seconds} s (read + aggregate ${c.readSeconds} s, sort + write ${c.writeSeconds} s) |`,
      `| throughput | ${c.mbPerSecond} MB/s, ${c.recordsPerSecond.toLocaleString('en-US')} records/s |`,
      `| per-cell store | ${c.storeMiB} MiB for ${c.models.toLocaleString('en-US')} cells |`,
      `| peak RSS of the converting process | ${c.peakRssMiB} MiB |`,
      `| output table | ${c.outputMB} MB gzipped (${produces}) |`,
      `| tabular estimator: first load of the table (all ${results.load.metrics.length} metrics) | ${results.load.seconds} s, peak RSS ${results.load.peakRssMiB} MiB |`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(__dirname, ONLY108 ? 'RESULTS-only108.md' : 'RESULTS.md'), md);
    console.log(md);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const mode = process.argv[2];
(mode === '--convert-child'
  ? convertChild(process.argv[3], process.argv[4])
  : mode === '--load-child'
    ? Promise.resolve(loadChild(process.argv[3]))
    : main()
).catch((e) => {
  console.error(e);
  process.exit(1);
});
