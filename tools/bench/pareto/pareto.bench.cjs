#!/usr/bin/env node
// Multi-objective search on the tabular NAS-Bench-201 (the BUILT workspace: node tools/scripts/build.cjs).
//   node tools/bench/pareto/pareto.bench.cjs [--seeds 100] [--plateau] [--surrogate-tune] [--tune] [--ablation] [--render]
// Data: NASX_DATA, else the `shared/data` folder beside the repository (nas-bench-201/, hw-latency-help/).
// Measures NSGA-II (its defaults: surrogate-assisted offspring selection on), NSGA-II without the
// surrogate (`surrogate: none`, the defaults before it) and random search, all through the kernel
// with the real plugins, on the objectives (CIFAR-10 test accuracy after 200 epochs, maximised;
// latency on a device, minimised), for the devices pixel3 and raspi4 (HW-NAS-Bench, via HELP's tables):
//   - the exact front: all 15,625 cells scored through the same pipeline (kernel.exactFront);
//   - per seed, 500 counted evaluations: the hypervolume of every evaluated point over the exact
//     front's, with the reference point (90 % accuracy, the slowest cell of the exact front), and
//     how many exact-front points it found; under dedup: exact (each cell its own evaluation, the
//     kernel's default for runs with latency models; the reported rows) and dedup: canonical (one
//     evaluation per isomorphism class, for comparison);
//   - the ceiling that NB201's isomorphisms put on any search under dedup: canonical: the kernel
//     answers a proposal whose canonical key was evaluated from its cache, so a run measures ONE
//     member of each isomorphism class (the first it proposes), while the exact front is over all
//     15,625 cells, whose measured latencies (and accuracies) differ within a class. All cells are
//     scored (the `list` searcher, dedup off) to give (a) "class coverage": the hypervolume a run
//     would have if every class it evaluated counted all its members, and (b) the ratio of an
//     exhaustive search of all 6,466 classes with a uniformly random member of each (mean of 20 draws).
// Reported seeds: 0–99. A 20-seed mean has a standard error of about 0.004, as large as the distance
//   between the measured means and the 0.97 target, so its verdict flipped with the seed set;
//   100 seeds bring the standard error to about 0.0015 (the mean of seeds 0–19 is reported beside it).
// --plateau only sweeps NSGA-II's options on seeds 1000–1099 under dedup: exact (never the reported
//   seeds) and adds them to results.json;
// --surrogate-tune only sweeps the surrogate's options on seeds 1000–1009 under dedup: exact (never
//   the reported seeds) and adds them to results.json (it may run beside the main measurement);
// --tune / --ablation re-run the sweeps of NSGA-II without the surrogate (dedup: canonical, seeds 1000+);
//   without them the last results.json's sweeps are kept as they were measured;
// --render only rewrites RESULTS.md from results.json.
// Writes results.json + RESULTS.md next to this script; exits 1 when NSGA-II's mean under dedup:
// exact is below 0.97 on a device.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SEEDS = arg('--seeds', 100);
/** The seeds reported before the protocol moved to 100 (their mean is shown beside the 100-seed one). */
const FIRST_SEEDS = 20;
const PLATEAU = process.argv.includes('--plateau');
/** Options swept by --plateau over the defaults (seeds 1000–1099, dedup: exact). */
const PLATEAU_OPTIONS = [
  {},
  { surrogateImprovement: 'scores' },
  { surrogateCandidatesFrom: 'population' },
  { surrogateExploration: 0.3 },
  { surrogateOptimism: 1 },
  { localSearchProbability: 0.5 },
  { archiveProbability: 0.5 },
  { surrogate: 'none' },
];
const TUNE = process.argv.includes('--tune');
const SURROGATE_TUNE = process.argv.includes('--surrogate-tune');
/** NSGA-II without the surrogate: its defaults before surrogate-assisted selection. */
const NO_SURROGATE = { surrogate: 'none' };
/** The surrogate's settings swept under dedup: exact (--surrogate-tune; options over the defaults). */
const SURROGATE_TUNING = [
  {},
  { surrogate: 'none' },
  { surrogateCandidatesFrom: 'population' },
  { surrogateImprovement: 'objectives' },
  { surrogateCandidatesFrom: 'population', surrogateImprovement: 'objectives' },
  { surrogateTargets: 'raw' },
  { surrogate: 'linear' },
  { surrogateOptimism: 0 },
  { surrogateExploration: 0.3 },
];
const ABLATION = process.argv.includes('--ablation');
/** Each refinement alone, then together (options over the defaults; `eliminateDuplicates: false` ablates novelty). */
const ABLATIONS = [
  {
    name: 'Deb et al. 2002 (one space.mutate edit, no archive, no local search, novelty on)',
    options: { mutation: 'space', archiveProbability: 0, localSearchProbability: 0 },
  },
  {
    name: 'no novelty (eliminateDuplicates: false)',
    options: { mutation: 'space', archiveProbability: 0, localSearchProbability: 0, eliminateDuplicates: false },
  },
  { name: 'mutation: per-decision (rate 1/n)', options: { mutation: 'per-decision', archiveProbability: 0, localSearchProbability: 0 } },
  { name: 'archiveProbability: 0.5', options: { mutation: 'space', archiveProbability: 0.5, localSearchProbability: 0 } },
  { name: 'archiveProbability: 1', options: { mutation: 'space', archiveProbability: 1, localSearchProbability: 0 } },
  { name: 'localSearchProbability: 0.3', options: { mutation: 'space', archiveProbability: 0, localSearchProbability: 0.3 } },
  { name: 'localSearchProbability: 0.5', options: { mutation: 'space', archiveProbability: 0, localSearchProbability: 0.5 } },
  { name: 'localSearchProbability: 1', options: { mutation: 'space', archiveProbability: 0, localSearchProbability: 1 } },
  { name: 'archive 0.5 + local search 0.3', options: { mutation: 'space', archiveProbability: 0.5, localSearchProbability: 0.3 } },
  {
    name: 'all three (per-decision, archive 0.5, local search 0.3)',
    options: { mutation: 'per-decision', archiveProbability: 0.5, localSearchProbability: 0.3 },
  },
];
const EVALUATIONS = 500;
const DEVICES = ['pixel3', 'raspi4'];
const ACCURACY_REFERENCE = 90;

