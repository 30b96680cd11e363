#!/usr/bin/env node
// CPU seconds of the heaviest jest spec files, one at a time (`npx jest --runInBand <file>`), children
// included (/usr/bin/time's user + system: the CLI processes, npm and worker threads a spec starts).
// CPU rather than wall time because the suite runs on shared machines, where wall time says more
// about the neighbours than about the tests; `npm test` on 2 cores takes about half the suite's CPU
// seconds, so a spec's CPU is what it costs the run.
//
//   node tools/bench/test-cpu/test-cpu.bench.cjs [--top 22] [spec ...]
//
// Without specs: the `--top` slowest of tools/jest/durations.json. Reference data: NASX_TEST_DATA,
// else the shared/data folder beside the repository (specs that need it are skipped without it).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const argv = process.argv.slice(2);
const topAt = argv.indexOf('--top');
const top = topAt >= 0 ? Number(argv[topAt + 1]) : 22;
const named = argv.filter((a, i) => !(topAt >= 0 && (i === topAt || i === topAt + 1)));
if (!fs.existsSync('/usr/bin/time')) {
  console.error('test-cpu: needs /usr/bin/time (GNU time; apt-get install time)');
  process.exit(2);
}
const durations = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'jest', 'durations.json'), 'utf8')).seconds;
const specs = named.length
  ? named
  : Object.entries(durations)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([f]) => f);
const env = { ...process.env };
const shared = path.resolve(ROOT, '..', 'shared', 'data');
if (!env.NASX_TEST_DATA && fs.existsSync(shared)) env.NASX_TEST_DATA = shared;

/** Writes results.json; returns the total CPU seconds. */
function write(rows) {
  const total = +rows.reduce((s, r) => s + r.cpuSeconds, 0).toFixed(1);
  const out = { machine: machineInfo(), date: new Date().toISOString(), totalCpuSeconds: total, specs: rows };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  return total;
}

const rows = [];
for (const spec of specs) {
  const timeFile = path.join(require('node:os').tmpdir(), `nasx-test-cpu-${process.pid}.txt`);
  const t0 = Date.now();
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%U %S', 'npx', 'jest', '--runInBand', spec], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const [user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  fs.rmSync(timeFile, { force: true });
  // A spec whose reference data is absent passes with its cases skipped: say so, its CPU is not the real cost.
  const tests = /^Tests:\s+(.*)$/m.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? 'no summary';
  const row = {
    spec,
    passed: r.status === 0,
    tests,
    cpuSeconds: +(user + sys).toFixed(1),
    wallSeconds: +((Date.now() - t0) / 1000).toFixed(1),
    loadAverage1m: +require('node:os').loadavg()[0].toFixed(2),
  };
  rows.push(row);
  // Written after every spec, so an interrupted run keeps what it measured.
  write(rows);
  console.error(
    `${row.cpuSeconds.toFixed(1).padStart(6)} CPU s  ${row.wallSeconds.toFixed(1).padStart(6)} wall s  ${row.passed ? 'pass' : 'FAIL'}  ${spec} (${tests})`,
  );
}
const total = write(rows);
console.error(`${total.toFixed(1).padStart(6)} CPU s in all`);
process.exit(rows.every((r) => r.passed) ? 0 : 1);
