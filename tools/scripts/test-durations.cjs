#!/usr/bin/env node
// Refreshes tools/jest/durations.json (seconds per spec file, read by tools/jest/sequencer.cjs)
// from the report of a full run: `npx jest --json --outputFile=jest.json`, then
// `node tools/scripts/test-durations.cjs jest.json`.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const input = process.argv[2];
if (!input) {
  console.error('usage: node tools/scripts/test-durations.cjs <report of jest --json>');
  process.exit(2);
}
let report;
try {
  report = JSON.parse(fs.readFileSync(input, 'utf8'));
} catch (e) {
  console.error(`test-durations: cannot read ${input} as a jest --json report (${e.message}); run npx jest --json --outputFile=${input} first`);
  process.exit(2);
}
const seconds = {};
for (const r of report.testResults ?? []) {
  const rel = path.relative(ROOT, r.name).split(path.sep).join('/');
  if (rel.startsWith('..')) continue;
  seconds[rel] = Math.round((r.endTime - r.startTime) / 100) / 10;
}
const sorted = Object.fromEntries(Object.entries(seconds).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
const out = path.join(ROOT, 'tools', 'jest', 'durations.json');
fs.writeFileSync(out, JSON.stringify({ note: 'seconds per spec file of one full run; only their order matters', seconds: sorted }, null, 2) + '\n');
console.error(
  `wrote ${path.relative(ROOT, out)}: ${Object.keys(sorted).length} files, ${Object.values(sorted)
    .reduce((a, b) => a + b, 0)
    .toFixed(0)} s in all`,
);
