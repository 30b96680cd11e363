#!/usr/bin/env node
// oneDNN vs wasm, side by side in one run (the BUILT packages: `node tools/scripts/build.cjs`,
// and the addon: it is built at install, or by `node libs/tensor-onednn/scripts/install.cjs`).
//   node tools/bench/tensor/onednn.bench.cjs [--repeats N]      (about 3 minutes on 2 cores)
// For the best CIFAR-10 cell and a mixed cell (NB201 network, C = 16, N = 5, 32×32, batch 64):
// evaluation forward pass and one training step (trainNetwork: forward + backward + SGD) on
//   wasm (one thread), onednn with 1 oneDNN thread, onednn with all cores (OMP_NUM_THREADS),
// each configuration in its own process (OpenMP reads its thread count when it loads); then
// where the onednn training step spends its time (tf.profile, by kernel). PyTorch runs in the same
// run when python3-torch is installed (tools/bench/tensor/torch_nb201.py); otherwise the table
// quotes vs-torch.results.json. Writes onednn.results.json + ONEDNN.md beside this script.
// Timing numbers belong here, never in tests.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'libs', 'tensor', 'dist');
const CIFAR = { numClasses: 10, inputShape: [3, 32, 32] };
const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
const CELLS = [
  { label: 'best CIFAR-10 cell', arch: '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|' },
  { label: 'mixed cell', arch: '|avg_pool_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|nor_conv_1x1~2|' },
];
const argv = process.argv.slice(2);
const REPEATS = argv.includes('--repeats') ? Number(argv[argv.indexOf('--repeats') + 1]) : 5;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const opsOf = (arch) =>
  arch.split('+').flatMap((node) =>
    node
      .split('|')
      .filter(Boolean)
      .map((e) => OPS.indexOf(e.split('~')[0])),
  );
const archOf = (arch) => ({ space: 'nb201', genotype: { ops: opsOf(arch) }, key: `nb201:${opsOf(arch).join('')}` });

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

