#!/usr/bin/env node
// Benchmark of the `learned` latency model (@nasx/latency-model-learned) on HELP's measured
// NAS-Bench-201 latencies (the BUILT packages: node tools/scripts/build.cjs).
//   node tools/bench/latency-learned/latency-learned.bench.cjs           # full protocol (~15 min on 2 idle cores)
//   node tools/bench/latency-learned/latency-learned.bench.cjs --quick   # 3 devices, 1 adaptation seed (no files written)
// Data: NASX_DATA, else the `shared/data` folder beside the repository
// (hw-latency-help/nb201_latency_ms_help.csv.gz: 27 device settings × all 15,625 cells).
//
// 0. Adaptation settings (ensemble size, ridge penalty, squared or Huber loss), chosen by the mean
//    Spearman ρ on HELP's meta-validation devices only (k = 10 and 20, 3 seeds); the meta-test
//    devices play no part in the choice. The chosen ensemble size is used in 1, all of it in 2.
// 1. Same device (the acceptance protocol of the hardware-aware issue): for each device, the model
//    is created with its default options ({ device, train: { cells: 900 }, seed: 0 }), i.e. trained
//    on a seeded sample of 900 cells of that device, and predicts the other 14,725 cells. Reported:
//    the share of predictions within ±10 % of the measurement, Spearman ρ, and beside them the
//    FLOPs baseline (least squares of log latency on log FLOPs and log params, planNetwork's counts
//    for CIFAR-10 shapes, on the same 900 cells) and the "same-ops reference": the share of cells
//    within ±10 % of the median latency of all cells with the same multiset of ops (in-sample: how
//    much of the latency the ops alone decide; low values expose measurement noise and drift).
//    Acceptance: ≥ 90 % within ±10 % on every GPU and CPU setting (15 + 4). Beside it, the noise
//    ceiling of each table (noiseAnalysis below): how many cells any predictor that gives
//    computationally identical cells one latency can put within ±10 %, the drift of the
//    measurements in the table's row order, and what a predictor of that drift would reach.
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

// ---- Noise ceiling of the same-device protocol -------------------------------------------------
// The NB201 network as measured runs every edge of the cell: HELP measured PyTorch modules eagerly,
// where a `none` edge is a multiplication by zero and an edge whose output no path uses still runs.
// So cells with the same multiset of the six edge ops execute the same kernels on the same shapes
// (the cell's edges all map C channels to C channels at one resolution): they are computationally
// identical, and their measured latencies differ only by measurement noise and drift. (Checked:
// cells with the same *pruned* graph, i.e. same live edges, differ by far more than ±10 % on the
// clean GPUs, so the pruned graph is not what runs.)

const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
/** Edges of an NB201 string: [to, from, op index]. */
function cellEdges(s) {
  return s
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|+|')
    .flatMap((node, i) =>
      node.split('|').map((t) => {
        const [op, from] = t.split('~');
        return [i + 1, Number(from), OPS.indexOf(op)];
      }),
    );
}
/** The graph left after removing `none` edges and edges on no input→output path, as a key. */
function prunedKey(edges) {
  const live = edges.filter((e) => e[2] !== 0);
  const reach = new Set([0]);
  for (const i of [1, 2, 3]) if (live.some(([to, from]) => to === i && reach.has(from))) reach.add(i);
  const coreach = new Set([3]);
  for (const i of [2, 1, 0]) if (live.some(([to, from]) => from === i && coreach.has(to))) coreach.add(i);
  return live
    .filter(([to, from]) => reach.has(from) && coreach.has(to))
    .map((e) => e.join(':'))
    .sort()
    .join(',');
}
function groupBy(keys) {
  const groups = new Map();
  keys.forEach((k, i) => (groups.has(k) ? groups.get(k).push(i) : groups.set(k, [i])));
  return [...groups.values()];
}
const WINDOW = Math.log(1.1 / 0.9);
/**
 * The most cells of each group that ONE latency value can put within ±10 % (p within ±10 % of y
 * ⇔ log y in [log p − log 1.1, log p − log 0.9], a window of width log(1.1/0.9)), summed over
 * groups, as a share: an upper bound for every predictor that gives a group one value, even one
 * fitted to the very cells it is scored on.
 */
