#!/usr/bin/env node
// Benchmark of @nasx/tensor (the BUILT package: `npx tsc -b libs/tensor`).
//   node tools/bench/tensor/tensor.bench.cjs            (about 3 minutes on 2 cores)
// Measures, on the backend initTensorBackend() picks (wasm on a plain install) and on cpu:
//   1. cold start: require + initTensorBackend, median over fresh processes;
//   2. NAS-Bench-201 networks (C = 16, N = 5, CIFAR-10 32×32, batch 64): evaluation forward pass
//      and one training step (forward + backward + SGD, through trainNetwork) per cell;
//   3. convolution backprop kernels: the composed ones vs the backends' own;
//   4. wasm heap of a training step vs the plan's trainingBytesPerSample (fresh process each);
//   5. cpu vs wasm on the same network at batch 16.
// Writes results.json + RESULTS.md beside this script. Timing numbers belong here, never in tests.
'use strict';
const fs = require('node:fs');
const { machineInfo } = require('../machine.cjs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'libs', 'tensor', 'dist');

function load() {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    console.error(`tensor bench: ${DIST} is missing. Build first: npx tsc -b libs/tensor`);
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
const CIFAR = { numClasses: 10, inputShape: [3, 32, 32] };
/** Cells: the largest, the best CIFAR-10 cell (NB201 index 6111 in the benchmark's order), a mixed one, all skip. */
const CELLS = [
  { name: 'all nor_conv_3x3 (largest)', ops: [3, 3, 3, 3, 3, 3] },
  { name: 'best CIFAR-10 cell (94.37%)', ops: [3, 3, 3, 1, 3, 2] },
  { name: 'mixed (avg_pool, 1×1, skip, 3×3)', ops: [4, 2, 1, 2, 0, 3] },
  { name: 'all skip_connect', ops: [1, 1, 1, 1, 1, 1] },
];

/** A DataSplit of random NCHW images (the bench times compute, not data loading). */
function randomSplit(n, shape, seed) {
  let s = seed >>> 0 || 1;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const per = shape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n * per }, rand);
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  return {
    size: n,
    async *batches({ batchSize }) {
      for (let i = 0; i < n; i += batchSize) {
        const m = Math.min(batchSize, n - i);
        yield {
          x: { data: x.subarray(i * per, (i + m) * per), shape: [m, ...shape], dtype: 'float32' },
          y: { data: y.subarray(i, i + m), shape: [m], dtype: 'int32' },
        };
      }
    },
  };
}

/** ms of a training step: trainNetwork over `steps` batches, the first (warm-up) step dropped. */
async function trainStepMs(T, net, batch, steps) {
  const times = [];
  let last = 0;
  await T.trainNetwork(net, randomSplit(batch * steps, CIFAR.inputShape, 7), {
    steps,
    batchSize: batch,
    microBatchSize: batch,
    onProgress: (p) => {
      if (p.kind !== 'step') return;
      times.push((p.seconds - last) * 1000);
      last = p.seconds;
    },
  });
  return median(times.slice(1));
}

function forwardMs(T, net, batch, reps) {
  const { tf } = T;
  const x = tf.randomNormal([batch, ...CIFAR.inputShape]);
  const run = () => {
    const t0 = performance.now();
    const y = net.forward(x, { training: false });
    y.dataSync();
    y.dispose();
    return performance.now() - t0;
  };
  run();
  const times = Array.from({ length: reps }, run);
  x.dispose();
  return median(times);
}

// ---- child: cold start ----------------------------------------------------------------------
if (process.argv[2] === '--cold') {
  const t0 = performance.now();
  const T = load();
  const t1 = performance.now();
  T.initTensorBackend().then((info) => {
    process.stdout.write(JSON.stringify({ requireMs: t1 - t0, initMs: performance.now() - t1, backend: info.name }));
    process.exit(0);
  });
  return;
}

// ---- child: wasm heap of one training step --------------------------------------------------
if (process.argv[2] === '--heap') {
  const ops = JSON.parse(process.argv[3]);
  const batch = Number(process.argv[4]);
  const T = load();
  (async () => {
    await T.initTensorBackend('wasm');
    const net = T.buildNetwork(arch(ops), CIFAR);
    const heap = () => T.tf.backend().wasm.HEAP8.buffer.byteLength; // internal, bench only
    const before = heap();
    await T.trainNetwork(net, randomSplit(batch, CIFAR.inputShape, 3), { steps: 1, batchSize: batch, microBatchSize: batch });
    process.stdout.write(JSON.stringify({ before, after: heap(), estimate: net.plan.trainingBytesPerSample * batch }));
    process.exit(0);
  })();
  return;
}

