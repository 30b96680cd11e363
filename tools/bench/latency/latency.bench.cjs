#!/usr/bin/env node
// Latency-model throughput: predictions per second of the `table` model (NAS-Bench-201 cells, one
// device of the HELP table) and of the `lut` model on MnasNet-space networks (sums over the
// network-level ArchGraph of sampled `mnas` architectures, from an operator table of all of the
// space's operators). Targets of issue #11: table ≥ 1,000,000/s, lut ≥ 100,000/s.
//   node tools/bench/latency/latency.bench.cjs [--profile]
// --profile also times `nasx latency profile --space mnas` at 224×224 (all operators, one input
// size; target < 5 minutes on 2 cores). Data: NASX_DATA, else the shared/data folder beside the
// repository (hw-latency-help/ for the table). Needs the built workspace. Writes results.json and
// RESULTS.md beside this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const req = (name) => require(path.join(ROOT, 'node_modules', name));
const { formatOperatorTable, operatorKey } = req('@nasx/contracts');
const { createRng } = req('@nasx/kernel');
const { tableLatencyModel } = req('@nasx/latency-model-table');
const { lutLatencyModel } = req('@nasx/latency-model-lut');
const { nb201SearchSpace } = req('@nasx/search-space-nb201');
const { mnasSearchSpace } = req('@nasx/search-space-mnas');

const data = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
if (!fs.existsSync(path.join(data, 'hw-latency-help'))) {
  console.error(`latency bench: no hw-latency-help/ under ${data}; set NASX_DATA`);
  process.exit(2);
}
const PROFILE = process.argv.includes('--profile');
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const deps = (extra) => ({ configDir: ROOT, logger: silent, rng: createRng(0), ...extra });
const withDefaults = (schema, options) => {
  const out = { ...options };
  for (const [k, p] of Object.entries(schema.properties ?? {})) if (out[k] === undefined && p.default !== undefined) out[k] = p.default;
  return out;
};

const cpuSeconds = (since) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

/**
 * Predictions per second of `fn` over `items`: passes over the items for ≥ 1 s, median of 5
 * rounds, per second of wall-clock time and per second of this process's CPU time (other load on
 * the machine slows the first more than the second).
 */
function rate(items, fn) {
  const wall = [];
  const cpu = [];
  let sink = 0;
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let t = t0;
    while (Number(t - t0) < 1e9) {
      for (let i = 0; i < items.length; i++) sink += fn(items[i]);
      n += items.length;
      t = process.hrtime.bigint();
    }
    wall.push(n / (Number(t - t0) / 1e9));
    cpu.push(n / cpuSeconds(c0));
  }
  if (!Number.isFinite(sink)) throw new Error('non-finite latency');
  const med = (xs) => Math.round([...xs].sort((a, b) => a - b)[2]);
  return { wall: med(wall), cpu: med(cpu) };
}

/** Predictions per second on `count` fresh items, each seen once (no cache can help). */
function coldRate(make, fn, count) {
  const items = Array.from({ length: count }, make);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let sink = 0;
  for (const it of items) sink += fn(it);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = cpuSeconds(c0);
  if (!Number.isFinite(sink)) throw new Error('non-finite latency');
  return { wall: Math.round(count / s), cpu: Math.round(count / c) };
}

