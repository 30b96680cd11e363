#!/usr/bin/env node
// Benchmark and full check of the NB101 enumeration in @nasx/search-space-nb101 (the BUILT
// package: `npx tsc -b plugins/search-space-nb101`).
//   node tools/bench/nb101/enumerate.bench.cjs [--no-brute-force]
// Data: NASX_DATA, else the `shared/data` folder beside the repository (nas-bench-101/). Measures,
// each in a fresh child process (one core):
//   1. the enumeration alone (isomorphism classes, no hashing);
//   2. the index build: enumeration + NB101 module hash of every class + sort (time, peak RSS);
//      checks: exactly 423,624 classes and 423,624 distinct hashes, every one of the 20,001 table
//      hashes produced, and the table = the 20,001 smallest hashes;
//   3. the disk cache: write, then load in a fresh process (time, file size);
//   4. (unless --no-brute-force) NB101's own generate_graphs.py procedure: hash every labelled
//      full DAG (~1.3M) and compare the set of hashes with the index's;
//   5. the space restricted to the table (keysFrom): sample and mutate stay inside it;
// and writes results.json + RESULTS.md next to this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const { machineInfo } = require('../machine.cjs');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'plugins', 'search-space-nb101', 'dist');
const KERNEL = path.join(ROOT, 'libs', 'kernel', 'dist');
const TABLE = path.join('nas-bench-101', 'nb101_first20001_by_hash_nasbenchvis.csv.gz');
const TARGET_S = 120;
const TARGET_RSS_MB = 2048;
const EXPECTED = 423624;

function dataDir() {
  const d = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
  if (!fs.existsSync(path.join(d, TABLE))) {
    console.error(`nb101 bench: no ${TABLE} under ${d}. Set NASX_DATA to the folder holding nas-bench-101/.`);
    process.exit(2);
  }
  return d;
}

function loadPlugin() {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    console.error(`nb101 bench: ${DIST} is missing. Build first: npx tsc -b plugins/search-space-nb101`);
    process.exit(2);
  }
  return require(DIST);
}

function tableHashes(dir) {
  const lines = zlib
    .gunzipSync(fs.readFileSync(path.join(dir, TABLE)))
    .toString('utf8')
    .trimEnd()
    .split('\n');
  const col = lines[0].split(',').indexOf('module_hash');
  return lines.slice(1).map((l) => l.split(',')[col]);
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

// ---- children: one measurement each in a fresh process --------------------------------------
const mode = process.argv[2];
if (mode === '--child-enumerate') {
  const m = loadPlugin();
  const t0 = performance.now();
  const stats = m.forEachNb101Class(() => {});
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, stats, peakRssMb: peakRssMb() }));
  process.exit(0);
}
if (mode === '--child-build') {
  const [cacheDir, dir] = process.argv.slice(3);
  const m = loadPlugin();
  const rss0 = peakRssMb();
  const t0 = performance.now();
  const index = m.Nb101Index.build();
  const buildMs = performance.now() - t0;
  const peak = peakRssMb();
  // Checks against the table.
  const table = tableHashes(dir);
  let missing = 0;
  for (const h of table) if (index.find(h) < 0) missing++;
  let prefix = 0;
  while (prefix < table.length && index.hashAt(prefix) === table[prefix]) prefix++;
  const byVertices = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < index.size; i++) byVertices[index.cellAt(i).n]++;
  // The cache file, as the space writes it.
  const t1 = performance.now();
  const file = path.join(cacheDir, m.NB101_INDEX_FILE);
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(file, index.toBuffer());
  const writeMs = performance.now() - t1;
  process.stdout.write(
    JSON.stringify({
      buildMs,
      writeMs,
      peakRssMb: peak,
      baseRssMb: rss0,
      emitted: index.stats.total,
      perVertexCount: index.stats.cells,
      fullDags: index.stats.fullDags,
      matrixClasses: index.stats.matrixClasses,
      distinct: index.size,
      collisions: index.collisions,
      byVertices,
      table: { rows: table.length, missing, prefixMatched: prefix, first: table[0], last: table[table.length - 1] },
      fileBytes: fs.statSync(file).size,
    }),
  );
  process.exit(0);
}
if (mode === '--child-load') {
  const cacheDir = process.argv[3];
  const m = loadPlugin();
  const t0 = performance.now();
  const got = m.loadNb101Index({ cacheDir });
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, source: got.source, size: got.index.size, peakRssMb: peakRssMb() }));
  process.exit(0);
}
if (mode === '--child-brute') {
  const cacheDir = process.argv[3];
  const m = loadPlugin();
  const index = m.loadNb101Index({ cacheDir }).index;
  const hasher = new m.Nb101Hasher();
  const t0 = performance.now();
  const seen = new Set();
  let labelled = 0;
  let notInIndex = 0;
  for (let n = 2; n <= 7; n++) {
    const spots = (n * (n - 1)) / 2;
    const labels = new Array(n - 2).fill(0);
    for (let bits = 0; bits < 1 << spots; bits++) {
      let e = 0;
      for (let x = bits; x; x &= x - 1) e++;
      if (e > 9) continue;
      const p = m.pruneBits(n, bits);
      if (!p || p.n !== n) continue; // graph_util.is_full_dag
      for (let code = 0; code < 3 ** (n - 2); code++) {
        let c = code;
        for (let t = 0; t < n - 2; t++) {
          labels[t] = c % 3;
          c = (c - labels[t]) / 3;
        }
        labelled++;
        const h = hasher.hex({ n, bits, labels });
        if (!seen.has(h)) {
          seen.add(h);
          if (index.find(h) < 0) notInIndex++;
        }
      }
    }
  }
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, labelled, distinct: seen.size, notInIndex, peakRssMb: peakRssMb() }));
  process.exit(0);
}
if (mode === '--child-restricted') {
  const [cacheDir, dir] = process.argv.slice(3);
  const m = loadPlugin();
  const { createRng } = require(KERNEL);
  const table = new Set(tableHashes(dir));
  const t0 = performance.now();
  const space = m.createNb101SearchSpace({ keysFrom: { file: TABLE }, cacheDir }, { dataDir: dir, configDir: ROOT });
  const createMs = performance.now() - t0;
  const rng = createRng(2019);
  const N = 10000;
  let outside = 0;
  let same = 0;
  let t = performance.now();
  const samples = [];
  for (let i = 0; i < N; i++) {
    const a = space.sample(rng);
    if (!table.has(a.key)) outside++;
    samples.push(a);
  }
  const sampleUs = ((performance.now() - t) * 1000) / N;
  t = performance.now();
  let a = samples[0];
  for (let i = 0; i < N; i++) {
    const b = space.mutate(a, rng);
    if (!table.has(b.key)) outside++;
    if (b.key === a.key) same++;
    a = b;
  }
  const mutateUs = ((performance.now() - t) * 1000) / N;
  process.stdout.write(JSON.stringify({ createMs, size: space.size, sampleUs, mutateUs, outside, same, draws: 2 * N }));
  process.exit(0);
}

