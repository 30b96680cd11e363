#!/usr/bin/env node
// Kendall τ of supernet estimates within the groups of few-shot NAS's split: the cells sharing edge
// 0's operation, which one sub-supernet ranks on its own. For each estimates CSV of a supernet
// bench's working folder (columns arch, supernet_acc, supernet_loss; `nasx score -o` writes them),
// prints a markdown table: per group, τ against NB201's 200-epoch CIFAR-10 accuracy by accuracy and
// by −loss, and the accuracies' mean and spread (standard deviation, distinct values). A group whose
// accuracy τ falls far below its loss τ ranks on accuracies too close together for the validation
// images to tell apart.
//
//   NASX_DATA=<data dir with nas-bench-201/> node tools/bench/supernet/group-tau.cjs <csv>...
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { builtStats, csv, nb201Truth, edge0Op, withinSplitTau } = require('./common.cjs');

const BENCH = 'group-tau';
const files = process.argv.slice(2);
if (!files.length || files.some((f) => !fs.existsSync(f))) {
  console.error(`${BENCH}: give the estimates CSV files to read (${files.filter((f) => !fs.existsSync(f)).join(', ') || 'none given'} missing)`);
  process.exit(2);
}
const { kendallTau, mean, sampleStd } = builtStats(BENCH);
const truth = nb201Truth();
const f3 = (x) => (x < 0 ? '−' : '') + Math.abs(x).toFixed(3);

for (const file of files) {
  const rows = csv(file);
  if (!rows.length || !('supernet_acc' in rows[0]) || !('supernet_loss' in rows[0])) {
    console.error(`${BENCH}: ${file} has no supernet_acc and supernet_loss columns; give the CSV a supernet estimator's nasx score wrote`);
    process.exit(2);
  }
  const groups = new Map();
  for (const r of rows) {
    const t = truth.get(r.arch);
    if (t === undefined) {
      console.error(`${BENCH}: ${file}: ${r.arch} is not an NB201 cell of the table`);
      process.exit(2);
    }
    const op = edge0Op(r.arch);
    if (!groups.has(op)) groups.set(op, { acc: [], loss: [], tru: [] });
    const g = groups.get(op);
    g.acc.push(Number(r.supernet_acc));
    g.loss.push(-Number(r.supernet_loss));
    g.tru.push(t);
  }
  const all = { acc: [], loss: [], tru: [] };
  for (const g of groups.values()) for (const k of Object.keys(all)) all[k].push(...g[k]);
  console.log(`\n${path.basename(path.dirname(file))}/${path.basename(file)}: ${rows.length} cells\n`);
  console.log('| edge 0 | cells | τ by accuracy | τ by −loss | accuracy mean | accuracy sd | distinct accuracies |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [op, g] of groups) {
    console.log(
      `| ${op} | ${g.acc.length} | ${f3(kendallTau(g.acc, g.tru))} | ${f3(kendallTau(g.loss, g.tru))} | ${mean(g.acc).toFixed(1)} | ${sampleStd(g.acc).toFixed(2)} | ${new Set(g.acc).size} |`,
    );
  }
  const cells = rows.map((r) => r.arch);
  const within = (estimate) => f3(withinSplitTau(cells, estimate, truth, kendallTau));
  console.log(
    `| within (weighted) | ${rows.length} | ${within(rows.map((r) => Number(r.supernet_acc)))} | ${within(rows.map((r) => -Number(r.supernet_loss)))} | | | |`,
  );
  console.log(
    `| all | ${rows.length} | ${f3(kendallTau(all.acc, all.tru))} | ${f3(kendallTau(all.loss, all.tru))} | ${mean(all.acc).toFixed(1)} | ${sampleStd(all.acc).toFixed(2)} | ${new Set(all.acc).size} |`,
  );
}