// ---- parent ---------------------------------------------------------------------------------
async function main() {
  const T = load();
  const { tf } = T;

  // 1. Cold start in fresh processes.
  const cold = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync(process.execPath, [__filename, '--cold'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cold child failed: ${r.stderr}`);
    cold.push(JSON.parse(r.stdout));
  }

  const info = await T.initTensorBackend();
  console.error(`backend: ${info.name}${info.simd ? ' (SIMD)' : ''}`);

  // 2. NB201 networks at batch 64.
  const networks = [];
  for (const cell of CELLS) {
    const net = T.buildNetwork(arch(cell.ops), CIFAR);
    const row = {
      cell: cell.name,
      ops: cell.ops.join(''),
      params: net.paramCount,
      mflops: net.flops / 1e6,
      forwardMs: forwardMs(T, net, 64, 5),
      trainStepMs: await trainStepMs(T, net, 64, 4),
    };
    row.gmacsPerS = (3 * net.flops * 64) / (row.trainStepMs / 1000) / 1e9; // backward ≈ 2× forward MACs
    networks.push(row);
    net.dispose();
    console.error(`  ${cell.name}: forward ${row.forwardMs.toFixed(0)} ms, train step ${row.trainStepMs.toFixed(0)} ms`);
  }

  // 3. Convolution backprop kernels (batch 64, NB201 stage shapes, 3×3, stride 1, padding 1).
  const { nativeKernel } = require(path.join(DIST, 'backend', 'conv-backprop.kernels.js'));
  const kernels = [];
  for (const [h, c] of [
    [32, 16],
    [16, 32],
    [8, 64],
  ]) {
    const x = tf.randomNormal([64, h, h, c]);
    const dy = tf.randomNormal([64, h, h, c]);
    const w = tf.randomNormal([3, 3, c, c]);
    const attrs = { strides: 1, pad: 1, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, c, c], inputShape: [64, h, h, c] };
    const time = (fn) => {
      fn();
      return median(
        Array.from({ length: 5 }, () => {
          const t0 = performance.now();
          fn();
          return performance.now() - t0;
        }),
      );
    };
    // (tidy callbacks return nothing: returning a typed array makes tfjs walk all its elements)
    const viaEngine = (name, inputs) => () => tf.tidy(() => void tf.engine().runKernel(name, inputs, attrs).dataSync());
    const viaNative = (name, inputs) => () => {
      const k = nativeKernel(name, 'wasm');
      const be = tf.backend();
      const out = k.kernelFunc({ inputs, backend: be, attrs });
      be.readSync(out.dataId);
      be.disposeData(out.dataId);
    };
    kernels.push({
      shape: `64×${h}×${h}×${c}`,
      forwardMs: time(() => tf.tidy(() => void tf.conv2d(x, w, 1, 1).dataSync())),
      filterComposedMs: time(viaEngine('Conv2DBackpropFilter', { x, dy })),
      inputComposedMs: time(viaEngine('Conv2DBackpropInput', { dy, filter: w })),
      inputNativeWasmMs: time(viaNative('Conv2DBackpropInput', { dy, filter: w })),
    });
    tf.dispose([x, dy, w]);
  }
  // cpu's own filter gradient is too slow for batch 64; compare at batch 8.
  await tf.setBackend('cpu');
  tf.env().set('PROD', true);
  const small = (() => {
    const x = tf.randomNormal([8, 32, 32, 16]);
    const dy = tf.randomNormal([8, 32, 32, 16]);
    const attrs = { strides: 1, pad: 1, dataFormat: 'NHWC', filterShape: [3, 3, 16, 16] };
    const t0 = performance.now();
    tf.tidy(() => void tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs).dataSync());
    const composed = performance.now() - t0;
    const k = nativeKernel('Conv2DBackpropFilter', 'cpu');
    const be = tf.backend();
    const t1 = performance.now();
    const out = k.kernelFunc({ inputs: { x, dy }, backend: be, attrs });
    be.readSync(out.dataId);
    be.disposeData(out.dataId);
    const native = performance.now() - t1;
    tf.dispose([x, dy]);
    return { shape: '8×32×32×16', cpuFilterComposedMs: composed, cpuFilterNativeMs: native };
  })();
  await tf.setBackend(info.tfBackend);

  // 4. wasm heap per training step vs the plan's estimate.
  const memory = [];
  for (const cell of CELLS) {
    for (const batch of [32, 64]) {
      const r = spawnSync(process.execPath, [__filename, '--heap', JSON.stringify(cell.ops), String(batch)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`heap child failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout);
      memory.push({ cell: cell.name, batch, heapMiB: m.after / 2 ** 20, grownMiB: (m.after - m.before) / 2 ** 20, estimateMiB: m.estimate / 2 ** 20 });
    }
  }

  // 5. cpu vs wasm, batch 16, best cell.
  const versus = {};
  for (const backend of ['wasm', 'cpu']) {
    await T.initTensorBackend(backend);
    const net = T.buildNetwork(arch(CELLS[1].ops), CIFAR);
    versus[backend] = { forwardMs: forwardMs(T, net, 16, 2), trainStepMs: await trainStepMs(T, net, 16, 3) };
    net.dispose();
    console.error(`  ${backend} batch 16: forward ${versus[backend].forwardMs.toFixed(0)} ms, train step ${versus[backend].trainStepMs.toFixed(0)} ms`);
  }

  const results = {
    bench: 'tensor',
    date: new Date().toISOString(),
    machine: {
      ...machineInfo(),
      tfjs: tf.version_core,
    },
    backend: { name: info.name, simd: info.simd, threads: info.threads },
    coldStart: { requireMs: median(cold.map((c) => c.requireMs)), initMs: median(cold.map((c) => c.initMs)), backend: cold[0].backend },
    networks,
    kernels,
    cpuKernel: small,
    memory,
    cpuVsWasm: versus,
  };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), markdown(results));
  console.error(`wrote ${path.relative(ROOT, path.join(__dirname, 'RESULTS.md'))}`);
}