// ---- parent ---------------------------------------------------------------------------------
function child(args) {
  const r = spawnSync(process.execPath, [__filename, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`child ${args[0]} failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function main() {
  const dir = dataDir();
  loadPlugin();
  const brute = !process.argv.includes('--no-brute-force');
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-nb101-bench-'));
  try {
    console.error('nb101 bench: enumeration only …');
    const enumeration = child(['--child-enumerate']);
    console.error(`  ${enumeration.ms.toFixed(0)} ms; index build (enumerate + hash + sort) …`);
    const build = child(['--child-build', cacheDir, dir]);
    console.error(`  ${(build.buildMs / 1000).toFixed(1)} s, peak RSS ${build.peakRssMb.toFixed(0)} MB; cache load …`);
    const load = child(['--child-load', cacheDir]);
    let bruteForce;
    if (brute) {
      console.error('  brute force (generate_graphs.py procedure) …');
      bruteForce = child(['--child-brute', cacheDir]);
    }
    console.error('  restricted space (keysFrom the table) …');
    const restricted = child(['--child-restricted', cacheDir, dir]);

    const machine = machineInfo();
    const checks = {
      emitted_is_423624: build.emitted === EXPECTED,
      distinct_hashes_is_423624: build.distinct === EXPECTED && build.collisions === 0,
      all_table_hashes_produced: build.table.missing === 0,
      table_is_the_smallest_hashes: build.table.prefixMatched === build.table.rows,
      cache_reloads: load.source === 'disk' && load.size === EXPECTED,
      brute_force_agrees: bruteForce ? bruteForce.distinct === EXPECTED && bruteForce.notInIndex === 0 : null,
      restricted_stays_in_table: restricted.outside === 0 && restricted.same === 0,
      time_under_target: build.buildMs / 1000 < TARGET_S,
      rss_under_target: build.peakRssMb < TARGET_RSS_MB,
    };
    const results = {
      bench: 'nb101-enumerate',
      date: new Date().toISOString(),
      machine,
      data: TABLE,
      enumeration: {
        ms: +enumeration.ms.toFixed(1),
        fullDags: enumeration.stats.fullDags,
        matrixClasses: enumeration.stats.matrixClasses,
        cells: enumeration.stats.cells,
        total: enumeration.stats.total,
      },
      build: {
        target_s: TARGET_S,
        seconds: +(build.buildMs / 1000).toFixed(2),
        target_peak_rss_mb: TARGET_RSS_MB,
        peak_rss_mb: +build.peakRssMb.toFixed(0),
        rss_before_build_mb: +build.baseRssMb.toFixed(0),
        emitted: build.emitted,
        distinct_hashes: build.distinct,
        collisions: build.collisions,
        per_vertex_count: build.perVertexCount,
      },
      table: build.table,
      cache: { file_bytes: build.fileBytes, write_ms: +build.writeMs.toFixed(1), load_ms: +load.ms.toFixed(1), load_peak_rss_mb: +load.peakRssMb.toFixed(0) },
      bruteForce: bruteForce && {
        seconds: +(bruteForce.ms / 1000).toFixed(2),
        labelled_graphs: bruteForce.labelled,
        distinct_hashes: bruteForce.distinct,
        not_in_index: bruteForce.notInIndex,
        peak_rss_mb: +bruteForce.peakRssMb.toFixed(0),
      },
      restricted: {
        create_ms: +restricted.createMs.toFixed(1),
        size: restricted.size,
        sample_us: +restricted.sampleUs.toFixed(1),
        mutate_us: +restricted.mutateUs.toFixed(1),
        draws: restricted.draws,
        outside_table: restricted.outside,
        same_as_parent: restricted.same,
      },
      checks,
      pass: Object.values(checks).every((c) => c !== false),
    };
    fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');

    const fmt = (x) => Math.round(x).toLocaleString('en-US');
    const yes = (b) => (b === null ? '–' : b ? 'yes' : 'NO');
    const c = build.perVertexCount;
    const md = `# nb101 enumeration benchmark

\`node tools/bench/nb101/enumerate.bench.cjs\` (built package, ${results.date.slice(0, 10)}), each step in a fresh Node process on one core.
Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, ${machine.platform}, Node ${machine.node}; 1-min load average ${machine.loadAverage1m} when it finished (the machine was shared).

| measure | target | measured | pass |
|---|---|---|---|
| index build: enumerate up to isomorphism + NB101 module hash of every class + sort | < ${TARGET_S} s | ${results.build.seconds.toFixed(1)} s | ${yes(checks.time_under_target)} |
| peak RSS of that process (Node baseline included) | < ${fmt(TARGET_RSS_MB)} MB | ${fmt(build.peakRssMb)} MB | ${yes(checks.rss_under_target)} |
| cells emitted (one per isomorphism class) | ${fmt(EXPECTED)} | ${fmt(build.emitted)} | ${yes(checks.emitted_is_423624)} |
| distinct module hashes | ${fmt(EXPECTED)} | ${fmt(build.distinct)} (${build.collisions} collisions) | ${yes(checks.distinct_hashes_is_423624)} |
| table hashes produced (${TABLE}) | ${fmt(build.table.rows)} | ${fmt(build.table.rows - build.table.missing)} | ${yes(checks.all_table_hashes_produced)} |
| table = the ${fmt(build.table.rows)} smallest hashes of the index, in order | yes | first ${fmt(build.table.prefixMatched)} match (${build.table.first} … ${build.table.last}) | ${yes(checks.table_is_the_smallest_hashes)} |
| NB101 generate_graphs.py procedure (hash all ${bruteForce ? fmt(bruteForce.labelled) : '~1.3M'} labelled full DAGs) gives the same hash set | same | ${bruteForce ? `${fmt(bruteForce.distinct)} distinct, ${bruteForce.notInIndex} not in the index, ${(bruteForce.ms / 1000).toFixed(1)} s` : 'skipped'} | ${yes(checks.brute_force_agrees)} |
| cache file write / load in a fresh process | – | ${(build.fileBytes / 2 ** 20).toFixed(1)} MiB, ${results.cache.write_ms.toFixed(0)} ms / ${results.cache.load_ms.toFixed(0)} ms | ${yes(checks.cache_reloads)} |
| space restricted to the table (keysFrom): ${fmt(restricted.draws)} samples + mutations outside the table / equal to the parent | 0 / 0 | ${restricted.outside} / ${restricted.same} | ${yes(checks.restricted_stays_in_table)} |

Enumeration alone (no hashing): ${results.enumeration.ms.toFixed(0)} ms. Per vertex count n = 2..7:

| n | full DAGs (≤ 9 edges) | unlabelled classes | cells (labelled classes) |
|---|---|---|---|
${[2, 3, 4, 5, 6, 7].map((n) => `| ${n} | ${fmt(results.enumeration.fullDags[n])} | ${fmt(results.enumeration.matrixClasses[n])} | ${fmt(c[n])} |`).join('\n')}

Restricted space (${fmt(restricted.size)} cells): created in ${restricted.createMs.toFixed(0)} ms (index from the cache + reading the table column), \`sample\` ${restricted.sampleUs.toFixed(1)} µs, \`mutate\` ${restricted.mutateUs.toFixed(0)} µs per call (random NB101 mutations until one lands in the table, about 1 in 21).
`;
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
    process.stdout.write(md);
    if (!results.pass) process.exitCode = 1;
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

main();