function bestConstantShare(values, groups) {
  let hit = 0;
  for (const g of groups) {
    const v = g.map((i) => Math.log(values[i])).sort((a, b) => a - b);
    let j = 0;
    let best = 0;
    for (let i = 0; i < v.length; i++) {
      while (v[i] - v[j] > WINDOW + 1e-12) j++;
      best = Math.max(best, i - j + 1);
    }
    hit += best;
  }
  return hit / values.length;
}
/** Share of the cells of groups of ≥ 2 within ±10 % of their group's median. */
function medianShare(values, groups) {
  let hit = 0;
  let n = 0;
  for (const g of groups) {
    if (g.length < 2) continue;
    const m = median(g.map((i) => values[i]));
    hit += g.filter((i) => Math.abs(m / values[i] - 1) <= 0.1).length;
    n += g.length;
  }
  return hit / n;
}
/** Residual of each cell's log latency from its group's median log latency. */
function groupResiduals(values, groups) {
  const r = new Float64Array(values.length);
  for (const g of groups) {
    const m = median(g.map((i) => Math.log(values[i])));
    for (const i of g) r[i] = Math.log(values[i]) - m;
  }
  return r;
}
/** Mean of r over the w rows around each row in table order, without the row itself. */
function runningMeanLeaveOut(r, w) {
  const n = r.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + r[i];
  const h = w >> 1;
  return Float64Array.from(r, (v, i) => {
    const a = Math.max(0, i - h);
    const b = Math.min(n, i + h + 1);
    return (prefix[b] - prefix[a] - v) / (b - a - 1);
  });
}
function variance(xs) {
  const m = mean(xs);
  return mean(Array.from(xs, (v) => (v - m) ** 2));
}
/** Nadaraya–Watson mean of `res` (at rows `xs`) at row q, Gaussian kernel of bandwidth h, `skip` left out. */
function kernelAt(q, xs, res, h, skip = -1) {
  let num = 0;
  let den = 0;
  for (let j = 0; j < xs.length; j++) {
    if (j === skip) continue;
    const w = Math.exp(-0.5 * ((q - xs[j]) / h) ** 2);
    num += w * res[j];
    den += w;
  }
  return den > 1e-300 ? num / den : 0;
}
const BANDWIDTHS = [5, 10, 20, 40, 80, 160, 320, 1e9];

/**
 * The same-device noise analysis of one device (see the header of this section):
 * - sameOpsBound: bestConstantShare over the 210 op-multiset groups (computationally identical cells);
 * - perNodeBound: the same over the 2,625 groups with the same ops into each node (a finer,
 *   more flexible partition: 2,625 free values fitted in-sample);
 * - prunedGraphReference: medianShare over cells sharing a pruned graph (what would run if dead
 *   edges were removed) — low where the pruned graph is not what runs;
 * - lag1 / driftR2: autocorrelation of the same-ops residuals in table order, and the share of
 *   their variance a leave-one-out running mean over 51 neighbouring rows explains (drift);
 * - driftCorrectedBound: sameOpsBound after dividing each latency by exp(that running mean);
 * - rowAware: a predictor fitted on the 900 training cells only that ALSO knows each cell's row of
 *   the table — least squares of log latency on a cubic polynomial of the op counts, plus a
 *   Gaussian kernel smoother of its training residuals over the row index (bandwidth by
 *   leave-one-out on the training cells) — scored within ±10 % on the other cells.
 */