function dataDir() {
  const d = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
  for (const sub of ['nas-bench-201', 'hw-latency-help']) {
    if (!fs.existsSync(path.join(d, sub))) {
      console.error(`pareto bench: no ${sub}/ under ${d}; set NASX_DATA`);
      process.exit(2);
    }
  }
  return d;
}

const kernelDist = path.join(ROOT, 'libs', 'kernel', 'dist', 'index.js');
if (!fs.existsSync(kernelDist)) {
  console.error('pareto bench: build first (node tools/scripts/build.cjs)');
  process.exit(2);
}
const { Kernel } = require(kernelDist);
const { hypervolume, mean, sampleStd: std } = require(path.join(ROOT, 'libs', 'stats', 'dist', 'index.js'));
const { lastValueFrom, toArray } = require('rxjs');

function config(data, device, searcher, seed, extra = {}) {
  return {
    seed,
    dataDir: data,
    space: 'nb201',
    estimator: { use: 'tabular', options: { benchmark: 'nb201', dataset: 'cifar10', metric: 'test_acc', epochs: 200 } },
    latency: [{ use: 'table', options: { device } }],
    objective: { type: 'multi', metrics: [{ metric: 'test_acc@200' }, { metric: 'latency_ms' }] },
    searcher,
    budget: { evaluations: EVALUATIONS },
    // One evaluation per NB201 isomorphism class (the canonical rows, the old tuning and ablation);
    // the reported rows pass dedup: exact, the kernel's default for runs with latency models.
    dedup: 'canonical',
    ...(process.env.NODEDUP ? { dedup: false } : {}),
    ...extra,
  };
}

/** A run's counted evaluations: { key, objective }. */
async function evaluated(kernel, cfg) {
  const handle = await kernel.start(kernel.loadConfigObject(cfg), { persist: false });
  const events = await lastValueFrom(handle.events$.pipe(toArray()));
  const fin = events[events.length - 1];
  if (fin.type !== 'run-finished' || fin.status !== 'budget-exhausted') throw new Error(`run ended ${fin.status}: ${fin.reason}`);
  return events.filter((e) => e.type === 'evaluated' && !e.cached).map((e) => ({ key: e.arch.key, objective: e.objective }));
}

