#!/usr/bin/env node
// The acceptance run of `nasx bench360` on the real NAS-Bench-360 samples (ECG, Darcy, Satellite):
//   node tools/bench/bench360/bench360.bench.cjs [--data-dir DIR] [--budget small] [--seeds N] [--device pi5_litert]
// DIR defaults to the shared data folder beside the repository (its nas-bench-360-samples/ and, for
// --device, hw-nas-bench-360/ and nas-bench-201/). Runs the BUILT CLI in a temporary folder, times it,
// and copies results.json (with the machine), RESULTS.md and results.svg here.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const dataDir = path.resolve(arg('--data-dir', path.join(ROOT, '..', 'shared', 'data')));
const budget = arg('--budget', 'small');
const seeds = arg('--seeds', undefined);
const device = arg('--device', undefined);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-bench360-'));
const machine = machineInfo();
const args = [
  'bench360',
  '--tasks',
  'ecg,darcy,satellite',
  '--budget',
  budget,
  '--data-dir',
  dataDir,
  '-o',
  out,
  ...(seeds ? ['--seeds', seeds] : []),
  ...(device ? ['--device', device] : []),
];
console.error(`nasx ${args.join(' ')}`);
const t0 = Date.now();
const r = spawnSync(process.execPath, [path.join(ROOT, 'apps', 'cli', 'bin', 'nasx.js'), ...args], {
  cwd: out,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
});
const seconds = (Date.now() - t0) / 1000;
if (r.status !== 0) {
  console.error(`nasx bench360 failed (exit ${r.status})`);
  process.exit(1);
}
const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
const command = `nasx bench360 --tasks ecg,darcy,satellite --budget ${budget}${seeds ? ` --seeds ${seeds}` : ''}${device ? ` --device ${device}` : ''} --data-dir <shared data>`;
fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify({ machine, command, wallSeconds: seconds, ...results }, null, 2) + '\n');
const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
fs.writeFileSync(
  path.join(__dirname, 'RESULTS.md'),
  md.replace(
    /^# nasx bench360 results\n/,
    `# nasx bench360 results\n\n\`${command}\` on ${machine.cpu}, ${machine.cores} cores (load ${machine.loadAverage1m} at the start): **${(seconds / 60).toFixed(1)} min** end to end, start-up included. Regenerate with \`node tools/bench/bench360/bench360.bench.cjs\`.\n`,
  ),
);
fs.copyFileSync(path.join(out, 'results.svg'), path.join(__dirname, 'results.svg'));
fs.rmSync(out, { recursive: true, force: true });
console.error(`wrote tools/bench/bench360/{results.json,RESULTS.md,results.svg} (${(seconds / 60).toFixed(1)} min)`);
