#!/usr/bin/env node
// Benchmark of the `learned` latency model (@nasx/latency-model-learned) on HELP's measured
// NAS-Bench-201 latencies (the BUILT packages: node tools/scripts/build.cjs).
//   node tools/bench/latency-learned/latency-learned.bench.cjs           # full protocol (~15 min on 2 cores)
//   node tools/bench/latency-learned/latency-learned.bench.cjs --quick   # 3 devices, 1 adaptation seed (no files written)
// Data: NASX_DATA, else the `shared/data` folder beside the repository
// (hw-latency-help/nb201_latency_ms_help.csv.gz: 27 device settings × all 15,625 cells).
//
// 1. Same device (the acceptance protocol of the hardware-aware issue): for each device, the model
//    is created with its default options ({ device, train: { cells: 900 }, seed: 0 }), i.e. trained
//    on a seeded sample of 900 cells of that device, and predicts the other 14,725 cells. Reported:
//    the share of predictions within ±10 % of the measurement, Spearman ρ, and beside them the
//    FLOPs baseline (least squares of log latency on log FLOPs and log params, planNetwork's counts
//    for CIFAR-10 shapes, on the same 900 cells) and the "same-ops reference": the share of cells
//    within ±10 % of the median latency of all cells with the same multiset of ops (in-sample: how
//    much of the latency the ops alone decide; low values expose measurement noise and drift).
//    Acceptance: ≥ 90 % within ±10 % on every GPU and CPU setting (15 + 4).
// 2. Unseen device (HELP's protocol, Lee et al., NeurIPS 2021): trained on HELP's nine
//    meta-training devices (900 cells each), adapted to each meta-test device (and the
//    meta-validation devices, never used for training here) from k = 10 and 20 seeded-random
//    measured cells; Spearman ρ over the device's other cells, mean over 3 adaptation seeds.
//    Beside it: FLOPs alone (ρ of FLOPs with latency) and HELP's reported ρ (10 samples, its
//    README's Table 3). Acceptance: ρ ≥ 0.9 from ≤ 20 measurements.
// 3. Throughput: predictMany over all 15,625 cells, median of 3: from architectures (the space's
//    toGraph, encoding, inference) and from ready graphs; target ≥ 10,000 predictions/s.
// Writes results.json + RESULTS.md next to this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const QUICK = process.argv.includes('--quick');
const GPU = ['1080ti', '2080ti', 'titanx', 'titanxp', 'titan_rtx'].flatMap((g) => [1, 32, 256].map((b) => `${g}_${b}`));
const CPU = ['gold_6226', 'gold_6240', 'silver_4114', 'silver_4210r'];
const OTHER = ['samsung_a50', 'samsung_s7', 'essential_ph_1', 'pixel2', 'pixel3', 'raspi4', 'eyeriss', 'fpga'];
// HELP README, Table 3 (10 samples from the target device).
const HELP_REPORTED = { titan_rtx_256: 0.987, gold_6226: 0.989, pixel2: 0.802, raspi4: 0.89, eyeriss: 0.94, fpga: 0.985 };
const SHOTS = [10, 20];
const ADAPT_SEEDS = QUICK ? [0] : [0, 1, 2];
const TARGET_WITHIN = 0.9;
const TARGET_RHO = 0.9;
const TARGET_RATE = 10_000;

function load(rel) {
  const file = path.join(ROOT, rel, 'dist', 'index.js');
  if (!fs.existsSync(file)) {
    console.error(`latency-learned bench: ${file} is missing. Build first: node tools/scripts/build.cjs`);
    process.exit(2);
  }
  return require(file);
}