function score(trials, exact) {
  const points = trials.map((t) => t.objective);
  const keys = new Set(points.map((p) => p.join(',')));
  // Class coverage: every member of each evaluated isomorphism class counted.
  const members = [...new Set(trials.map((t) => t.key))].flatMap((k) => exact.classes.get(k) ?? []);
  return {
    ratio: hypervolume(points, exact.reference) / exact.hv,
    found: exact.points.filter((p) => keys.has(p.join(','))).length,
    coverage: hypervolume(members, exact.reference) / exact.hv,
  };
}

/** Deterministic uniform draws in [0, 1) (mulberry32), for the random-representative ceiling. */
function uniform(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function exactFront(kernel, data, device) {
  const t0 = Date.now();
  const front = await kernel.exactFront(kernel.loadConfigObject(config(data, device, 'random', 0)));
  if ('unavailable' in front) throw new Error(front.unavailable);
  const points = front.points.map((p) => p.objective);
  // Reference point (maximised coordinates): 90 % accuracy, the slowest cell of the exact front.
  const reference = [ACCURACY_REFERENCE, Math.min(...points.map((p) => p[1]))];
  const hv = hypervolume(points, reference);
  // Every cell through the same pipeline, dedup off (isomorphs scored separately), grouped by key.
  const cells = await evaluated(kernel, config(data, device, { use: 'list', options: { all: true } }, 0, { dedup: false, budget: { evaluations: 15625 } }));
  if (cells.length !== 15625) throw new Error(`scored ${cells.length} of 15,625 cells`);
  const classes = new Map();
  for (const c of cells) classes.set(c.key, [...(classes.get(c.key) ?? []), c.objective]);
  const draw = uniform(1);
  const draws = Array.from(
    { length: 20 },
    () =>
      hypervolume(
        [...classes.values()].map((m) => m[Math.floor(draw() * m.length)]),
        reference,
      ) / hv,
  );
  return {
    device,
    points,
    reference,
    hv,
    classes,
    size: points.length,
    seconds: (Date.now() - t0) / 1000,
    slowestMs: -reference[1],
    frontClasses: new Set(front.points.map((p) => p.key)).size,
    cells: cells.length,
    classCount: classes.size,
    randomMemberCeiling: +mean(draws).toFixed(4),
    randomMemberCeilingSd: +std(draws).toFixed(4),
  };
}

async function measure(kernel, data, exact, searcher, seeds, extra = {}) {
  const ratios = [];
  const found = [];
  const coverage = [];
  const t0 = Date.now();
  for (const seed of seeds) {
    const s = score(await evaluated(kernel, config(data, exact.device, searcher, seed, extra)), exact);
    ratios.push(s.ratio);
    found.push(s.found);
    coverage.push(s.coverage);
  }
  const first = ratios.slice(0, FIRST_SEEDS);
  return {
    coverageMean: +mean(coverage).toFixed(4),
    hvMean: +mean(ratios).toFixed(4),
    hvSd: +std(ratios).toFixed(4),
    // 95 % confidence half-width of the mean (normal approximation), and the misses.
    hvCi95: +((1.96 * std(ratios)) / Math.sqrt(ratios.length)).toFixed(4),
    below95: ratios.filter((r) => r < 0.95).length,
    ...(ratios.length > FIRST_SEEDS ? { hvMeanFirstSeeds: +mean(first).toFixed(4) } : {}),
    hvMin: +Math.min(...ratios).toFixed(4),
    foundMean: +mean(found).toFixed(2),
    foundSd: +std(found).toFixed(2),
    ratios: ratios.map((r) => +r.toFixed(4)),
    found,
    secondsPerRun: +((Date.now() - t0) / 1000 / seeds.length).toFixed(2),
  };
}

async function main() {
  if (process.argv.includes('--render')) {
    // Rewrite RESULTS.md from results.json (after a change to the report's wording).
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), markdown(JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'))));
    return;
  }
  const data = dataDir();
  const kernel = Kernel.open({ roots: [ROOT] });
  const file = path.join(__dirname, 'results.json');
  /** The results.json on disk now (re-read before each write, so a sweep run beside the main measurement is kept). */
  const lastResults = () => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {});
  /**
   * Sweeps NSGA-II's options (over its defaults) under dedup: exact on seeds `first`…`first + count − 1`
   * (never the reported seeds), keeps `fields` of each measurement, and adds the rows to results.json as `key`.
   */
  const sweep = async (key, optionsList, first, count, fields) => {
    const fronts = [];
    for (const device of DEVICES) fronts.push(await exactFront(kernel, data, device));
    const seeds = Array.from({ length: count }, (_, i) => first + i);
    const rows = [];
    for (const options of optionsList) {
      const row = { options };
      for (const f of fronts) {
        const m = await measure(kernel, data, f, { use: 'nsga2', options }, seeds, { dedup: 'exact' });
        row[f.device] = Object.fromEntries(fields.map((k) => [k, m[k]]));
      }
      rows.push(row);
      console.error(`${key} ${JSON.stringify(row)}`);
    }
    const results = { ...lastResults(), [key]: rows, [`${key}Date`]: new Date().toISOString() };
    fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), markdown(results));
  };
  if (PLATEAU) return sweep('plateau', PLATEAU_OPTIONS, 1000, 100, ['hvMean', 'hvSd', 'hvMin', 'hvCi95', 'below95']);
  if (SURROGATE_TUNE) return sweep('surrogateTuning', SURROGATE_TUNING, 1000, 10, ['hvMean', 'hvSd', 'hvMin', 'foundMean', 'secondsPerRun']);
  const fronts = [];
  for (const device of DEVICES) fronts.push(await exactFront(kernel, data, device));
  const seeds = Array.from({ length: SEEDS }, (_, i) => i);

  let tuning;
  if (TUNE) {
    const tuneSeeds = Array.from({ length: 10 }, (_, i) => 1000 + i);
    tuning = [];
    for (const population of [10, 20, 30, 50]) {
      for (const crossoverProbability of [0.9, 0.2, 0]) {
        const row = { population, crossoverProbability };
        for (const f of fronts) {
          const m = await measure(kernel, data, f, { use: 'nsga2', options: { ...NO_SURROGATE, population, crossoverProbability } }, tuneSeeds);
          row[f.device] = m.hvMean;
        }
        tuning.push(row);
        console.error(`tune ${JSON.stringify(row)}`);
      }
    }
  }
  let ablation;
  if (ABLATION) {
    const ablationSeeds = Array.from({ length: 20 }, (_, i) => 1000 + i);
    ablation = [];
    for (const a of ABLATIONS) {
      const row = { name: a.name, options: a.options };
      for (const f of fronts) {
        const m = await measure(kernel, data, f, { use: 'nsga2', options: { ...NO_SURROGATE, ...a.options } }, ablationSeeds);
        row[f.device] = { hvMean: m.hvMean, hvSd: m.hvSd, coverageMean: m.coverageMean, foundMean: m.foundMean };
      }
      ablation.push(row);
      console.error(`ablation ${JSON.stringify(row)}`);
    }
  }

  // Reported: dedup: exact (the kernel's default with latency models); canonical for comparison.
  const loadAtStart = machineInfo().loadAverage1m;
  const exactDedup = [];
  const rows = [];
  for (const f of fronts) {
    for (const [dedup, out] of [
      ['exact', exactDedup],
      ['canonical', rows],
    ]) {
      const extra = { dedup };
      const nsga2 = await measure(kernel, data, f, 'nsga2', seeds, extra);
      const nsga2NoSurrogate = await measure(kernel, data, f, { use: 'nsga2', options: NO_SURROGATE }, seeds, extra);
      const random = await measure(kernel, data, f, 'random', seeds, extra);
      out.push({ device: f.device, exactFrontSize: f.size, slowestFrontMs: +f.slowestMs.toFixed(4), nsga2, nsga2NoSurrogate, random });
      console.error(
        `${f.device} (dedup ${dedup}): NSGA-II ${nsga2.hvMean} ± ${nsga2.hvSd} (found ${nsga2.foundMean}/${f.size}); without surrogate ${nsga2NoSurrogate.hvMean} ± ${nsga2NoSurrogate.hvSd}; random ${random.hvMean} ± ${random.hvSd} (found ${random.foundMean})`,
      );
    }
  }
  const defaults = require(path.join(ROOT, 'plugins', 'searcher-nsga2', 'dist', 'nsga2', 'nsga2.searcher.js')).DEFAULTS;
  const last = lastResults();
  const results = {
    machine: { ...machineInfo(), loadAverage1mAtStart: loadAtStart },
    date: new Date().toISOString(),
    protocol: {
      space: 'nb201 (15,625 cells)',
      objectives: ['maximize test_acc@200 (CIFAR-10, tabular)', 'minimize latency_ms (table: HW-NAS-Bench via HELP)'],
      evaluations: EVALUATIONS,
      seeds,
      reference: `(${ACCURACY_REFERENCE} % accuracy, the slowest cell of the exact front)`,
      duplicates:
        'answered from the cache, not counted; dedup: exact (each cell its own evaluation, reported) and dedup: canonical (one evaluation per isomorphism class)',
      nsga2: defaults,
      nsga2NoSurrogate: { ...defaults, ...NO_SURROGATE },
    },
    exactFronts: fronts.map((f) => ({
      device: f.device,
      points: f.size,
      slowestMs: f.slowestMs,
      seconds: f.seconds,
      frontClasses: f.frontClasses,
      cells: f.cells,
      classes: f.classCount,
      randomMemberCeiling: f.randomMemberCeiling,
      randomMemberCeilingSd: f.randomMemberCeilingSd,
    })),
    exactDedup,
    rows,
    // Sweeps not re-run this time are kept from the last results.json (each says what it measured).
    ...(last.plateau ? { plateau: last.plateau, plateauDate: last.plateauDate } : {}),
    ...(last.surrogateTuning ? { surrogateTuning: last.surrogateTuning, surrogateTuningDate: last.surrogateTuningDate } : {}),
    ...(tuning ? { tuning } : last.tuning ? { tuning: last.tuning } : {}),
    ...(ablation ? { ablation } : last.ablation ? { ablation: last.ablation } : {}),
    ...(last.exactDedupTuning ? { exactDedupTuning: last.exactDedupTuning } : {}),
  };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), markdown(results));
  const fail = exactDedup.filter((r) => r.nsga2.hvMean < 0.97);
  if (fail.length) {
    console.error(`pareto bench: NSGA-II mean hypervolume (dedup: exact) below 0.97 on ${fail.map((r) => r.device).join(', ')}`);
    process.exit(1);
  }
}

