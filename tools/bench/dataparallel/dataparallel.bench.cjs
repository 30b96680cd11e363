#!/usr/bin/env node
// Benchmark of data-parallel training (@nasx/tensor's `replicas`, the BUILT package:
// `npx tsc -b libs/tensor`) on the wasm backend, 1 vs 2 replicas in the same run:
//   node tools/bench/dataparallel/dataparallel.bench.cjs [--cells best,mixed] [--epoch-cells best,mixed] [--render]
//   1. one NB201 training step (C = 16, N = 5, CIFAR-10 32×32, batch 64) through trainNetwork:
//      one thread over the whole batch, one thread over 2 micro-batches of 32 (the exact
//      single-thread equivalent of 2 replicas), and 2 replicas; median of the steps after a warm-up;
//   2. images/s over one epoch of the 2,000-image CIFAR-10 sample (batch 64), 1 vs 2 replicas,
//      and the replicas' start-up (threads, wasm, network, weights) apart from it.
// The modes alternate per cell, so a change in the machine's load hits all of them alike.
// Data: NASX_DATA, else the shared/data folder beside the repository (cifar10-sample/).
// Writes results.json + RESULTS.md beside this script. Timing numbers belong here, never in tests.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'libs', 'tensor', 'dist');
const DATA = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
const CIFAR = { numClasses: 10, inputShape: [3, 32, 32] };
const CELLS = {
  best: { name: 'best CIFAR-10 cell (94.37%)', ops: [3, 3, 3, 1, 3, 2] },
  mixed: { name: 'mixed (avg_pool, 1×1, skip, 3×3)', ops: [4, 2, 1, 2, 0, 3] },
};
const BATCH = 64;
const STEPS = 4;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function load() {
  if (!fs.existsSync(path.join(DIST, 'parallel', 'replica.worker.js'))) {
    console.error(`dataparallel bench: ${DIST} is missing or old. Build first: npx tsc -b libs/tensor`);
    process.exit(2);
  }
  return require(DIST);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const arch = (ops) => ({ space: 'nb201', genotype: { ops }, key: `nb201:${ops.join('')}` });

function split(x, y) {
  const per = 3 * 32 * 32;
  return {
    size: y.length,
    async *batches({ batchSize }) {
      for (let i = 0; i < y.length; i += batchSize) {
        const m = Math.min(batchSize, y.length - i);
        yield {
          x: { data: x.subarray(i * per, (i + m) * per), shape: [m, 3, 32, 32], dtype: 'float32' },
          y: { data: y.subarray(i, i + m), shape: [m], dtype: 'int32' },
        };
      }
    },
  };
}

/** The CIFAR-10 sample's training images, scaled and normalised per channel as the cifar10 task does. */
function cifarSample() {
  const dir = path.join(DATA, 'cifar10-sample');
  if (!fs.existsSync(path.join(dir, 'cifar10_header.json'))) {
    console.error(`dataparallel bench: no cifar10-sample under ${DATA} (set NASX_DATA)`);
    process.exit(2);
  }
  const f = JSON.parse(fs.readFileSync(path.join(dir, 'cifar10_header.json'), 'utf8')).files.train;
  const images = zlib.gunzipSync(fs.readFileSync(path.join(dir, f.images)));
  const labels = zlib.gunzipSync(fs.readFileSync(path.join(dir, f.labels)));
  const n = labels.length;
  const x = new Float32Array(n * 3072);
  for (let i = 0; i < n * 3072; i++) {
    const c = Math.floor((i % 3072) / 1024);
    x[i] = (images[i] / 255 - f.channel_mean[c]) / f.channel_std[c];
  }
  return split(x, Int32Array.from(labels));
}

/**
 * CPU time of the whole process (all threads, user + system), ms. Unlike wall time it barely
 * depends on what else the machine runs, so it gives the parallel efficiency on a busy machine:
 * the replicas' CPU per step against one thread's (barrier waits sleep in Atomics.wait).
 */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median ms of a training step after the first, and the wall time around trainNetwork. */
async function stepMs(T, cell, data, options) {
  const net = T.buildNetwork(arch(cell.ops), { ...CIFAR, seed: 1 });
  const times = [];
  const cpu = [];
  let last = 0;
  let lastCpu = cpuMs();
  const t0 = performance.now();
  const result = await T.trainNetwork(net, data, {
    steps: STEPS,
    batchSize: BATCH,
    onProgress: (p) => {
      if (p.kind !== 'step') return;
      times.push((p.seconds - last) * 1000);
      last = p.seconds;
      const now = cpuMs();
      cpu.push(now - lastCpu);
      lastCpu = now;
    },
    ...options,
  });
  const wall = (performance.now() - t0) / 1000;
  net.dispose();
  return {
    ms: median(times.slice(1)),
    cpuMs: median(cpu.slice(1)),
    steps: times.map((t) => Math.round(t)),
    startupS: wall - result.seconds,
    loss: result.loss,
  };
}

/**
 * The same with 2 replicas through createDataParallelTrainer (what trainNetwork runs), to also
 * get each replica's split of a step: compute, waiting for the other, reduce + update.
 */
async function replicaStepMs(T, cell, data) {
  const t0 = performance.now();
  const dp = await T.createDataParallelTrainer({
    replicas: 2,
    model: { kind: 'network', arch: arch(cell.ops), options: { ...CIFAR, seed: 1 } },
    sampleShape: CIFAR.inputShape,
    maxBatchSize: BATCH,
  });
  const startupS = (performance.now() - t0) / 1000;
  const times = [];
  const cpu = [];
  const splits = [];
  let loss = NaN;
  try {
    let i = 0;
    for await (const batch of data.batches({ batchSize: BATCH })) {
      if (i++ >= STEPS) break;
      const s0 = performance.now();
      const c0 = cpuMs();
      const r = await dp.step(batch, { learningRate: 0.1 });
      times.push(performance.now() - s0);
      cpu.push(cpuMs() - c0);
      splits.push(r.replicaMs);
      loss = r.loss;
    }
  } finally {
    await dp.dispose();
  }
  const part = (key) => median(splits.slice(1).map((s) => Math.max(...s.map((x) => x[key]))));
  return {
    ms: median(times.slice(1)),
    cpuMs: median(cpu.slice(1)),
    steps: times.map((t) => Math.round(t)),
    startupS,
    loss,
    slowestReplicaMs: { compute: part('compute'), wait: part('wait'), sync: part('sync') },
    perReplica: splits.map((s) => s.map((x) => ({ compute: Math.round(x.compute), wait: Math.round(x.wait), sync: Math.round(x.sync) }))),
  };
}

/** One epoch over the sample: images/s of the training loop, start-up apart. */
async function epoch(T, cell, data, options) {
  const net = T.buildNetwork(arch(cell.ops), { ...CIFAR, seed: 1 });
  const t0 = performance.now();
  const result = await T.trainNetwork(net, data, { epochs: 1, batchSize: BATCH, ...options });
  const wall = (performance.now() - t0) / 1000;
  net.dispose();
  return { imagesPerS: result.samples / result.seconds, seconds: result.seconds, startupS: wall - result.seconds, samples: result.samples, loss: result.loss };
}

async function main() {
  const T = load();
  const info = await T.initTensorBackend('wasm');
  const cells = arg('--cells', 'best,mixed').split(',');
  const epochCells = arg('--epoch-cells', 'mixed').split(',');
  const data = cifarSample();
  const machine = machineInfo();
  console.error(`backend ${info.name}${info.simd ? ' (SIMD)' : ''}; ${os.availableParallelism()} cores; load ${machine.loadAverage1m}`);
  const modes = [
    { key: 'one', label: '1 thread, whole batch', options: { microBatchSize: BATCH } },
    { key: 'oneMicro', label: '1 thread, 2 micro-batches of 32', options: { microBatchSize: BATCH / 2 } },
    { key: 'two', label: '2 replicas', options: { replicas: 2 } },
  ];
  const steps = [];
  for (const c of cells) {
    const cell = CELLS[c];
    const row = { cell: cell.name, ops: cell.ops.join('') };
    for (const m of modes) {
      row[m.key] = m.key === 'two' ? await replicaStepMs(T, cell, data) : await stepMs(T, cell, data, m.options);
      console.error(`step ${cell.name} · ${m.label}: ${row[m.key].ms.toFixed(0)} ms (${row[m.key].steps.join(', ')})`);
    }
    steps.push(row);
  }
  const epochs = [];
  for (const c of epochCells) {
    const cell = CELLS[c];
    const row = { cell: cell.name, ops: cell.ops.join('') };
    for (const m of [modes[0], modes[2]]) {
      row[m.key] = await epoch(T, cell, data, m.options);
      console.error(`epoch ${cell.name} · ${m.label}: ${row[m.key].imagesPerS.toFixed(1)} images/s (${row[m.key].seconds.toFixed(1)} s)`);
    }
    epochs.push(row);
  }
  const loadAfter = +os.loadavg()[0].toFixed(2);
  const results = { date: new Date().toISOString(), machine, loadAverage1mAfter: loadAfter, backend: info, batch: BATCH, steps, epochs };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  render(results);
}

/** Writes RESULTS.md from a results.json object (`--render` redoes it from the file alone). */
function render(results) {
  const { machine, backend: info, steps, epochs } = results;
  const loadAfter = results.loadAverage1mAfter;
  const fmt = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const md = [
    '# Data-parallel training benchmark',
    '',
    `${results.date.slice(0, 10)} · ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB · ${machine.platform} · Node ${machine.node} · backend **${info.name}**${info.simd ? ' (SIMD)' : ''} · 1-minute load average ${machine.loadAverage1m} before, ${loadAfter} after`,
    '',
    'Command: `node tools/bench/dataparallel/dataparallel.bench.cjs` (after `npx tsc -b libs/tensor`). NAS-Bench-201 network C = 16, N = 5, CIFAR-10 32×32, 10 classes, batch 64, through `trainNetwork`. The modes run one after the other per cell in the same process.',
    '',
    `## Training step (median of steps 2–${STEPS}), ms`,
    '',
    '| cell | 1 thread, batch 64 | 1 thread, 2 × 32 (the exact reference) | 2 replicas | speed-up vs 1 thread | replica compute / wait / reduce+update | replica start-up s |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...steps.map(
      (r) =>
        `| ${r.cell} \`${r.ops}\` | ${fmt(r.one.ms)} | ${fmt(r.oneMicro.ms)} | ${fmt(r.two.ms)} | ${fmt(r.one.ms / r.two.ms, 2)}× | ${fmt(r.two.slowestReplicaMs.compute)} / ${fmt(r.two.slowestReplicaMs.wait)} / ${fmt(r.two.slowestReplicaMs.sync)} | ${fmt(r.two.startupS, 1)} |`,
    ),
    '',
    '### CPU time per step (all threads of the process, user + system), ms',
    '',
    "CPU time does not count time-slicing, so it depends much less than wall time on the other jobs (it still does on cache and memory-bandwidth contention: compare the two 1-thread columns, nearly the same work). 1 thread (2 × 32) against the 2 replicas in CPU time is the parallel efficiency. On an idle machine with a free core per replica, a step would take about half the replicas' CPU time plus the wait at the barrier, so 2 × CPU(1 thread) / CPU(2 replicas) estimates the speed-up, from above (an estimate, not a measurement).",
    '',
    '| cell | 1 thread, batch 64 | 1 thread, 2 × 32 | 2 replicas (both threads) | efficiency vs 2 × 32 | estimated idle speed-up vs batch 64 / vs 2 × 32 |',
    '|---|---:|---:|---:|---:|---:|',
    ...steps
      .filter((r) => r.two.cpuMs !== undefined)
      .map(
        (r) =>
          `| ${r.cell} \`${r.ops}\` | ${fmt(r.one.cpuMs)} | ${fmt(r.oneMicro.cpuMs)} | ${fmt(r.two.cpuMs)} | ${fmt((100 * r.oneMicro.cpuMs) / r.two.cpuMs)} % | ${fmt((2 * r.one.cpuMs) / r.two.cpuMs, 2)}× / ${fmt((2 * r.oneMicro.cpuMs) / r.two.cpuMs, 2)}× |`,
      ),
    '',
    'Replica split: for each step the larger of the 2 replicas\' times in each part, median over the steps after the first. "wait": waiting at the first barrier for the other replica\'s micro-batch; "reduce+update": its half of the all-reduce, the second barrier and the SGD update.',
    '',
    '## One epoch of the CIFAR-10 sample (2,000 images, 32 steps), images/s',
    '',
    '| cell | 1 thread | 2 replicas | speed-up | epoch s (1 / 2) | replica start-up s |',
    '|---|---:|---:|---:|---:|---:|',
    ...epochs.map(
      (r) =>
        `| ${r.cell} \`${r.ops}\` | ${fmt(r.one.imagesPerS, 1)} | ${fmt(r.two.imagesPerS, 1)} | ${fmt(r.two.imagesPerS / r.one.imagesPerS, 2)}× | ${fmt(r.one.seconds, 1)} / ${fmt(r.two.seconds, 1)} | ${fmt(r.two.startupS, 1)} |`,
    ),
    '',
    'Start-up (2 threads, a wasm instance and the network in each, the weights loaded) is paid once per training job and is not in the step times or images/s.',
    '',
    ...(Math.max(machine.loadAverage1m, loadAfter) > machine.cores / 2
      ? [
          `**The machine was busy** (1-minute load average ${machine.loadAverage1m} before and ${loadAfter} after, on ${machine.cores} cores): every thread here was time-sliced with other jobs (a replica descheduled while the other waits for it at the barrier; 2 threads drawing a larger or smaller share of the contended CPU than 1 from one step to the next), so these times and the ratios between them say nothing about the speed-up on an idle machine. The split of a replica's step (compute against wait and reduce+update) is what carries over. Rerun when \`uptime\` shows a load below ${machine.cores / 2}.`,
          '',
        ]
      : []),
  ];
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md.join('\n'));
  if (!process.argv.includes('--render')) console.error(md.join('\n'));
}

if (process.argv.includes('--render')) render(JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8')));
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