// ---- child: one backend configuration -------------------------------------------------------
if (argv[0] === '--child') {
  const backend = argv[1];
  const T = require(DIST);
  (async () => {
    const info = await T.initTensorBackend(backend);
    const { tf } = T;
    const rows = [];
    for (const cell of CELLS) {
      const net = T.buildNetwork(archOf(cell.arch), CIFAR);
      const x = tf.randomNormal([64, ...CIFAR.inputShape]);
      const fwd = () => {
        const t0 = performance.now();
        const y = net.forward(x, { training: false });
        y.dataSync();
        y.dispose();
        return performance.now() - t0;
      };
      const times = [];
      let last = 0;
      await T.trainNetwork(net, randomSplit(64 * (REPEATS + 1), CIFAR.inputShape, 7), {
        steps: REPEATS + 1,
        batchSize: 64,
        microBatchSize: 64,
        onProgress: (p) => {
          if (p.kind !== 'step') return;
          times.push((p.seconds - last) * 1000);
          last = p.seconds;
        },
      });
      // The forward pass after the training steps, as the PyTorch side times it (torch_nb201.py).
      fwd();
      const forwardMs = median(Array.from({ length: REPEATS }, fwd));
      const row = { label: cell.label, arch: cell.arch, params: net.paramCount, forwardMs, trainStepMs: median(times.slice(1)) };
      if (argv.includes('--profile')) {
        // One training-mode forward + backward under tf.profile: kernel time by kernel name.
        const labels = tf.oneHot(
          tf.tensor1d(
            Array.from({ length: 64 }, (_, i) => i % 10),
            'int32',
          ),
          10,
        );
        const prof = await tf.profile(() => {
          const g = tf.variableGrads(() => T.crossEntropy(net.forward(x, { training: true }), tf.argMax(labels, 1)));
          tf.dispose([g.value, ...Object.values(g.grads)]);
        });
        const by = new Map();
        for (const k of prof.kernels) by.set(k.name, (by.get(k.name) ?? 0) + k.kernelTimeMs);
        row.profile = [...by].sort((a, b) => b[1] - a[1]).map(([kernel, ms]) => ({ kernel, ms: +ms.toFixed(1) }));
        labels.dispose();
      }
      x.dispose();
      net.dispose();
      rows.push(row);
    }
    process.stdout.write(JSON.stringify({ backend: info.name, onednn: info.onednn, rows }));
    process.exit(0);
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
  return;
}

// ---- parent ---------------------------------------------------------------------------------
function child(backend, threads, profile) {
  const env = { ...process.env, NASX_BACKEND: backend };
  if (threads !== undefined) env.OMP_NUM_THREADS = String(threads);
  const args = [__filename, '--child', backend, '--repeats', String(REPEATS), ...(profile ? ['--profile'] : [])];
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`onednn bench: the ${backend} child failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

function torchRows() {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status === 0) {
    return {
      source: 'this run',
      rows: CELLS.map((c) => {
        const r = spawnSync('/usr/bin/python3', [path.join(__dirname, 'torch_nb201.py'), c.arch, String(REPEATS)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`torch_nb201.py failed: ${r.stderr}`);
        const t = JSON.parse(r.stdout);
        return { label: c.label, forwardMs: t.forward64_ms, trainStepMs: t.train_step64_ms, threads: t.threads };
      }),
    };
  }
  const file = path.join(__dirname, 'vs-torch.results.json');
  if (!fs.existsSync(file)) return undefined;
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  return {
    source: `vs-torch.results.json (${saved.date}; PyTorch is not installed here)`,
    rows: saved.rows.map((r) => ({
      label: r.label,
      arch: r.arch,
      forwardMs: r.torch.forward64_ms,
      trainStepMs: r.torch.train_step64_ms,
      threads: r.torch.threads,
    })),
  };
}

function main() {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    console.error(`onednn bench: ${DIST} is missing. Build first: node tools/scripts/build.cjs`);
    process.exit(2);
  }
  const probe = require(DIST).probeTensorBackend('onednn');
  if (!probe.available) {
    console.error(`onednn bench: skipped, the onednn backend is not available (${probe.reason}). ${require(DIST).TENSOR_BACKEND_SETUP.onednn}`);
    process.exit(0); // a skip, not a failure: `npm run bench` runs every bench
  }
  const machine = machineInfo();
  const cores = os.availableParallelism();
  const configs = [
    { name: 'wasm', backend: 'wasm' },
    { name: 'onednn, 1 thread', backend: 'onednn', threads: 1 },
    { name: `onednn, ${cores} threads`, backend: 'onednn', threads: cores, profile: true },
  ];
  const results = [];
  for (const c of configs) {
    console.error(`onednn bench: ${c.name}…`);
    const r = child(c.backend, c.threads, c.profile);
    results.push({ config: c.name, threads: c.threads ?? 1, onednn: r.onednn, rows: r.rows });
    for (const row of r.rows) console.error(`  ${row.label}: forward ${row.forwardMs.toFixed(0)} ms, training step ${row.trainStepMs.toFixed(0)} ms`);
  }
  const torch = torchRows();
  const out = { date: new Date().toISOString().slice(0, 10), machine, loadAverage1mAtEnd: +os.loadavg()[0].toFixed(2), repeats: REPEATS, results, torch };
  fs.writeFileSync(path.join(__dirname, 'onednn.results.json'), JSON.stringify(out, null, 2) + '\n');
  fs.writeFileSync(path.join(__dirname, 'ONEDNN.md'), markdown(out));
  console.error(`onednn bench: wrote onednn.results.json and ONEDNN.md`);
}

function markdown(o) {
  const m = o.machine;
  const lib = o.results.find((r) => r.onednn)?.onednn;
  const L = [];
  L.push('# oneDNN vs wasm: NAS-Bench-201 network, batch 64', '');
  L.push(
    `\`node tools/bench/tensor/onednn.bench.cjs\` (${o.date}; ${m.cpu}, ${m.cores} cores, ${m.node}; median of ${o.repeats}; load average ${m.loadAverage1m} at the start, ${o.loadAverage1mAtEnd} at the end${lib ? `; oneDNN ${lib.version}, ${lib.isa}` : ''}).`,
    '',
  );
  L.push(
    '| cell | backend | forward ms | training step ms | forward vs wasm | step vs wasm | forward vs PyTorch | step vs PyTorch |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const cell of CELLS) {
    const wasm = o.results[0].rows.find((r) => r.label === cell.label);
    const torch = o.torch?.rows.find((r) => r.label === cell.label);
    for (const r of o.results) {
      const row = r.rows.find((x) => x.label === cell.label);
      const x = (a, b) => (b ? `${(a / b).toFixed(2)}×` : '–');
      L.push(
        `| ${cell.label} | ${r.config} | ${row.forwardMs.toFixed(0)} | ${row.trainStepMs.toFixed(0)} | ${x(row.forwardMs, wasm.forwardMs)} | ${x(row.trainStepMs, wasm.trainStepMs)} | ${x(row.forwardMs, torch?.forwardMs)} | ${x(row.trainStepMs, torch?.trainStepMs)} |`,
      );
    }
    if (torch)
      L.push(`| ${cell.label} | PyTorch, ${torch.threads} threads | ${torch.forwardMs.toFixed(0)} | ${torch.trainStepMs.toFixed(0)} | | | 1.00× | 1.00× |`);
  }
  L.push('', `Ratios are time / reference time (below 1: faster). PyTorch: ${o.torch ? o.torch.source : 'not available'}.`);
  if (o.torch && !o.torch.source.startsWith('this run')) {
    L.push('Those PyTorch timings were taken on another day (and the best-cell row there ends in nor_conv_1x1~2), so the PyTorch columns are indicative only.');
  }
  const prof = o.results.find((r) => r.rows[0].profile);
  if (prof) {
    L.push('', `## Where the onednn training step goes (${prof.config}, one forward + backward under tf.profile)`, '');
    for (const row of prof.rows) {
      const total = row.profile.reduce((s, k) => s + k.ms, 0);
      L.push(
        `${row.label}: ${row.profile
          .slice(0, 10)
          .map((k) => `${k.kernel} ${k.ms.toFixed(0)} ms (${((100 * k.ms) / total).toFixed(0)} %)`)
          .join(', ')}.`,
        '',
      );
    }
  }
  return L.join('\n') + '\n';
}

main();