function markdown(r) {
  const lines = [];
  const f4 = (x) => x.toFixed(4);
  const hv = (m) => `${f4(m.hvMean)} ± ${f4(m.hvSd)}`;
  const wins = (a, b) => a.ratios.filter((v, i) => v > b.ratios[i]).length;
  lines.push('# Pareto benchmark: NSGA-II vs random search on NAS-Bench-201');
  lines.push('');
  lines.push(
    `Generated by \`node tools/bench/pareto/pareto.bench.cjs\` on ${r.date.slice(0, 10)} (${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; 1-minute load average ${r.machine.loadAverage1mAtStart ?? '?'} when the reported runs started and ${r.machine.loadAverage1m} when they ended, on ${r.machine.cores} cores: the machine was shared with other jobs, so the seconds per run are inflated).`,
  );
  lines.push('');
  lines.push(
    `Objectives: CIFAR-10 test accuracy after 200 epochs (tabular NB201, maximised) and latency on the device (HW-NAS-Bench's measurements via HELP's tables, minimised). ` +
      `${r.protocol.evaluations} counted evaluations per run (duplicates answered from the cache), seeds ${r.protocol.seeds[0]}–${r.protocol.seeds[r.protocol.seeds.length - 1]}. ` +
      `Hypervolume of all evaluated points divided by the exact front's, with the reference point ${r.protocol.reference}. ` +
      `"Found" counts the points of the exact front the run evaluated. NSGA-II with its defaults: ${JSON.stringify(r.protocol.nsga2)}. ` +
      `"Without surrogate" is the same with \`surrogate: none\`, which is the searcher's behaviour (and defaults) before surrogate-assisted offspring selection.`,
  );
  if (r.exactDedup) {
    lines.push('');
    lines.push('## Reported: each cell its own evaluation (dedup: exact)');
    lines.push('');
    lines.push(
      "The kernel's default for runs with latency models: members of an isomorphism class differ in measured latency (a measured network runs every edge, including those equivalence ignores), so each cell is its own evaluation and every exact-front point is reachable.",
    );
    lines.push('');
    lines.push(
      '| device | exact front (points) | NSGA-II hypervolume | 95 % CI of the mean | NSGA-II min | runs below 0.95 | seeds 0–19 only | NSGA-II found | without surrogate | without surrogate min | without surrogate found | random hypervolume | random found | s / run (NSGA-II, without, random) |',
    );
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    const ci = (m) => (m.hvCi95 === undefined ? '–' : `${f4(m.hvMean - m.hvCi95)}–${f4(m.hvMean + m.hvCi95)}`);
    for (const row of r.exactDedup) {
      lines.push(
        `| ${row.device} | ${row.exactFrontSize} | ${hv(row.nsga2)} | ${ci(row.nsga2)} | ${f4(row.nsga2.hvMin)} | ${row.nsga2.below95 ?? '–'} of ${row.nsga2.ratios.length} | ${row.nsga2.hvMeanFirstSeeds === undefined ? '–' : f4(row.nsga2.hvMeanFirstSeeds)} | ${row.nsga2.foundMean} ± ${row.nsga2.foundSd} | ${hv(row.nsga2NoSurrogate)} | ${f4(row.nsga2NoSurrogate.hvMin)} | ${row.nsga2NoSurrogate.foundMean} ± ${row.nsga2NoSurrogate.foundSd} | ${hv(row.random)} | ${row.random.foundMean} ± ${row.random.foundSd} | ${row.nsga2.secondsPerRun}, ${row.nsga2NoSurrogate.secondsPerRun}, ${row.random.secondsPerRun} |`,
      );
    }
    lines.push('');
    const met = r.exactDedup.every((row) => row.nsga2.hvMean >= 0.97);
    lines.push(
      `Mean ± sample standard deviation over the seeds; the confidence interval is the mean ± 1.96 standard errors. Acceptance (NSGA-II mean ≥ 0.97 on both devices, dedup: exact): **${met ? 'met' : 'not met'}** (${r.exactDedup.map((row) => `${row.device} ${f4(row.nsga2.hvMean)}`).join(', ')}). ` +
        `With the surrogate, NSGA-II is above its run without it on ${r.exactDedup.map((row) => `${wins(row.nsga2, row.nsga2NoSurrogate)}/${row.nsga2.ratios.length} seeds (${row.device})`).join(' and ')}, ` +
        `and above random search on ${r.exactDedup.map((row) => `${wins(row.nsga2, row.random)}/${row.nsga2.ratios.length} (${row.device})`).join(' and ')}.`,
    );
  }
  if (r.exactDedup && r.protocol.seeds.length > FIRST_SEEDS) {
    lines.push('');
    lines.push(
      `**Why ${r.protocol.seeds.length} seeds.** This bench used to report seeds 0–19. The spread between runs (sd ≈ 0.015–0.02) gives a 20-seed mean a standard error of about 0.004, as large as the distance between the measured means and the 0.97 target, so the verdict depended on which 20 seeds were drawn: seeds 0–19 gave raspi4 0.9684 (not met) and seeds 1000–1099 0.9720 with the same code. The protocol now reports seeds 0–${r.protocol.seeds[r.protocol.seeds.length - 1]}, chosen after seeds 0–19 had been seen to fall short but before seeds 20–${r.protocol.seeds[r.protocol.seeds.length - 1]} were run, with the mean of seeds 0–19 beside it.`,
    );
  }
  if (r.plateau) {
    lines.push('');
    lines.push(`## Where NSGA-II plateaus (dedup: exact, seeds 1000–1099, not the reported seeds; measured ${(r.plateauDate ?? r.date).slice(0, 10)})`);
    lines.push('');
    lines.push('Options over the defaults above; mean ± sd (min) of the hypervolume ratio, and runs below 0.95 of 100.');
    lines.push('');
    lines.push(`| options | ${DEVICES.join(' | ')} |`);
    lines.push(`|---|${DEVICES.map(() => '---').join('|')}|`);
    for (const t of r.plateau)
      lines.push(`| \`${JSON.stringify(t.options)}\` | ${DEVICES.map((d) => `${hv(t[d])} (${f4(t[d].hvMin)}), ${t[d].below95}`).join(' | ')} |`);
    lines.push('');
    lines.push(
      "Every variant with the surrogate lands between 0.969 and 0.975, within about two standard errors (0.002–0.004) of the defaults, and each has runs below 0.95. Those runs are the same failure each time: they never reach the cluster of ≥ 94.2 % cells (`333132`, `323132`, `323122`, …). Losing the front's 94.31 % cell alone costs 0.021 of the ratio on raspi4. The run settles instead in the basin of a local optimum of accuracy: NB201 has 18 cells that no single edge change improves, among them `223103` (94.09 %), `313021` (94.02 %), `133213` (93.86 %) and `313231` (93.82 %), 3–4 edge changes from the top cluster. Three changes to the searcher were prototyped against this on the same 100 seeds and then dropped, because none moved the mean beyond noise (pixel3 / raspi4): " +
        "accuracy ≥ 90 % as a constraint under Deb et al.'s constrained domination, with the threshold as the surrogate's reference point (0.9729 / 0.9739); " +
        "local search that moves on to two-change neighbours once a member's one-change neighbours are all proposed (with that constraint: 0.9729 / 0.9744); " +
        'and a share of proposals chosen by the surrogate from 200 random cells of the whole space (10 %: 0.9742 / 0.9694; 20 %: 0.9743 / 0.9717). ' +
        "About 35–50 % of a run's evaluations fall below 90 % accuracy (children of good cells with an edge set to `none` or pooling), and those add nothing to this hypervolume.",
    );
  }
  lines.push('');
  lines.push('### How the surrogate got here (measured by hand while developing it, dedup: exact)');
  lines.push('');
  lines.push(
    'Each step was chosen on seeds 1000+ (never the reported seeds), with `node`-driven runs of the same protocol; numbers are mean hypervolume ratios pixel3 / raspi4.',
  );
  lines.push('');
  lines.push(
    '1. First version: candidates each bred from their own parents, ridge on the raw objectives, improvement in objective units, no optimism: 0.961 / 0.963 (seeds 1000–1009), no better than without the surrogate (0.959 / 0.963).',
  );
  lines.push(
    '2. Rank-Gauss targets (`surrogateTargets: quantile-normal`): 0.977 / 0.967; with `surrogateOptimism: 0.5`: 0.981 / 0.974 (seeds 1000–1009; optimism 1: 0.977 / 0.973, 2: 0.963 on pixel3).',
  );
  lines.push(
    '3. That version on the reported seeds 0–19 (results committed before this file was regenerated): 0.9695 ± 0.0248 (pixel3) and 0.9770 ± 0.0043 (raspi4). Two pixel3 seeds collapsed (0.887 and 0.920): a look at those runs (seeds 7, 12 and 14, also rerun once with `surrogateExploration: 0.3`; the only uses of reported seeds here, for diagnosis, not for choosing settings) showed that they had missed the ≥ 94 % cells of the front, as if the surrogate had steered the search away from the accurate end. More exploration did not cure it on seeds 1000–1019 (`surrogateExploration: 0.3`: 0.973 with a seed at 0.876 on pixel3).',
  );
  lines.push(
    '4. Candidates from the same parents (pre-selection, `surrogateCandidatesFrom: same-parents`), so that NSGA-II chooses the region and the surrogate only the child: 0.9734 / 0.9758 (minimum 0.931 / 0.941) with the improvement in objective units, 0.9755 / 0.9712 (minimum 0.961 / 0.913) on the rank-Gauss scale (seeds 1000–1019). Within noise of each other; objective units became the default.',
  );
  lines.push('');
  lines.push('## For comparison: one evaluation per isomorphism class (dedup: canonical)');
  lines.push('');
  lines.push('"Class coverage" is the ratio the run would reach if each isomorphism class it evaluated counted all its members (see the ceiling below).');
  lines.push('');
  lines.push(
    '| device | slowest front cell (ms) | NSGA-II hypervolume | NSGA-II min | NSGA-II found | NSGA-II class coverage | without surrogate | without surrogate found | random hypervolume | random found | random class coverage |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of r.rows) {
    const ns = row.nsga2NoSurrogate;
    lines.push(
      `| ${row.device} | ${row.slowestFrontMs} | ${hv(row.nsga2)} | ${f4(row.nsga2.hvMin)} | ${row.nsga2.foundMean} ± ${row.nsga2.foundSd} | ${f4(row.nsga2.coverageMean)} | ${ns ? hv(ns) : '–'} | ${ns ? `${ns.foundMean} ± ${ns.foundSd}` : '–'} | ${hv(row.random)} | ${row.random.foundMean} ± ${row.random.foundSd} | ${f4(row.random.coverageMean)} |`,
    );
  }
  lines.push('');
  lines.push('### The isomorphism ceiling');
  lines.push('');
  lines.push(
    `Under dedup: canonical the kernel keys NB201 cells canonically (isomorphic cells share a key) and answers a proposal whose key was evaluated from its cache, so a run measures one member of each of the ${r.exactFronts[0].classes.toLocaleString('en-US')} classes: the first it proposes. ` +
      `The exact front is over all ${r.exactFronts[0].cells.toLocaleString('en-US')} cells, and members of one class differ in measured latency (and in trained accuracy). ` +
      `Its points lie in fewer classes than there are points (${r.exactFronts.map((f) => `${f.device}: ${f.points} points in ${f.frontClasses} classes`).join('; ')}), so no run finds them all. ` +
      `Evaluating every class once, with a uniformly random member, reaches only ${r.exactFronts.map((f) => `${f4(f.randomMemberCeiling)} ± ${f4(f.randomMemberCeilingSd)} (${f.device})`).join(' and ')} (20 draws). ` +
      `Class coverage near 1 with a hypervolume well below it means the searcher found the right classes but measured a slower or less accurate member of them than the one on the exact front.`,
  );
  if (r.surrogateTuning) {
    lines.push('');
    lines.push(`## Surrogate sweep (dedup: exact, seeds 1000–1009, not the reported seeds; measured ${(r.surrogateTuningDate ?? r.date).slice(0, 10)})`);
    lines.push('');
    lines.push('Options over the defaults above; mean ± sd (min) of the hypervolume ratio, seconds per run.');
    lines.push('');
    lines.push(`| options | ${DEVICES.join(' | ')} |`);
    lines.push(`|---|${DEVICES.map(() => '---').join('|')}|`);
    for (const t of r.surrogateTuning) {
      lines.push(`| \`${JSON.stringify(t.options)}\` | ${DEVICES.map((d) => `${hv(t[d])} (${f4(t[d].hvMin)}), ${t[d].secondsPerRun} s`).join(' | ')} |`);
    }
    lines.push('');
    lines.push(
      "Rows whose options are already defaults repeat the first row exactly (the runs are deterministic from the seed). The rank-Gauss scale for the improvement (`surrogateImprovement: scores`) is measured in step 4 above. Seconds per run vary with the machine's load more than with the options.",
    );
  }
  if (r.exactDedupTuning) {
    lines.push('');
    lines.push('## Earlier sweep without the surrogate (dedup: exact, seeds 1000–1019, not the reported seeds)');
    lines.push('');
    lines.push(
      'Measured before surrogate-assisted selection existed: options over the defaults of then (`surrogate: none` today). No setting reached 0.97 on both devices, and the differences were within the noise of a 20-seed mean (standard error ≈ 0.003).',
    );
    lines.push('');
    lines.push(`| options | ${DEVICES.join(' | ')} |`);
    lines.push(`|---|${DEVICES.map(() => '---').join('|')}|`);
    for (const t of r.exactDedupTuning) lines.push(`| \`${JSON.stringify(t.options)}\` | ${DEVICES.map((d) => f4(t[d])).join(' | ')} |`);
  }
  if (r.ablation) {
    lines.push('');
    lines.push('## Ablation without the surrogate (dedup: canonical, seeds 1000–1019, not the reported seeds): mean hypervolume ratio ± sd (class coverage)');
    lines.push('');
    lines.push('Measured before surrogate-assisted selection existed; the options are complete over the defaults of then (`surrogate: none` today).');
    lines.push('');
    lines.push(`| variant | options | ${DEVICES.join(' | ')} |`);
    lines.push(`|---|---|${DEVICES.map(() => '---').join('|')}|`);
    for (const a of r.ablation) {
      lines.push(
        `| ${a.name} | \`${JSON.stringify(a.options)}\` | ${DEVICES.map((d) => `${f4(a[d].hvMean)} ± ${f4(a[d].hvSd)} (${f4(a[d].coverageMean)})`).join(' | ')} |`,
      );
    }
  }
  if (r.tuning) {
    lines.push('');
    lines.push('## Tuning without the surrogate (dedup: canonical, seeds 1000–1009, not the reported seeds): mean hypervolume ratio');
    lines.push('');
    lines.push(`| population | crossoverProbability | ${DEVICES.join(' | ')} |`);
    lines.push(`|---|---|${DEVICES.map(() => '---').join('|')}|`);
    for (const t of r.tuning) lines.push(`| ${t.population} | ${t.crossoverProbability} | ${DEVICES.map((d) => f4(t[d])).join(' | ')} |`);
  }
  lines.push('');
  lines.push(`Exact fronts: ${r.exactFronts.map((f) => `${f.device} ${f.points} points (all 15,625 cells scored in ${f.seconds.toFixed(1)} s)`).join('; ')}.`);
  lines.push('');
  return lines.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
