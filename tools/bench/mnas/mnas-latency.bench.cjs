#!/usr/bin/env node
// MnasNet-space latency on the local backend (the BUILT packages: node tools/scripts/build.cjs).
//   node tools/bench/mnas/mnas-latency.bench.cjs            (about 8 minutes on 2 cores)
// 1. operators(): how many distinct operators the space has at 3×224×224 and 3×32×32;
// 2. profileOperators over all of them at 3×32×32 (warm-up 2, median of 5), wall time;
// 3. at 3×224×224 a uniform random sample of SAMPLE_224 operators, wall time extrapolated to all;
// 4. NETWORKS sampled networks at 3×32×32 measured whole (the `measured` latency model: warm-up 3,
//    median of 10) against the sum of their operators' latencies from the table of step 2 (an
//    operator lookup table, MnasNet / FBNet style) and against FLOPs: Spearman rank correlations,
//    with the median and with the minimum of the timed runs;
// 5. the same at 3×224×224 for NETWORKS_224 networks (the operators they use, min statistic).
// Writes results.json + RESULTS.md beside this script. Timing numbers belong here, never in tests.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SAMPLE_224 = 120;
const NETWORKS = 50;
const NETWORKS_224 = 50;

function load(rel) {
  const dist = path.join(ROOT, rel, 'dist');
  if (!fs.existsSync(path.join(dist, 'index.js'))) {
    console.error(`mnas bench: ${dist} is missing. Build first: node tools/scripts/build.cjs`);
    process.exit(2);
  }
  return require(dist);
}

const { operatorKey } = load('libs/contracts');
const tensor = load('libs/tensor');
const { createMnasSearchSpace } = load('plugins/search-space-mnas');
const { measuredLatencyModel } = load('plugins/latency-model-measured');
const { createRng } = load('libs/kernel');