function dataDir() {
  const dir = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
  if (!fs.existsSync(path.join(dir, 'hw-latency-help', 'nb201_latency_ms_help.csv.gz'))) {
    console.error(`latency-learned bench: ${dir}/hw-latency-help/nb201_latency_ms_help.csv.gz not found. Set NASX_DATA.`);
    process.exit(2);
  }
  return dir;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const within = (pred, truth) => pred.filter((p, i) => Math.abs(p / truth[i] - 1) <= 0.1).length / pred.length;

/** Least squares y ≈ X·w (normal equations, tiny ridge for stability); X rows include the intercept. */
function leastSquares(X, y) {
  const d = X[0].length;
  const A = Array.from({ length: d }, () => new Float64Array(d));
  const b = new Float64Array(d);
  X.forEach((row, i) => {
    for (let j = 0; j < d; j++) {
      b[j] += row[j] * y[i];
      for (let k = 0; k < d; k++) A[j][k] += row[j] * row[k];
    }
  });
  for (let j = 0; j < d; j++) A[j][j] += 1e-9;
  // Gaussian elimination with partial pivoting.
  const M = A.map((r, j) => [...r, b[j]]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= d; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((r, j) => r[d] / r[j]);
}

async function main() {
  const started = performance.now();
  const { initTensorBackend, planNetwork, tf } = load('libs/tensor');
  const { spearman } = load('libs/stats');
  const { createRng } = load('libs/kernel');
  const { Nb201SearchSpace } = load('plugins/search-space-nb201');
  const L = load('plugins/latency-model-learned');
  const backend = await initTensorBackend();
  const dir = dataDir();
  const space = new Nb201SearchSpace({});
  const table = L.LatencyTable.inDataDir(dir);
  const archs = table.archs.map((a) => space.parse(a));
  const n = archs.length;
  const plans = archs.map((a) => planNetwork(a, { numClasses: 10, inputShape: [3, 32, 32] }));
  const logFlops = plans.map((p) => Math.log(p.flops));
  const logParams = plans.map((p) => Math.log(p.paramCount));
  const flops = plans.map((p) => p.flops);
  // Multiset of ops of each cell, for the same-ops reference.
  const opsKey = table.archs.map((s) =>
    s
      .split('|')
      .filter((t) => t.includes('~'))
      .map((t) => t.split('~')[0])
      .sort()
      .join(','),
  );
  const groups = new Map();
  opsKey.forEach((k, i) => (groups.has(k) ? groups.get(k).push(i) : groups.set(k, [i])));
  const silent = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
  const deps = (extra = {}) => ({ configDir: ROOT, logger: silent, rng: createRng(0), space, dataDir: dir, ...extra });
  const schema = L.learnedSchema;
  const withDefaults = (o) => {
    const out = { ...o, train: { cells: schema.properties.train.properties.cells.default, ...(o.train ?? {}) } };
    for (const [k, v] of Object.entries(schema.properties)) if (out[k] === undefined && 'default' in v) out[k] = v.default;
    if (out.adapt) out.adapt = { lambda: schema.properties.adapt.properties.lambda.default, ...out.adapt };
    return out;
  };

  // 1. Same device.
  const sameDevices = QUICK ? ['1080ti_1', 'gold_6226', 'gold_6240'] : [...GPU, ...CPU, ...OTHER];
  const same = [];
  let throughput;
  for (const device of sameDevices) {
    const options = withDefaults({ device });
    const t0 = performance.now();
    const model = await L.learnedLatencyModel.create(options, deps());
    const fitSeconds = (performance.now() - t0) / 1000;
    const rows = L.sampleRows(n, options.train.cells, options.seed, 'train-cells');
    const trainSet = new Set(rows);
    const test = archs.map((_, i) => i).filter((i) => !trainSet.has(i));
    const col = table.latencies(device);
    const truth = test.map((i) => col[i]);
    const pred = model.predictMany(
      test.map((i) => archs[i]),
      device,
    );
    if (!throughput) {
      // Wall clock, and this process's CPU time (user + system): on a machine shared with other
      // jobs the wall clock measures the load as much as the model.
      const times = [];
      const cpuTimes = [];
      for (let r = 0; r < 3; r++) {
        const c1 = process.cpuUsage();
        const t1 = performance.now();
        const out = model.predictMany(archs, device);
        times.push((performance.now() - t1) / 1000);
        const c = process.cpuUsage(c1);
        cpuTimes.push((c.user + c.system) / 1e6);
        if (out.length !== n) throw new Error('predictMany returned the wrong count');
      }
      const graphs = archs.map((a) => space.toGraph(a));
      const graphTimes = [];
      for (let r = 0; r < 3; r++) {
        const t1 = performance.now();
        model.predictMany(graphs, device);
        graphTimes.push((performance.now() - t1) / 1000);
      }
      const t2 = performance.now();
      for (let i = 0; i < 200; i++) model.predict(archs[i], device);
      throughput = {
        device,
        predictManyAll_s: +median(times).toFixed(3),
        predictionsPerSecond: Math.round(n / median(times)),
        predictionsPerCpuSecond: Math.round(n / median(cpuTimes)),
        fromGraphsAll_s: +median(graphTimes).toFixed(3),
        fromGraphsPerSecond: Math.round(n / median(graphTimes)),
        singlePredictionsPerSecond: Math.round(200 / ((performance.now() - t2) / 1000)),
        pass: n / median(times) >= TARGET_RATE,
        passPerCpuSecond: n / median(cpuTimes) >= TARGET_RATE,
      };
    }
    model.dispose();
    // FLOPs baseline on the same 900 cells.
    const w = leastSquares(
      rows.map((r) => [1, logFlops[r], logParams[r]]),
      rows.map((r) => Math.log(Math.max(col[r], 1e-3))),
    );
    const base = test.map((i) => Math.exp(w[0] + w[1] * logFlops[i] + w[2] * logParams[i]));
    let ceiling = 0;
    for (const idx of groups.values()) {
      const m = median(idx.map((i) => col[i]));
      ceiling += idx.filter((i) => Math.abs(m / col[i] - 1) <= 0.1).length;
    }
    const kind = GPU.includes(device) ? 'GPU' : CPU.includes(device) ? 'CPU' : 'other';
    const r = {
      device,
      kind,
      within10: +within(pred, truth).toFixed(4),
      spearman: +spearman(pred, truth).toFixed(4),
      flopsWithin10: +within(base, truth).toFixed(4),
      flopsSpearman: +spearman(base, truth).toFixed(4),
      sameOpsReference: +(ceiling / n).toFixed(4),
      fitSeconds: +fitSeconds.toFixed(1),
    };
    same.push(r);
    console.error(
      `${device.padEnd(14)} within ±10 % ${r.within10.toFixed(3)} ρ ${r.spearman.toFixed(3)} | FLOPs ${r.flopsWithin10.toFixed(3)} ρ ${r.flopsSpearman.toFixed(3)} | same-ops ${r.sameOpsReference.toFixed(3)} | fit ${r.fitSeconds} s`,
    );
  }

  // 2. Unseen devices.
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-latency-bench-'));
  const targets = QUICK ? ['titan_rtx_256', 'pixel2'] : [...L.HELP_META_TEST_DEVICES, ...L.HELP_META_VALID_DEVICES];
  const fewShot = [];
  let metaFitSeconds;
  for (const device of targets) {
    const col = table.latencies(device);
    const flopsRho = spearman(flops, Array.from(col));
    for (const k of SHOTS) {
      const rhos = [];
      const flopsFitRhos = [];
      for (const seed of ADAPT_SEEDS) {
        // The meta-trained network is fitted once per seed and reloaded from the state folder
        // for the other targets and shot counts (the fingerprint covers the adaptation data).
        const options = withDefaults({ device, adapt: { samples: k }, seed });
        const t0 = performance.now();
        const model = await L.learnedLatencyModel.create(options, deps({ stateDir }));
        if (metaFitSeconds === undefined) metaFitSeconds = (performance.now() - t0) / 1000;
        const picked = new Set(L.sampleRows(n, k, seed, `adapt-${device}`));
        const test = archs.map((_, i) => i).filter((i) => !picked.has(i));
        const pred = model.predictMany(
          test.map((i) => archs[i]),
          device,
        );
        model.dispose();
        const truth = test.map((i) => col[i]);
        rhos.push(spearman(pred, truth));
        const w = leastSquares(
          [...picked].map((r) => [1, logFlops[r], logParams[r]]),
          [...picked].map((r) => Math.log(Math.max(col[r], 1e-3))),
        );
        flopsFitRhos.push(
          spearman(
            test.map((i) => w[0] + w[1] * logFlops[i] + w[2] * logParams[i]),
            truth,
          ),
        );
      }
      const r = {
        device,
        role: L.HELP_META_TEST_DEVICES.includes(device) ? 'meta-test' : 'meta-valid',
        shots: k,
        spearmanMean: +mean(rhos).toFixed(4),
        spearmanMin: +Math.min(...rhos).toFixed(4),
        spearmanAll: rhos.map((v) => +v.toFixed(4)),
        flopsSpearman: +flopsRho.toFixed(4),
        flopsParamsFitSpearman: +mean(flopsFitRhos).toFixed(4),
        helpReported: k === 10 ? (HELP_REPORTED[device] ?? null) : null,
      };
      fewShot.push(r);
      console.error(`${device.padEnd(14)} k ${k} ρ ${r.spearmanMean.toFixed(3)} (min ${r.spearmanMin.toFixed(3)}) | FLOPs ρ ${r.flopsSpearman.toFixed(3)}`);
    }
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
  const seconds = (performance.now() - started) / 1000;
  const accepted = same.filter((r) => r.kind !== 'other');
  const results = {
    bench: 'latency-learned',
    date: new Date().toISOString(),
    machine: machineInfo(),
    backend: backend.name,
    data: 'hw-latency-help/nb201_latency_ms_help.csv.gz (HELP, 27 device settings × 15,625 NB201 cells, ms)',
    options: withDefaults({ device: '<device>' }),
    protocol: {
      sameDevice: 'train on 900 seeded-random cells of the device (seed 0), predict the other 14,725',
      unseenDevice: `meta-train on ${L.HELP_META_TRAIN_DEVICES.join(', ')} (900 cells each), adapt from k seeded-random cells of the target, ρ over its other cells; adaptation seeds ${ADAPT_SEEDS.join(', ')}`,
      flopsBaseline: 'least squares of log latency on log FLOPs and log params (planNetwork, CIFAR-10 shapes), same training cells',
    },
    targets: { within10: TARGET_WITHIN, spearman: TARGET_RHO, predictionsPerSecond: TARGET_RATE },
    sameDevice: same,
    sameDevicePass: {
      devices: accepted.length,
      passing: accepted.filter((r) => r.within10 >= TARGET_WITHIN).map((r) => r.device),
      failing: accepted.filter((r) => r.within10 < TARGET_WITHIN).map((r) => r.device),
    },
    unseenDevice: { metaFitSeconds: +(metaFitSeconds ?? 0).toFixed(1), results: fewShot },
    throughput,
    tensorsAlive: tf.memory().numTensors,
    seconds: +seconds.toFixed(0),
  };
  if (QUICK) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), markdown(results));
  console.error(`wrote ${path.relative(ROOT, path.join(__dirname, 'RESULTS.md'))} (${(seconds / 60).toFixed(1)} min)`);
}

function markdown(r) {
  const m = r.machine;
  const f3 = (v) => (v === null || v === undefined ? '–' : v.toFixed(3));
  const pct = (v) => `${(100 * v).toFixed(1)} %`;
  const lines = [
    '# Learned latency model benchmark (NAS-Bench-201, HELP tables)',
    '',
    `\`node tools/bench/latency-learned/latency-learned.bench.cjs\` (built packages, ${r.date.slice(0, 10)}, backend ${r.backend}).`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.platform}, Node ${m.node}; 1-minute load average at the end ${m.loadAverage1m}.`,
    '',
    `Model options (defaults): \`${JSON.stringify({ ...r.options, device: undefined })}\`.`,
    '',
    '## Same device: trained on 900 cells, predicting the other 14,725',
    '',
    'Within ±10 %: share of predictions within 10 % of the measured latency. FLOPs: least squares of log latency on',
    'log FLOPs and log params on the same 900 cells. Same-ops reference: share of all cells within ±10 % of the median',
    'latency of the cells with the same multiset of ops (in-sample: how much of the latency the ops alone decide; not a',
    'strict bound, but a low value exposes measurement noise or drift). Acceptance: ≥ 90 % within ±10 % on every GPU',
    'and CPU setting.',
    '',
    '| device | kind | within ±10 % | Spearman ρ | FLOPs within ±10 % | FLOPs ρ | same-ops reference | fit (s) |',
    '|---|---|---|---|---|---|---|---|',
    ...r.sameDevice.map(
      (x) =>
        `| ${x.device} | ${x.kind} | ${x.within10 >= TARGET_WITHIN || x.kind === 'other' ? '' : '**'}${pct(x.within10)}${x.within10 >= TARGET_WITHIN || x.kind === 'other' ? '' : '**'} | ${f3(x.spearman)} | ${pct(x.flopsWithin10)} | ${f3(x.flopsSpearman)} | ${pct(x.sameOpsReference)} | ${x.fitSeconds} |`,
    ),
    '',
    `GPU and CPU settings at ≥ 90 %: ${r.sameDevicePass.passing.length} of ${r.sameDevicePass.devices}` +
      (r.sameDevicePass.failing.length ? `; below: ${r.sameDevicePass.failing.join(', ')} (bold).` : '.'),
    '',
    "## Unseen device: HELP's protocol",
    '',
    `Trained on HELP's meta-training devices (${r.protocol.unseenDevice.split(' (')[0].replace('meta-train on ', '')}), 900 cells each;`,
    'adapted to the target from k seeded-random measured cells (ridge regression of its log latency on the',
    `training devices' predicted log latencies); Spearman ρ over the target's other cells, mean (min) over ${r.unseenDevice.results[0]?.spearmanAll.length ?? 0} adaptation seeds.`,
    `FLOPs ρ: rank correlation of FLOPs with latency (no fit). FLOPs+params fit: least squares on the same k cells. HELP: its`,
    'reported ρ with 10 samples (README, Table 3; HELP reports FLOPs ρ of 0.950, 0.826, 0.765, 0.846, 0.437, 0.900 there).',
    `Meta-training took ${r.unseenDevice.metaFitSeconds} s.`,
    '',
    '| device | role | k | ρ mean (min) | FLOPs ρ | FLOPs+params fit ρ | HELP (k = 10) |',
    '|---|---|---|---|---|---|---|',
    ...r.unseenDevice.results.map(
      (x) =>
        `| ${x.device} | ${x.role} | ${x.shots} | ${f3(x.spearmanMean)} (${f3(x.spearmanMin)}) | ${f3(x.flopsSpearman)} | ${f3(x.flopsParamsFitSpearman)} | ${f3(x.helpReported)} |`,
    ),
    '',
    '## Throughput',
    '',
    `\`predictMany\` over all 15,625 cells (graphs, encoding, inference; median of 3): ${r.throughput.predictManyAll_s} s, ` +
      `**${r.throughput.predictionsPerSecond.toLocaleString('en-US')} predictions/s** of wall clock, ` +
      `**${r.throughput.predictionsPerCpuSecond.toLocaleString('en-US')} per second of CPU time** of the process (target ≥ ${TARGET_RATE.toLocaleString('en-US')}/s); ` +
      `from ready graphs (\`ArchGraph\` input, no toGraph): ${r.throughput.fromGraphsPerSecond.toLocaleString('en-US')}/s; ` +
      `one at a time with \`predict\`: ${r.throughput.singlePredictionsPerSecond.toLocaleString('en-US')}/s. ` +
      (m.loadAverage1m > m.cores + 0.5
        ? 'The machine was shared with other jobs (load average above), which slows every timing here.'
        : 'Nothing else ran on the machine (load average above).'),
    '',
    `Whole benchmark: ${(r.seconds / 60).toFixed(1)} min.`,
    '',
  ];
  return lines.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