function markdown(r) {
  const f = (v, d = 0) => v.toFixed(d);
  const lines = [
    '# @nasx/tensor benchmark',
    '',
    `${r.date.slice(0, 10)} · ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGiB} GiB · ${r.machine.platform} · Node ${r.machine.node} · tfjs ${r.machine.tfjs} · backend **${r.backend.name}**${r.backend.simd ? ' (SIMD, single thread)' : ''}`,
    '',
    `Cold start (fresh process, median of 5): require ${f(r.coldStart.requireMs)} ms, initTensorBackend ${f(r.coldStart.initMs)} ms → ${r.coldStart.backend}.`,
    '',
    '## NAS-Bench-201 networks (C = 16, N = 5, 32×32 inputs, 10 classes, batch 64)',
    '',
    'Forward: evaluation mode. Training step: forward + backward + SGD through `trainNetwork` (no micro-batching), median of 3 after a warm-up.',
    '',
    '| cell | params | MFLOPs | forward ms | training step ms | GMAC/s in training |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.networks.map(
      (n) =>
        `| ${n.cell} \`${n.ops}\` | ${n.params.toLocaleString('en')} | ${f(n.mflops, 2)} | ${f(n.forwardMs)} | ${f(n.trainStepMs)} | ${f(n.gmacsPerS, 1)} |`,
    ),
    '',
    '## Convolution backprop kernels (3×3, stride 1, padding 1), ms',
    '',
    '| input | forward conv | dW composed | dX composed | dX wasm native |',
    '|---|---:|---:|---:|---:|',
    ...r.kernels.map((k) => `| ${k.shape} | ${f(k.forwardMs, 1)} | ${f(k.filterComposedMs, 1)} | ${f(k.inputComposedMs, 1)} | ${f(k.inputNativeWasmMs, 1)} |`),
    '',
    `wasm has no native dW kernel. cpu, ${r.cpuKernel.shape}: dW composed ${f(r.cpuKernel.cpuFilterComposedMs)} ms vs cpu native ${f(r.cpuKernel.cpuFilterNativeMs)} ms.`,
    '',
    '## wasm heap after one training step (fresh process) vs `plan.trainingBytesPerSample`',
    '',
    '| cell | batch | heap MiB | grown MiB | estimate MiB |',
    '|---|---:|---:|---:|---:|',
    ...r.memory.map((m) => `| ${m.cell} | ${m.batch} | ${f(m.heapMiB)} | ${f(m.grownMiB)} | ${f(m.estimateMiB)} |`),
    '',
    '## cpu vs wasm (best cell, batch 16)',
    '',
    '| backend | forward ms | training step ms |',
    '|---|---:|---:|',
    ...Object.entries(r.cpuVsWasm).map(([b, v]) => `| ${b} | ${f(v.forwardMs)} | ${f(v.trainStepMs)} |`),
    '',
    `cpu / wasm: forward ×${f(r.cpuVsWasm.cpu.forwardMs / r.cpuVsWasm.wasm.forwardMs, 1)}, training ×${f(r.cpuVsWasm.cpu.trainStepMs / r.cpuVsWasm.wasm.trainStepMs, 1)}.`,
    '',
  ];
  return lines.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