function noiseAnalysis(col, groups, trainRows, testRows, counts) {
  const r = groupResiduals(col, groups.multiset);
  const rm = mean(r);
  let lagNum = 0;
  for (let i = 1; i < r.length; i++) lagNum += (r[i] - rm) * (r[i - 1] - rm);
  const lag1 = lagNum / (r.length - 1) / variance(r);
  const drift = runningMeanLeaveOut(r, 51);
  const driftR2 = 1 - variance(Array.from(r, (v, i) => v - drift[i])) / variance(r);
  const corrected = Array.from(col, (v, i) => v / Math.exp(drift[i]));
  // Row-aware predictor (train cells only).
  const feats = (c) => {
    const f = [1];
    for (let a = 1; a < 5; a++) f.push(c[a]);
    for (let a = 1; a < 5; a++) for (let b = a; b < 5; b++) f.push(c[a] * c[b]);
    for (let a = 1; a < 5; a++) for (let b = a; b < 5; b++) for (let d = b; d < 5; d++) f.push(c[a] * c[b] * c[d]);
    return f;
  };
  const w = leastSquares(
    trainRows.map((i) => feats(counts[i])),
    trainRows.map((i) => Math.log(col[i])),
  );
  const base = (i) => feats(counts[i]).reduce((a, v, j) => a + v * w[j], 0);
  const res = trainRows.map((i) => Math.log(col[i]) - base(i));
  let bestH = BANDWIDTHS[0];
  let bestScore = -1;
  for (const h of BANDWIDTHS) {
    const score = mean(res.map((v, j) => (Math.abs(Math.exp(v - kernelAt(trainRows[j], trainRows, res, h, j)) - 1) <= 0.1 ? 1 : 0)));
    if (score > bestScore) [bestH, bestScore] = [h, score];
  }
  const truth = testRows.map((i) => col[i]);
  const rowAware = testRows.map((i) => Math.exp(base(i) + kernelAt(i, trainRows, res, bestH)));
  const opsOnly = testRows.map((i) => Math.exp(base(i)));
  return {
    sameOpsBound: +bestConstantShare(col, groups.multiset).toFixed(4),
    perNodeBound: +bestConstantShare(col, groups.perNode).toFixed(4),
    prunedGraphReference: +medianShare(col, groups.pruned).toFixed(4),
    lag1: +lag1.toFixed(3),
    driftR2: +driftR2.toFixed(3),
    driftCorrectedBound: +bestConstantShare(corrected, groups.multiset).toFixed(4),
    opCountCubicWithin10: +within(opsOnly, truth).toFixed(4),
    rowAwareWithin10: +within(rowAware, truth).toFixed(4),
    rowAwareBandwidth: bestH,
  };
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
  const edgesOf = table.archs.map(cellEdges);
  const counts = edgesOf.map((e) => OPS.map((_, o) => e.filter((x) => x[2] === o).length));
  const partitions = {
    multiset: [...groups.values()],
    perNode: groupBy(
      edgesOf.map((e) =>
        [1, 2, 3]
          .map((t) =>
            e
              .filter((x) => x[0] === t)
              .map((x) => x[2])
              .sort()
              .join(''),
          )
          .join('/'),
      ),
    ),
    pruned: groupBy(edgesOf.map(prunedKey)),
  };
  const silent = { debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };
  const deps = (extra = {}) => ({ configDir: ROOT, logger: silent, rng: createRng(0), space, dataDir: dir, ...extra });
  const schema = L.learnedSchema;
  const withDefaults = (o) => {
    const out = { ...o, train: { cells: schema.properties.train.properties.cells.default, ...(o.train ?? {}) } };
    for (const [k, v] of Object.entries(schema.properties)) if (out[k] === undefined && 'default' in v) out[k] = v.default;
    if (out.adapt)
      out.adapt = { lambda: schema.properties.adapt.properties.lambda.default, loss: schema.properties.adapt.properties.loss.default, ...out.adapt };
    return out;
  };

  // 0. Adaptation settings, chosen on HELP's meta-validation devices only (the meta-test devices
  // are never looked at here): ensemble of 1 or 3 networks, ridge penalty, squared or Huber loss.
  // Each candidate is scored by the mean Spearman ρ over the meta-validation devices, k = 10 and 20,
  // the adaptation seeds; the best one is used in sections 1 (its ensemble size) and 2, and compared with the schema defaults.
  const graphs = archs.map((a) => space.toGraph(a));
  const selection = [];
  const LAMBDAS = [0.1, 0.3, 1, 3];
  const LOSSES = ['l2', 'huber'];
  const validDevices = QUICK ? ['titanx_1', 'gold_6240'] : L.HELP_META_VALID_DEVICES;
  const defaults = withDefaults({ device: '-', adapt: {} });
  for (const ensemble of [1, 3]) {
    const scores = new Map();
    for (const seed of ADAPT_SEEDS) {
      const rows = L.sampleRows(n, defaults.train.cells, seed, 'train-cells');
      const p = await L.LearnedLatencyPredictor.fit(
        rows.map((r) => graphs[r]),
        L.HELP_META_TRAIN_DEVICES.map((d) => {
          const c = table.latencies(d);
          return { device: d, latencies: rows.map((r) => c[r]) };
        }),
        {
          seed,
          ensemble,
          hidden: defaults.hidden,
          epochs: defaults.epochs,
          batchSize: defaults.batchSize,
          learningRate: defaults.learningRate,
          loss: defaults.loss,
        },
      );
      // The training devices' standardised outputs on every cell, through the public predict.
      const z = p.devices.map((d) => p.predict(graphs, d.name).map((ms) => (Math.log(ms) - d.mean) / d.std));
      for (const device of validDevices) {
        const col = table.latencies(device);
        for (const k of SHOTS) {
          const picked = L.sampleRows(n, k, seed, `adapt-${device}`);
          const pickedSet = new Set(picked);
          const test = archs.map((_, i) => i).filter((i) => !pickedSet.has(i));
          for (const lambda of LAMBDAS) {
            for (const loss of LOSSES) {
              const a = p.adapt(
                `${device}-candidate`,
                picked.map((r) => graphs[r]),
                picked.map((r) => col[r]),
                { lambda, loss },
              );
              const pred = test.map((i) => a.intercept + a.weights.reduce((s, w, j) => s + w * z[j][i], 0));
              const key = `${lambda}|${loss}`;
              if (!scores.has(key)) scores.set(key, []);
              scores.get(key).push({
                device,
                k,
                rho: spearman(
                  pred,
                  test.map((i) => col[i]),
                ),
              });
            }
          }
        }
      }
      p.dispose();
    }
    for (const [key, list] of scores) {
      const [lambda, loss] = key.split('|');
      const byK = Object.fromEntries(SHOTS.map((k) => [k, +mean(list.filter((x) => x.k === k).map((x) => x.rho)).toFixed(4)]));
      selection.push({ ensemble, lambda: Number(lambda), loss, meanRho: +mean(list.map((x) => x.rho)).toFixed(4), byShots: byK });
    }
  }
  selection.sort((a, b) => b.meanRho - a.meanRho);
  // Parsimony: the cheapest candidate (fewest networks) within PARSIMONY of the best mean ρ. An
  // ensemble multiplies training time and divides prediction throughput by its size, and gains
  // smaller than this are within the spread between adaptation seeds.
  const PARSIMONY = 0.001;
  const chosen = selection.filter((x) => x.meanRho >= selection[0].meanRho - PARSIMONY).sort((a, b) => a.ensemble - b.ensemble || b.meanRho - a.meanRho)[0];
  const defaultsRow = selection.find((x) => x.ensemble === defaults.ensemble && x.lambda === defaults.adapt.lambda && x.loss === defaults.adapt.loss);
  console.error(`selection on meta-valid: best ${JSON.stringify(chosen)}; defaults ${JSON.stringify(defaultsRow)}`);

  // 1. Same device.
  const sameDevices = QUICK ? ['1080ti_1', 'gold_6226', 'gold_6240'] : [...GPU, ...CPU, ...OTHER];
  const same = [];
  let throughput;
  for (const device of sameDevices) {
    const options = withDefaults({ device, ensemble: chosen.ensemble });
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
      noise: noiseAnalysis(Array.from(col), partitions, rows, test, counts),
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
    // Ceilings (in-sample, from the full column): the same adaptation fitted on ALL cells of the
    // device (the best weights for the seed-0 networks), and the median latency of the cells with
    // the same ops (the best any ops-only predictor ranks, up to in-sample optimism).
    let allCellsRho;
    {
      const options = withDefaults({ device, ensemble: chosen.ensemble, adapt: { samples: 3, lambda: chosen.lambda, loss: chosen.loss }, seed: 0 });
      const t0 = performance.now();
      const model = await L.learnedLatencyModel.create(options, deps({ stateDir }));
      // The first create trains the seed-0 networks (later ones reload them from the state folder).
      if (metaFitSeconds === undefined) metaFitSeconds = (performance.now() - t0) / 1000;
      model.predictor.adapt(`${device}-all-cells`, graphs, Array.from(col), { lambda: chosen.lambda ?? 0, loss: chosen.loss });
      allCellsRho = spearman(model.predictor.predict(graphs, `${device}-all-cells`), Array.from(col));
      model.dispose();
    }
    const groupMedian = new Float64Array(n);
    for (const g of partitions.multiset) {
      const m = median(g.map((i) => col[i]));
      for (const i of g) groupMedian[i] = m;
    }
    const sameOpsRho = spearman(Array.from(groupMedian), Array.from(col));
    for (const k of SHOTS) {
      const rhos = [];
      const flopsFitRhos = [];
      for (const seed of ADAPT_SEEDS) {
        // The meta-trained network is fitted once per seed and reloaded from the state folder
        // for the other targets and shot counts (the fingerprint covers the adaptation data).
        const options = withDefaults({ device, ensemble: chosen.ensemble, adapt: { samples: k, lambda: chosen.lambda, loss: chosen.loss }, seed });
        const model = await L.learnedLatencyModel.create(options, deps({ stateDir }));
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
        allCellsAdaptationSpearman: +allCellsRho.toFixed(4),
        sameOpsMedianSpearman: +sameOpsRho.toFixed(4),
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
    options: withDefaults({ device: '<device>', ensemble: chosen.ensemble, adapt: { lambda: chosen.lambda, loss: chosen.loss } }),
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
    adaptationSelection: { devices: validDevices, chosen, defaults: defaultsRow, candidates: selection },
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

/** The verdict on the GPU and CPU settings that miss the bar, from their noise analysis. */
function noiseVerdict(r) {
  const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '–');
  const pct = (v) => `${(100 * v).toFixed(1)} %`;
  return r.sameDevice
    .filter((x) => x.kind !== 'other' && x.within10 < TARGET_WITHIN)
    .map((x) => {
      const z = x.noise;
      const bound =
        z.sameOpsBound < TARGET_WITHIN
          ? `its same-ops bound is ${pct(z.sameOpsBound)} (per-node, in-sample: ${pct(z.perNodeBound)})`
          : `its same-ops bound is ${pct(z.sameOpsBound)}, so the model, not the data, misses`;
      const drift =
        z.driftCorrectedBound >= TARGET_WITHIN
          ? `the residuals drift in the table's order (lag-1 ${f2(z.lag1)}, drift R² ${f2(z.driftR2)}); with the drift removed the bound is ${pct(z.driftCorrectedBound)}, and a predictor that also knows the cell's row reaches ${pct(z.rowAwareWithin10)} from the 900 training cells — it models the state of HELP's machine during the sweep, not the device, and says nothing of a cell measured again, so the model does not use it`
          : `the residuals are mostly independent noise (lag-1 ${f2(z.lag1)}); with the running drift removed the bound is still ${pct(z.driftCorrectedBound)}, and the row-aware predictor reaches ${pct(z.rowAwareWithin10)}`;
      return `- **${x.device}** (${pct(x.within10)}): ${bound}; ${drift}.`;
    })
    .concat(['']);
}

function markdown(r) {
  const m = r.machine;
  const f3 = (v) => (v === null || v === undefined ? '–' : v.toFixed(3));
  // null: a statistic of a table with no residual variance (every same-ops group measured alike).
  const f2 = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2));
  const pct = (v) => `${(100 * v).toFixed(1)} %`;
  const lines = [
    '# Learned latency model benchmark (NAS-Bench-201, HELP tables)',
    '',
    `\`node tools/bench/latency-learned/latency-learned.bench.cjs\` (built packages, ${r.date.slice(0, 10)}, backend ${r.backend}).`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.platform}, Node ${m.node}; 1-minute load average at the end ${m.loadAverage1m}.`,
    '',
    `Model options (the schema defaults, with the adaptation settings chosen in the selection below): \`${JSON.stringify({ ...r.options, device: undefined })}\`.`,
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
    '### Is ≥ 90 % within ±10 % reachable? The noise ceiling of each table',
    '',
    'The network HELP timed runs every edge of the cell (PyTorch, eagerly: a `none` edge is a multiplication by zero, an',
    'edge whose output no path uses still runs), and every edge maps C channels to C channels at one resolution. So cells',
    'with the same multiset of the six edge ops are computationally identical, and what separates their latencies is',
    'measurement noise or drift. Columns (all from the table alone, except the last two):',
    '',
    '- *same-ops bound*: for each of the 210 groups of identical cells, the most of its cells that one latency value can put',
    '  within ±10 %, fitted to the very cells it is scored on. No predictor that gives identical computations one latency',
    '  can do better, in-sample or out.',
    '- *per-node bound*: the same over the 2,625 groups with the same ops into each node (a finer split, in case the order',
    '  of execution matters): 2,625 free values fitted in-sample, an optimistic bound.',
    '- *pruned-graph ref.*: share of cells within ±10 % of the median of the cells with the same *pruned* graph (dead edges',
    '  and `none` removed; groups of ≥ 2): low on the clean GPUs, so the pruned graph is not what was timed.',
    '- *lag-1* and *drift R²*: autocorrelation of the same-ops residuals (log latency minus its group median) in the',
    "  table's row order (HELP's measurement order), and the share of their variance that a running mean over 51",
    '  neighbouring rows (leaving the row out) explains.',
    '- *drift-corrected bound*: the same-ops bound after dividing each latency by that running drift.',
    '- *op-count cubic* and *+ row index*: fitted on the 900 training cells only, scored on the other 14,725: least squares',
    '  of log latency on a cubic polynomial of the op counts, then the same plus a Gaussian kernel smoother of its',
    "  residuals over the table row (bandwidth by leave-one-out on the training cells): a predictor of the sweep's drift.",
    '',
    '| device | kind | model | same-ops bound | per-node bound | pruned-graph ref. | lag-1 | drift R² | drift-corrected bound | op-count cubic | + row index |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.sameDevice.map(
      (x) =>
        `| ${x.device} | ${x.kind} | ${pct(x.within10)} | ${pct(x.noise.sameOpsBound)} | ${pct(x.noise.perNodeBound)} | ${pct(x.noise.prunedGraphReference)} | ${f2(x.noise.lag1)} | ${f2(x.noise.driftR2)} | ${pct(x.noise.driftCorrectedBound)} | ${pct(x.noise.opCountCubicWithin10)} | ${pct(x.noise.rowAwareWithin10)} |`,
    ),
    '',
    ...noiseVerdict(r),
    'For pixel3 and raspi4 (HW-NAS-Bench values, which time the pruned graph: its cells without an input→output path',
    'measure ~0.003 ms) the drift columns are not meaningful.',
    '',
    "## Adaptation settings, chosen on HELP's meta-validation devices",
    '',
    `Candidates: ensemble of 1 or 3 networks × ridge penalty × squared (l2) or Huber loss, each scored by the mean Spearman ρ over`,
    `the meta-validation devices (${r.adaptationSelection.devices.join(', ')}), k = ${SHOTS.join(' and ')}, ${r.unseenDevice.results[0]?.spearmanAll.length ?? 0} seeds (network and adaptation sample). The`,
    'meta-test devices play no part. Best first:',
    '',
    `| ensemble | λ | loss | mean ρ | ${SHOTS.map((k) => `k = ${k}`).join(' | ')} |`,
    `|---|---|---|---|${SHOTS.map(() => '---').join('|')}|`,
    ...r.adaptationSelection.candidates.map(
      (x) => `| ${x.ensemble} | ${x.lambda} | ${x.loss} | ${x.meanRho.toFixed(4)} | ${SHOTS.map((k) => x.byShots[k].toFixed(4)).join(' | ')} |`,
    ),
    '',
    `Chosen: ensemble ${r.adaptationSelection.chosen.ensemble}, λ = ${r.adaptationSelection.chosen.lambda}, ${r.adaptationSelection.chosen.loss}: the fewest networks within 0.001 of the best mean ρ (used below and in the same-device table).`,
    '',
    "## Unseen device: HELP's protocol",
    '',
    `Trained on HELP's meta-training devices (${r.protocol.unseenDevice.split(' (')[0].replace('meta-train on ', '')}), 900 cells each;`,
    'adapted to the target from k seeded-random measured cells (ridge regression, with the chosen loss, of its log latency on the',
    `training devices' predicted log latencies); Spearman ρ over the target's other cells, mean (min) over ${r.unseenDevice.results[0]?.spearmanAll.length ?? 0} adaptation seeds.`,
    `FLOPs ρ: rank correlation of FLOPs with latency (no fit). FLOPs+params fit: least squares on the same k cells. HELP: its`,
    'reported ρ with 10 samples (README, Table 3; HELP reports FLOPs ρ of 0.950, 0.826, 0.765, 0.846, 0.437, 0.900 there).',
    `Meta-training took ${r.unseenDevice.metaFitSeconds} s.`,
    '',
    'Ceilings (in-sample, not predictions): *all-cells fit*: the same adaptation fitted on every cell of the device',
    '(seed-0 networks): how well the trained outputs can rank the device at best; *same-ops ρ*: ρ of the median latency',
    'of the cells with the same ops, the best ranking any predictor of the ops alone reaches (ties in whole-millisecond',
    'tables cap it).',
    '',
    '| device | role | k | ρ mean (min) | FLOPs ρ | FLOPs+params fit ρ | HELP (k = 10) | all-cells fit ρ | same-ops ρ |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.unseenDevice.results.map(
      (x) =>
        `| ${x.device} | ${x.role} | ${x.shots} | ${x.spearmanMean >= TARGET_RHO || x.shots !== 20 ? '' : '**'}${f3(x.spearmanMean)}${x.spearmanMean >= TARGET_RHO || x.shots !== 20 ? '' : '**'} (${f3(x.spearmanMin)}) | ${f3(x.flopsSpearman)} | ${f3(x.flopsParamsFitSpearman)} | ${f3(x.helpReported)} | ${f3(x.allCellsAdaptationSpearman)} | ${f3(x.sameOpsMedianSpearman)} |`,
    ),
    '',
    ...[10, 20].map((k) => {
      const rows = r.unseenDevice.results.filter((x) => x.role === 'meta-test' && x.shots === k);
      const pass = rows.filter((x) => x.spearmanMean >= TARGET_RHO).length;
      return `Meta-test devices, k = ${k}: mean ρ ${mean(rows.map((x) => x.spearmanMean)).toFixed(3)}; ${pass} of ${rows.length} at ρ ≥ ${TARGET_RHO}${
        pass < rows.length
          ? ` (below: ${rows
              .filter((x) => x.spearmanMean < TARGET_RHO)
              .map((x) => x.device)
              .join(', ')})`
          : ''
      }.`;
    }),
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
