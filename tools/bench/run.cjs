#!/usr/bin/env node
// Runs every benchmark under tools/bench/*/ (each a *.bench.cjs that writes results.json and
// RESULTS.md beside itself) against the built workspace. Data: NASX_DATA, else the shared/data
// folder beside the repository.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const only = process.argv[2];
const benches = fs
  .readdirSync(__dirname, { withFileTypes: true })
  .filter((d) => d.isDirectory() && (!only || d.name === only))
  .flatMap((d) =>
    fs
      .readdirSync(path.join(__dirname, d.name))
      .filter((f) => f.endsWith('.bench.cjs'))
      .map((f) => path.join(__dirname, d.name, f)),
  );
let failed = 0;
for (const b of benches) {
  console.error(`\n== ${path.relative(path.resolve(__dirname, '..', '..'), b)}`);
  const r = spawnSync(process.execPath, [b], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