/** Spearman's ρ with average ranks for ties. */
function spearman(a, b) {
  const rank = (xs) => {
    const order = xs.map((x, i) => [x, i]).sort((p, q) => p[0] - q[0]);
    const r = new Array(xs.length);
    for (let i = 0; i < order.length;) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ma = mean(ra);
  const mb = mean(rb);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

async function main() {
  const machineAtStart = machineInfo();
  const info = await tensor.initTensorBackend('wasm');
  const backend = await tensor.describeTensorBackend();
  const space224 = createMnasSearchSpace({ inputShape: [3, 224, 224], numClasses: 1000 });
  const space32 = createMnasSearchSpace({ inputShape: [3, 32, 32], numClasses: 10 });
  const ops224 = space224.operators();
  const ops32 = space32.operators();
  console.error(`operators: ${ops224.length} at 3x224x224, ${ops32.length} at 3x32x32 (${backend})`);

  let t0 = performance.now();
  const table32 = await tensor.profileOperators(ops32, {
    warmup: 2,
    repeats: 5,
    onProgress: (p) => p.done % 200 === 0 && console.error(`  32x32: ${p.done}/${p.total}`),
  });
  const seconds32 = (performance.now() - t0) / 1000;
  console.error(`profiled ${ops32.length} operators at 32x32 in ${seconds32.toFixed(1)} s`);
  const table32min = await tensor.profileOperators(ops32, { warmup: 2, repeats: 5, statistic: 'min' });

  const rng = createRng(7);
  const pool = [...ops224];
  const sample = [];
  while (sample.length < SAMPLE_224) sample.push(pool.splice(rng.int(pool.length), 1)[0]);
  t0 = performance.now();
  const table224 = await tensor.profileOperators(sample, {
    warmup: 2,
    repeats: 5,
    onProgress: (p) => p.done % 20 === 0 && console.error(`  224x224 sample: ${p.done}/${p.total}`),
  });
  const seconds224 = (performance.now() - t0) / 1000;
  const extrapolated224 = (seconds224 / SAMPLE_224) * ops224.length;
  const sumMs224 = table224.rows.reduce((s, r) => s + r.ms, 0);
  console.error(`profiled ${SAMPLE_224} of ${ops224.length} operators at 224x224 in ${seconds224.toFixed(1)} s (all: ~${extrapolated224.toFixed(0)} s)`);

  const comparisons = {};
  t0 = performance.now();
  for (const statistic of ['median', 'min']) {
    const lut = new Map((statistic === 'min' ? table32min : table32).rows.map((r) => [r.key, r.ms]));
    const model = await measuredLatencyModel.create({ backend: 'wasm', warmup: 3, repeats: 10, batch: 1, seed: 0, statistic }, { space: space32 });
    const nets = [];
    const netRng = createRng(11);
    for (let i = 0; i < NETWORKS; i++) {
      const arch = space32.sample(netRng);
      const graph = space32.toGraph(arch);
      const ops = graph.nodes.filter((n) => n.op !== 'input' && n.op !== 'output');
      const lutMs = ops.reduce((s, n) => s + lut.get(operatorKey(n)), 0);
      const measured = await model.predict(arch, model.devices[0]);
      nets.push({ key: arch.key, flops: graph.meta.flops, lutMs, measuredMs: measured });
    }
    const ratio = nets.map((n) => n.lutMs / n.measuredMs).sort((a, b) => a - b);
    comparisons[statistic] = {
      spearmanLutVsMeasured: spearman(
        nets.map((n) => n.lutMs),
        nets.map((n) => n.measuredMs),
      ),
      spearmanFlopsVsMeasured: spearman(
        nets.map((n) => n.flops),
        nets.map((n) => n.measuredMs),
      ),
      lutOverMeasured: { min: ratio[0], median: ratio[ratio.length >> 1], max: ratio[ratio.length - 1] },
      nets,
    };
    console.error(
      `${NETWORKS} networks (${statistic}): Spearman(lut, measured) ${comparisons[statistic].spearmanLutVsMeasured.toFixed(3)}, (FLOPs, measured) ${comparisons[statistic].spearmanFlopsVsMeasured.toFixed(3)}`,
    );
  }
  const secondsNets = (performance.now() - t0) / 1000;

  // At 224×224 (latencies spread wider): the operators of NETWORKS_224 sampled networks, min statistic.
  t0 = performance.now();
  const netRng224 = createRng(13);
  const archs224 = Array.from({ length: NETWORKS_224 }, () => space224.sample(netRng224));
  const graphs224 = archs224.map((a) => space224.toGraph(a));
  const used224 = graphs224.flatMap((g) => g.nodes.filter((n) => n.op !== 'input' && n.op !== 'output'));
  const table224min = await tensor.profileOperators(used224, {
    warmup: 2,
    repeats: 5,
    statistic: 'min',
    onProgress: (p) => p.done % 100 === 0 && console.error(`  224x224 operators of ${NETWORKS_224} networks: ${p.done}/${p.total}`),
  });
  const lut224 = new Map(table224min.rows.map((r) => [r.key, r.ms]));
  const model224 = await measuredLatencyModel.create({ backend: 'wasm', warmup: 2, repeats: 5, batch: 1, seed: 0, statistic: 'min' }, { space: space224 });
  const nets224 = [];
  for (let i = 0; i < NETWORKS_224; i++) {
    const ops = graphs224[i].nodes.filter((n) => n.op !== 'input' && n.op !== 'output');
    nets224.push({
      key: archs224[i].key,
      flops: graphs224[i].meta.flops,
      lutMs: ops.reduce((s, n) => s + lut224.get(operatorKey(n)), 0),
      measuredMs: await model224.predict(archs224[i], model224.devices[0]),
    });
  }
  const ratio224 = nets224.map((n) => n.lutMs / n.measuredMs).sort((a, b) => a - b);
  const at224 = {
    networks: NETWORKS_224,
    operators: table224min.rows.length,
    seconds: (performance.now() - t0) / 1000,
    spearmanLutVsMeasured: spearman(
      nets224.map((n) => n.lutMs),
      nets224.map((n) => n.measuredMs),
    ),
    spearmanFlopsVsMeasured: spearman(
      nets224.map((n) => n.flops),
      nets224.map((n) => n.measuredMs),
    ),
    lutOverMeasured: { min: ratio224[0], median: ratio224[ratio224.length >> 1], max: ratio224[ratio224.length - 1] },
    measuredMs: { min: Math.min(...nets224.map((n) => n.measuredMs)), max: Math.max(...nets224.map((n) => n.measuredMs)) },
    nets: nets224,
  };
  console.error(
    `${NETWORKS_224} networks at 224 (min): Spearman(lut, measured) ${at224.spearmanLutVsMeasured.toFixed(3)}, (FLOPs, measured) ${at224.spearmanFlopsVsMeasured.toFixed(3)}`,
  );
  const loadEnd = machineInfo().loadAverage1m;

  const results = {
    date: new Date().toISOString(),
    machine: machineAtStart,
    backend,
    backendInfo: { name: info.name, simd: info.simd },
    operators: { at224: ops224.length, at32: ops32.length },
    profile32: { operators: ops32.length, seconds: seconds32, warmup: 2, repeats: 5, sumMs: table32.rows.reduce((s, r) => s + r.ms, 0) },
    profile224: { sampled: SAMPLE_224, seconds: seconds224, extrapolatedSeconds: extrapolated224, meanMsPerOperator: sumMs224 / SAMPLE_224 },
    loadAverage1mAtEnd: loadEnd,
    networks32: { count: NETWORKS, seconds: secondsNets, ...comparisons },
    networks224: at224,
  };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const f = (x, d = 2) => x.toFixed(d);
  const md = `# MnasNet space: operator profiling and measured latency

\`node tools/bench/mnas/mnas-latency.bench.cjs\` on ${results.machine.cpu}, ${results.machine.cores} cores (load ${results.machine.loadAverage1m} at the start), ${results.date.slice(0, 10)}.
Backend: ${backend}.

| | |
|---|---|
| distinct operators, 3×224×224 | ${ops224.length} |
| distinct operators, 3×32×32 | ${ops32.length} |
| profileOperators, all ${ops32.length} at 3×32×32 (warm-up 2, median of 5) | ${f(seconds32, 1)} s |
| profileOperators, ${SAMPLE_224} random operators at 3×224×224 | ${f(seconds224, 1)} s |
| extrapolated to all ${ops224.length} at 3×224×224 | ~${f(extrapolated224, 0)} s (${f(extrapolated224 / 60, 1)} min) |
| mean operator latency at 224×224 (sample) | ${f(sumMs224 / SAMPLE_224)} ms |

**Operator table vs whole-network measurement**, ${NETWORKS} sampled networks at 3×32×32 (10 classes):
the sum of the table's operator latencies against the \`measured\` latency model (warm-up 3, 10
timed passes), each with the median and with the minimum of the timed runs (tables: 5 runs per
operator), ${f(secondsNets, 1)} s in all. 1-minute load average: ${machineAtStart.loadAverage1m} at the start, ${loadEnd} at the end
(on ${results.machine.cores} cores).

| statistic | Spearman ρ, table sum vs measured | Spearman ρ, FLOPs vs measured | table sum / measured (min, median, max) |
|---|---|---|---|
${['median', 'min']
  .map((k) => {
    const c = comparisons[k];
    return `| ${k} | **${f(c.spearmanLutVsMeasured, 3)}** | ${f(c.spearmanFlopsVsMeasured, 3)} | ${f(c.lutOverMeasured.min)}, ${f(c.lutOverMeasured.median)}, ${f(c.lutOverMeasured.max)} |`;
  })
  .join('\n')}

At 3×224×224 (1000 classes), ${NETWORKS_224} sampled networks (${f(at224.measuredMs.min, 0)}–${f(at224.measuredMs.max, 0)} ms), the ${at224.operators} operators they use
profiled (min of 5) and the networks measured (min of 5 after 2 warm-up), ${f(at224.seconds, 0)} s:
Spearman ρ table sum vs measured **${f(at224.spearmanLutVsMeasured, 3)}**, FLOPs vs measured ${f(at224.spearmanFlopsVsMeasured, 3)};
table sum / measured ${f(at224.lutOverMeasured.min)}, ${f(at224.lutOverMeasured.median)}, ${f(at224.lutOverMeasured.max)} (min, median, max).

A whole network pays per-pass costs the sum of its operators does not (the NCHW→NHWC transpose,
reading back only the logits instead of every operator's output), and on a busy machine a pass
longer than the scheduler's time slice is often preempted, which inflates medians of whole
networks more than of single operators; the minimum is the least disturbed run.
`;
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
  console.error(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