async function main() {
  const results = { date: new Date().toISOString().slice(0, 10), machine: machineInfo(), table: {}, lut: {} };
  // Calibration: Map.get of 1,000 object keys, the cheapest lookup there is, on this machine now.
  const keys = Array.from({ length: 1000 }, (_, i) => ({ i }));
  const map = new Map(keys.map((k) => [k, k.i]));
  results.calibrationMapGetsPerSecond = rate(keys, (k) => map.get(k));

  // --- table: every NAS-Bench-201 cell on pixel3 (HELP / HW-NAS-Bench).
  const nb201 = await nb201SearchSpace.create(withDefaults(nb201SearchSpace.optionsSchema, {}), deps({}));
  const table = await tableLatencyModel.create({ device: 'pixel3' }, deps({ space: nb201, dataDir: data }));
  const cells = [...nb201.enumerate()];
  results.table = {
    device: 'pixel3',
    architectures: cells.length,
    predictionsPerSecond: rate(cells, (a) => table.predict(a, 'pixel3')),
  };
  console.error(`table: ${JSON.stringify(results.table)}`);

  // --- lut: MnasNet space at 224×224 (MnasNet's mobile latency setting), a table of all its operators.
  const mnas = await mnasSearchSpace.create(withDefaults(mnasSearchSpace.optionsSchema, {}), deps({}));
  const ops = mnas.operators();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-latency-bench-'));
  const file = path.join(dir, 'mnas224.csv');
  // Synthetic device: each operator's cost from its MACs (lookup speed does not depend on the values).
  const rows = [...new Map(ops.map((n) => [operatorKey(n), { key: operatorKey(n), ms: (n.flops ?? 0) / 2e7 + 0.01, samples: 1 }])).values()];
  fs.writeFileSync(file, formatOperatorTable({ device: 'synthetic', backend: 'none (synthesised from MACs)', batch: 1 }, rows));
  const t0 = Date.now();
  const lut = await lutLatencyModel.create({ table: file }, deps({ space: mnas, dataDir: dir }));
  const loadMs = Date.now() - t0;
  const rng = createRng(11);
  const archs = Array.from({ length: 2000 }, () => mnas.sample(rng));
  const graphs = archs.map((a) => mnas.toGraph(a));
  const nodes = graphs.reduce((n, g) => n + g.nodes.length, 0) / graphs.length;
  results.lut = {
    space: 'mnas',
    input: '3x224x224',
    operatorsInTable: lut.size,
    tableLoadMs: loadMs,
    sampledNetworks: graphs.length,
    meanNodesPerNetwork: +nodes.toFixed(1),
    // predict(graph): the sum over a given ArchGraph's nodes (no cache on this path).
    graphPredictionsPerSecond: rate(graphs, (g) => lut.predict(g, 'synthetic')),
    // The same over 100 of them, whose objects stay in the CPU caches (as a graph just built does).
    graphPredictionsInCachePerSecond: rate(graphs.slice(0, 100), (g) => lut.predict(g, 'synthetic')),
    // predict(arch), each architecture seen once: space.toGraph + the sum.
    coldArchPredictionsPerSecond: coldRate(
      () => mnas.sample(rng),
      (a) => lut.predict(a, 'synthetic'),
      20000,
    ),
    // toGraph alone, for the share of the cold path that is the space's.
    toGraphPerSecond: coldRate(
      () => mnas.sample(rng),
      (a) => mnas.toGraph(a).nodes.length,
      20000,
    ),
    // predict(arch) again for architectures already priced (a search revisiting them): the cache.
    cachedArchPredictionsPerSecond: rate(archs, (a) => lut.predict(a, 'synthetic')),
    // predictMany over 2,000 graphs at once.
    predictManyPerSecond: ((r) => ({ wall: r.wall * graphs.length, cpu: r.cpu * graphs.length }))(
      rate([graphs], (gs) => lut.predictMany(gs, 'synthetic').length),
    ),
  };
  console.error(`lut: ${JSON.stringify(results.lut)}`);

  if (PROFILE) {
    const out = path.join(dir, 'profiled.csv');
    const t = Date.now();
    const r = spawnSync(process.execPath, [path.join(ROOT, 'apps/cli/bin/nasx.js'), 'latency', 'profile', '--space', 'mnas', '-o', out, '-q'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`nasx latency profile failed: ${r.stderr}`);
    const text = fs.readFileSync(out, 'utf8');
    results.profile = {
      space: 'mnas',
      input: '3x224x224',
      seconds: +((Date.now() - t) / 1000).toFixed(1),
      operators: text
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('"')).length,
      backend: /# backend: (.*)/.exec(text)[1],
      repeats: 5,
      warmup: 2,
    };
    console.error(`profile: ${JSON.stringify(results.profile)}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });

  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const f = (n) => n.toLocaleString('en');
  const both = (r) => `${f(r.cpu)} | ${f(r.wall)}`;
  const m = results.machine;
  const L = results.lut;
  const md = [
    '# Latency-model throughput',
    '',
    `\`node tools/bench/latency/latency.bench.cjs${PROFILE ? ' --profile' : ''}\` (${results.date}) on ${m.cpu}, ${m.cores} cores, Node ${m.node}, load average ${m.loadAverage1m} when it started. Median of 5 rounds of ≥ 1 s; per second of the process's CPU time and of wall-clock time (other load on the machine slows the second).`,
    '',
    `Calibration on the same machine at the same time: \`Map.get\` of an object key runs ${both(results.calibrationMapGetsPerSecond)} times/s (CPU | wall); an idle modern core does ≈ 50–100 million.`,
    '',
    '| model | what is timed | per CPU-second | per wall-second | target |',
    '|---|---|---|---|---|',
    `| \`table\` | \`predict(arch, 'pixel3')\` over all ${f(results.table.architectures)} NB201 cells | ${both(results.table.predictionsPerSecond)} | ≥ 1,000,000 |`,
    `| \`lut\` | \`predict(graph)\`: the sum over a given ArchGraph (${L.sampledNetworks} sampled mnas networks at 224×224, ${L.meanNodesPerNetwork} nodes on average) | ${both(L.graphPredictionsPerSecond)} | ≥ 100,000 |`,
    `| \`lut\` | the same over 100 of the graphs (their objects stay in the CPU caches, as a graph just built does) | ${both(L.graphPredictionsInCachePerSecond)} | |`,
    `| \`lut\` | \`predictMany\` of the ${L.sampledNetworks} graphs | ${both(L.predictManyPerSecond)} | |`,
    `| \`lut\` | \`predict(arch)\`, each architecture new (\`space.toGraph\` + the sum) | ${both(L.coldArchPredictionsPerSecond)} | |`,
    `| (space) | \`mnas.toGraph(arch)\` alone | ${both(L.toGraphPerSecond)} | |`,
    `| \`lut\` | \`predict(arch)\` of architectures already priced (cache by key) | ${both(L.cachedArchPredictionsPerSecond)} | |`,
    '',
    `The lut table holds all ${f(L.operatorsInTable)} operators of the mnas space at 224×224 (\`operators()\`), synthesised from their MACs: the lookup's speed does not depend on the values. Reading it took ${L.tableLoadMs} ms (with the check that it covers the space).`,
    '',
    results.profile
      ? `Profiling: \`nasx latency profile --space mnas\` timed all ${f(results.profile.operators)} operators at 224×224 (median of ${results.profile.repeats} after ${results.profile.warmup} warm-up runs) in ${results.profile.seconds} s on ${results.profile.backend} (target < 300 s on 2 cores).`
      : 'Profiling was not timed in this run (`--profile`).',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
  process.stdout.write(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
