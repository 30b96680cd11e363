#!/usr/bin/env node
// nasx against PyTorch on the same machine, NAS-Bench-201 network (C = 16, N = 5), the same cells
// and batch sizes on both sides, one side after the other (never at the same time). Parts:
//   compare      forward pass and one SGD training step at batch 64, NASWOT v2 score at batch 128
//                (random inputs, median of --repeats after a warm-up);
//   epochs       images/s for an epoch of the CIFAR-10 sample (the cifar10 task's NB201 split of
//                its 2,000 training images: train on 1,000, then evaluate the other 1,000; batch 64,
//                fixed order, the same normalised data on both sides);
//   step-memory  memory per sample of a training step at batch 32 and 64 (fresh process each):
//                tf.memory()'s peak, the wasm heap and the resident set; PyTorch's resident set;
//   pool         NASWOT throughput: POOL_CELLS cells scored by `nasx score` (worker pool) against
//                PyTorch scoring them one after another;
//   memory       nasx only: --epochs epochs (default 10) of the mixed cell on the sample, the
//                resident set after every epoch (its growth after epoch 1 should stay under 5 %).
// Every tensor backend that initTensorBackend can select here is measured (cpu only when named:
// it is ~40× slower than wasm); --backends wasm,onednn picks them and stops for one that is not
// available. PyTorch runs on every core with an optimised BLAS; the set-up installs one
// (libopenblas0-pthread, with apt as root) and the bench refuses to report otherwise
// (torch-setup.cjs). Each part records the load average around it; --wait-idle M waits up to M
// minutes before each part for the load average to fall below half the cores.
//   node tools/bench/tensor/vs-torch.bench.cjs [--backends wasm,onednn] [--only compare,epochs]
//                                              [--cells best,mixed] [--epochs 10] [--repeats 3] [--wait-idle 0]
// --only reruns some parts; the others are kept from the last run in vs-torch.results.json.
// --note TEXT is printed with the parts of this run (e.g. what else ran); --report only rewrites
// VS-TORCH.md from vs-torch.results.json.
// Data: NASX_DATA, else the shared/data folder beside the repository (cifar10-sample/). Needs the
// built workspace (node tools/scripts/build.cjs). Writes vs-torch.results.json and VS-TORCH.md
// beside this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { machineInfo } = require('../machine.cjs');
const { prepareTorch, runTorch } = require('./torch-setup.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ARCHS = {
  'best CIFAR-10 cell': '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|',
  'mixed cell': '|avg_pool_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|nor_conv_1x1~2|',
};
/** Short names of the cells for --cells. */
const CELL_IDS = { best: 'best CIFAR-10 cell', mixed: 'mixed cell' };
/** The cell of the many-epoch memory run (the cheaper one: it has every op kind but `none`). */
const MEMORY_CELL = 'mixed cell';
const BATCH = 64;
const MEMORY_BATCHES = [32, 64];
const POOL_CELLS = 8;
/** Backends measured only when named: the pure-JavaScript cpu backend would take an hour. */
const ONLY_WHEN_NAMED = new Set(['cpu']);

const dist = (rel) => path.join(ROOT, rel, 'dist', 'index.js');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A mistake of the user's: one paragraph on stderr, no stack trace, exit 2. */
function fail(problem, fix) {
  console.error(`vs-torch bench: ${problem}.${fix ? `\n  Fix: ${fix}.` : ''}`);
  process.exit(2);
}

/** The parts of the bench, in the order they run; --only picks some (their results replace those of an earlier run). */
const SECTIONS = ['compare', 'epochs', 'step-memory', 'pool', 'memory'];

function parseArgs(argv) {
  const out = { backends: undefined, cells: Object.keys(CELL_IDS), only: SECTIONS, epochs: 10, repeats: 3, waitIdle: 0, note: undefined, report: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--'))
        fail(`${a} needs a value`, `e.g. ${a === '--backends' ? '--backends wasm' : a === '--only' ? '--only compare,pool' : `${a} 3`}`);
      return v;
    };
    const list = () =>
      value()
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    if (a === '--backends') out.backends = list();
    else if (a === '--note') out.note = value();
    else if (a === '--cells') {
      out.cells = list();
      const bad = out.cells.filter((x) => !(x in CELL_IDS));
      if (bad.length || out.cells.length === 0)
        fail(`--cells: "${bad.join(',')}" is not a cell of the bench`, `name some of ${Object.keys(CELL_IDS).join(', ')}`);
    } else if (a === '--report') out.report = true;
    else if (a === '--only') {
      out.only = list();
      const bad = out.only.filter((x) => !SECTIONS.includes(x));
      if (bad.length || out.only.length === 0) fail(`--only: "${bad.join(',')}" is not a part of the bench`, `name some of ${SECTIONS.join(', ')}`);
    } else if (a === '--epochs' || a === '--repeats' || a === '--wait-idle') {
      const v = value();
      const n = Number(v);
      const min = a === '--wait-idle' ? 0 : 1;
      if (!Number.isInteger(n) || n < min) fail(`${a} must be an integer of at least ${min}, got "${v}"`, `e.g. ${a} 3`);
      out[a === '--wait-idle' ? 'waitIdle' : a.slice(2)] = n;
    } else
      fail(`unknown option "${a}"`, 'use --backends a,b  --only a,b  --cells best,mixed  --epochs N  --repeats N  --wait-idle MINUTES  --note TEXT  --report');
  }
  if (out.backends && out.backends.length === 0) fail('--backends names no backend', 'e.g. --backends wasm');
  return out;
}

/**
 * Waits up to `minutes` for the 1-minute load average to fall below half the cores (other jobs
 * skew both sides, PyTorch's threads most: each parallel region waits for its slowest thread).
 * Returns the load average when it stops waiting.
 */
async function waitForQuiet(minutes, cores, what) {
  const limit = cores / 2;
  const until = Date.now() + minutes * 60_000;
  let load = os.loadavg()[0];
  if (load >= limit && minutes > 0)
    console.error(`vs-torch bench: ${what}: waiting up to ${minutes} min for the load average (${load.toFixed(1)}) to fall below ${limit}…`);
  while (load >= limit && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 10_000));
    load = os.loadavg()[0];
  }
  return load;
}

/**
 * The backends to measure: those named (each must initialise here, else the bench stops with
 * initTensorBackend's reason and fix), or every one of TENSOR_BACKENDS that initialises but cpu.
 */
async function selectBackends(named) {
  const tensor = require(dist('libs/tensor'));
  const known = tensor.TENSOR_BACKENDS;
  for (const name of named ?? []) {
    if (!known.includes(name)) fail(`--backends: "${name}" is not a tensor backend`, `name some of ${known.join(', ')}`);
  }
  const chosen = [];
  const skipped = [];
  for (const name of named ?? known) {
    try {
      const info = await tensor.initTensorBackend(name);
      if (!named && ONLY_WHEN_NAMED.has(name)) skipped.push({ name, reason: 'measured only when named (--backends), about 40× slower than wasm' });
      else chosen.push({ name, simd: info.simd, threads: info.threads });
    } catch (e) {
      if (named) fail(`--backends: the "${name}" backend is not available here: ${e.message}`, e.fix ?? `leave "${name}" out of --backends`);
      skipped.push({ name, reason: e.message });
    }
  }
  if (chosen.length === 0) fail(`no tensor backend initialises here (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`, 'rebuild the workspace');
  return { chosen, skipped };
}

// ---- children: one fresh process per nasx measurement, so backends and memory do not mix -------

async function child(spec) {
  const tensor = require(dist('libs/tensor'));
  await tensor.initTensorBackend(spec.backend);
  const space = require(dist('plugins/search-space-nb201')).default.contributions[0];
  const nb201 = await space.create({}, { configDir: ROOT, logger: console, rng: { int: () => 0 } });
  const net = tensor.buildNetwork(nb201.parse(spec.arch), { numClasses: 10, inputShape: [3, 32, 32], seed: 0 });
  try {
    if (spec.mode === 'compare') return await compare(tensor, net, spec.repeats);
    if (spec.mode === 'train') return await trainEpochs(tensor, net, spec);
    if (spec.mode === 'step-memory') return await stepMemory(tensor, net, spec.batch);
    throw new Error(`unknown child mode ${spec.mode}`);
  } finally {
    net.dispose();
  }
}

async function compare(tensor, net, repeats) {
  const { tf } = tensor;
  const zc = require(dist('plugins/estimator-zero-cost'));
  const x64 = tf.randomNormal([BATCH, 3, 32, 32]);
  const y64 = tf.tensor1d(
    Int32Array.from({ length: BATCH }, (_, i) => i % 10),
    'int32',
  );
  const x128 = tf.randomNormal([128, 3, 32, 32]);
  const opt = new tensor.SgdOptimizer(net.parameters);
  const time = (fn) => {
    fn();
    const t = [];
    for (let i = 0; i < repeats; i++) {
      const s = performance.now();
      fn();
      t.push(performance.now() - s);
    }
    return median(t);
  };
  const step = () =>
    tf.tidy(() => {
      const params = [...net.parameters.values()];
      const { value, grads } = tf.variableGrads(() => tensor.crossEntropy(net.forward(x64, { training: true }), y64), params);
      value.dataSync();
      opt.step(new Map([...net.parameters].filter(([, v]) => grads[v.name]).map(([name, v]) => [name, grads[v.name]])), 0.1);
    });
  let score = 0;
  // The training step first, as on the PyTorch side (torch_nb201.py: glibc's malloc makes its first
  // forward passes slow until large blocks have been freed once); evaluation then uses calibrated statistics.
  const trainStep = time(step);
  const out = {
    params: net.paramCount,
    train_step64_ms: trainStep,
    forward64_ms: time(() => tf.tidy(() => net.forward(x64, { training: false }).dataSync())),
    naswot128_ms: time(() => {
      score = zc.naswotScore({ net, batch: { x: x128, y: y64 }, numClasses: 10, inputShape: [3, 32, 32] });
    }),
  };
  opt.dispose();
  tf.dispose([x64, y64, x128]);
  return { ...out, naswot128: score };
}

/** The cifar10 task on the sample, NB201's split (seeded), no augmentation. */
async function cifar10Sample(dataDir) {
  const { cifar10Task } = require(dist('plugins/task-cifar10'));
  const { createRng } = require(dist('libs/kernel'));
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const task = cifar10Task.create({ seed: 0 }, { configDir: ROOT, dataDir, logger: silent, rng: createRng(0) });
  await task.load();
  return task;
}

function memoryNow(tensor) {
  const m = tensor.tf.memory();
  return {
    rss: process.memoryUsage.rss(),
    jsHeap: process.memoryUsage().heapUsed,
    wasmHeap: tensor.wasmHeapBytes() ?? null,
    tensors: m.numTensors,
    tensorBytes: m.numBytes,
  };
}

/** Epochs of trainNetwork on the task's train split, evaluating on its validation split after each. */
async function trainEpochs(tensor, net, spec) {
  const task = await cifar10Sample(spec.dataDir);
  const start = memoryNow(tensor);
  const epochs = [];
  let lastStep = 0;
  let epochEnd = 0;
  await tensor.trainNetwork(net, task.splits.train, {
    epochs: spec.epochs,
    batchSize: spec.batch,
    microBatchSize: spec.batch, // the whole batch in one pass, as PyTorch does (no memory budget)
    validation: { split: task.splits.validation, batchSize: spec.batch },
    onProgress: (p) => {
      if (p.kind === 'step') {
        lastStep = p.seconds;
        return;
      }
      epochs.push({
        epoch: p.epoch + 1,
        train_seconds: lastStep - epochEnd,
        train_images: task.splits.train.size,
        eval_seconds: p.seconds - lastStep,
        eval_images: task.splits.validation.size,
        loss: p.loss,
        val_acc: p.validation?.accuracy,
        ...memoryNow(tensor),
      });
      epochEnd = p.seconds;
    },
  });
  return { batch: spec.batch, start, maxRss: process.resourceUsage().maxRSS * 1024, epochs };
}

/** Memory of two training steps at one batch size on a fresh network: tensors, wasm heap, RSS. */
async function stepMemory(tensor, net, batch) {
  const { tf } = tensor;
  const per = 3 * 32 * 32;
  let s = 12345;
  const x = Float32Array.from({ length: batch * per }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
  const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const split = {
    size: batch,
    async *batches() {
      yield { x: { data: x, shape: [batch, 3, 32, 32], dtype: 'float32' }, y: { data: y, shape: [batch], dtype: 'int32' } };
    },
  };
  const before = memoryNow(tensor);
  const profile = await tf.profile(() => tensor.trainNetwork(net, split, { steps: 2, batchSize: batch, microBatchSize: batch }).then(() => []));
  const after = memoryNow(tensor);
  return { batch, before, after, peakTensorBytes: profile.peakBytes, maxRss: process.resourceUsage().maxRSS * 1024 };
}

function runChild(spec, env = process.env) {
  const r = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(spec)], { encoding: 'utf8', env, maxBuffer: 64 * 1024 ** 2 });
  if (r.status !== 0) throw new Error(`nasx ${spec.mode} (${spec.backend}) failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// ---- the data both sides train on ---------------------------------------------------------------

/** Writes the task's train and validation splits (normalised float32 NCHW, int32 labels) for PyTorch. */
async function dumpSplits(dataDir, folder) {
  const task = await cifar10Sample(dataDir);
  for (const [name, split] of [
    ['train', task.splits.train],
    ['val', task.splits.validation],
  ]) {
    const xs = [];
    const ys = [];
    for await (const b of split.batches({ batchSize: 250 })) {
      xs.push(Buffer.from(b.x.data.buffer, b.x.data.byteOffset, b.x.data.byteLength));
      ys.push(Buffer.from(Int32Array.from(b.y.data).buffer));
    }
    fs.writeFileSync(path.join(folder, `${name}.f32`), Buffer.concat(xs));
    fs.writeFileSync(path.join(folder, `${name}.i32`), Buffer.concat(ys));
  }
  return { train: task.splits.train.size, validation: task.splits.validation.size };
}

// ---- NASWOT throughput -----------------------------------------------------------------------------

/** NB201 cells spread over the space (every 15,625/n-th code), with a conv on every path so none is trivial. */
function poolCells(n) {
  const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
  const out = [];
  for (let i = 0; out.length < n; i++) {
    let c = Math.floor((i * 15625) / (3 * n)) + 7;
    const ops = [];
    for (let e = 0; e < 6; e++, c = Math.floor(c / 5)) ops.push(OPS[c % 5]);
    if (!ops[3].includes('conv') && !ops[4].includes('conv') && !ops[5].includes('conv')) continue;
    out.push(`|${ops[0]}~0|+|${ops[1]}~0|${ops[2]}~1|+|${ops[3]}~0|${ops[4]}~1|${ops[5]}~2|`);
  }
  return out;
}

function nasxScore(backend, dataDir, archsFile, dir) {
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'apps/cli/bin/nasx.js'),
      'score',
      '--estimator',
      'naswot',
      '--task',
      'cifar10',
      '--data-dir',
      dataDir,
      '--archs',
      archsFile,
      '-o',
      path.join(dir, `scores-${backend}.csv`),
      '--no-journal',
      '-q',
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NASX_BACKEND: backend } },
  );
  if (r.status !== 0) throw new Error(`nasx score (${backend}) failed:\n${r.stderr}`);
  return (performance.now() - started) / 1000;
}

// ---- report ---------------------------------------------------------------------------------------

const f0 = (x) => (x === undefined || x === null ? '–' : Math.round(x).toLocaleString('en-US'));
const f1 = (x) => (x === undefined || x === null ? '–' : x.toFixed(1));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '–');
const mib = (b) => (b === undefined || b === null ? '–' : (b / 2 ** 20).toFixed(0));
const mib1 = (b) => (b === undefined || b === null ? '–' : (b / 2 ** 20).toFixed(1));

/** Resident-set growth from the end of epoch 1 to the end of the run, in % (and the maximum over the epochs). */
function rssGrowth(run) {
  const rss = run.epochs.map((e) => e.rss);
  if (rss.length < 2) return undefined;
  return { percent: (100 * (rss[rss.length - 1] - rss[0])) / rss[0], maxPercent: (100 * (Math.max(...rss) - rss[0])) / rss[0], rss };
}

/** "2026-12-02, load average 1.2 → 3.4" for a section's header. */
/** A part measured while the load average was at least the number of cores: its timings are not a fair comparison. */
const busy = (sec, cores) => Math.max(...sec.load) >= cores;
const busyWarning = (sec, cores, name) =>
  busy(sec, cores)
    ? ` **Busy machine: these timings and ratios are not a fair comparison** (other jobs slow PyTorch's two threads far more than nasx's one); rerun on an idle machine: \`--only ${name} --wait-idle 60\`.`
    : '';
const when = (sec) => `${sec.date}; 1-min load average ${sec.load[0].toFixed(1)} before, ${sec.load[1].toFixed(1)} after${sec.note ? `; ${sec.note}` : ''}`;

function markdown(r) {
  const S = r.sections;
  const sides = (sec, row) => [...sec.backends.map((b) => ({ label: `nasx ${b}`, m: row.nasx[b] })), { label: 'PyTorch', m: row.torch }];
  const lines = [
    '# nasx (TensorFlow.js) vs PyTorch, NAS-Bench-201 network',
    '',
    `\`node tools/bench/tensor/vs-torch.bench.cjs\` on ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGiB} GiB, Node ${r.machine.node}.`,
    '',
    `**PyTorch side: ${r.torch.setup}** (\`${r.torch.blasLibrary}\`; a 1024² float32 matmul at ${r.torch.info.matmul1024_gflops.toFixed(1)} GFLOP/s). The bench refuses to report against a reference BLAS or with fewer threads than cores.`,
    'Within a part, both sides run the same cells and batch sizes one after the other, never at the same time; parameter counts agree.',
    `Cells: best CIFAR-10 cell \`${ARCHS['best CIFAR-10 cell']}\` (NB201 #9930, 94.36 % CIFAR-10 test; #6111 at 94.37 % differs only in its last edge, a 1×1 conv); mixed cell \`${ARCHS['mixed cell']}\`.`,
    "The load average of each part is given: other jobs on the machine slow both sides, PyTorch's more (its two threads meet at a barrier in every parallel region, so each region waits for its slower thread to be scheduled).",
  ];
  const backendsLine = (sec) =>
    `nasx backends: ${sec.backends.join(', ')}${sec.skipped.length ? `; not measured: ${sec.skipped.map((x) => `${x.name} (${x.reason.split('\n')[0]})`).join('; ')}` : ''}.`;
  if (S.compare) {
    lines.push(
      '',
      `## Forward, training step, NASWOT (ms, median of ${S.compare.repeats}; ratio = nasx / PyTorch, below 1 nasx is faster)`,
      '',
      `${when(S.compare)}. ${backendsLine(S.compare)}${busyWarning(S.compare, r.machine.cores, 'compare')}`,
      '',
      '| cell | side | forward b64 | training step b64 | NASWOT b128 |',
      '|---|---|---:|---:|---:|',
    );
    for (const row of S.compare.rows) {
      for (const { label, m } of sides(S.compare, row)) {
        const cell = (k) => (label === 'PyTorch' ? f0(m?.[k]) : `${f0(m?.[k])} (${ratio(m?.[k], row.torch?.[k])})`);
        lines.push(`| ${row.label} | ${label} | ${cell('forward64_ms')} | ${cell('train_step64_ms')} | ${cell('naswot128_ms')} |`);
      }
    }
  }
  if (S.epochs) {
    lines.push(
      '',
      `## Images/s for an epoch of the CIFAR-10 sample (the cifar10 task's NB201 split: train on ${S.epochs.data.train}, then evaluate ${S.epochs.data.validation}; batch ${BATCH}, fixed order)`,
      '',
      `${when(S.epochs)}. ${backendsLine(S.epochs)} The first epoch includes the warm-up (first kernels, memory growth).${busyWarning(S.epochs, r.machine.cores, 'epochs')}`,
      '',
      '| cell | side | train img/s | eval img/s | val acc % after 1 epoch |',
      '|---|---|---:|---:|---:|',
    );
    for (const run of S.epochs.runs) {
      for (const { label, m } of sides(S.epochs, run)) {
        const e = m?.epochs[0];
        if (e) lines.push(`| ${run.label} | ${label} | ${f1(e.train_images / e.train_seconds)} | ${f1(e.eval_images / e.eval_seconds)} | ${f1(e.val_acc)} |`);
      }
    }
  }
  if (S.memory) {
    const M = S.memory;
    lines.push(
      '',
      `## Memory: ${M.epochs} epochs of the ${MEMORY_CELL} on the CIFAR-10 sample (resident set after each epoch)`,
      '',
      `${when(M)}. Same data and batch as above, evaluating after every epoch. Target: growth after epoch 1 < 5 %. Memory does not depend on the load; the images/s column does.`,
      '',
      '| side | RSS MiB after epoch 1 … last | growth after epoch 1, at the end / at most | live tensors after each epoch | wasm heap MiB | train img/s, epochs 2… (median) |',
      '|---|---|---:|---|---:|---:|',
    );
    for (const [b, run] of Object.entries(M.runs)) {
      const g = rssGrowth(run);
      const tensors = [...new Set(run.epochs.map((e) => e.tensors))].join(', ');
      const heaps = [...new Set(run.epochs.map((e) => mib(e.wasmHeap)))].join(', ');
      const rest = run.epochs.slice(1).map((e) => e.train_images / e.train_seconds);
      lines.push(
        `| nasx ${b} | ${g.rss.map(mib).join(' ')} | ${g.percent.toFixed(1)} % / ${g.maxPercent.toFixed(1)} % | ${tensors} | ${heaps} | ${rest.length ? f1(median(rest)) : '–'} |`,
      );
    }
  }
  if (S['step-memory']) {
    lines.push(
      '',
      '## Memory of a training step, per sample (fresh process, two SGD steps; MiB per sample)',
      '',
      `${when(S['step-memory'])}. tensor peak: \`tf.profile(...).peakBytes\` / batch; wasm heap: its growth / batch; RSS: the peak resident set minus the resident set before the first step, / batch (PyTorch: the same from \`ru_maxrss\`). marginal: (value × 64 − value × 32) / 32, what one more sample costs.`,
      '',
      '| cell | side | batch | tensor peak | wasm heap | RSS |',
      '|---|---|---:|---:|---:|---:|',
    );
    for (const m of S['step-memory'].rows) {
      lines.push(`| ${m.label} | ${m.side} | ${m.batch} | ${mib1(m.tensorPerSample)} | ${mib1(m.heapPerSample)} | ${mib1(m.rssPerSample)} |`);
    }
  }
  if (S.pool) {
    const P = S.pool;
    lines.push(
      '',
      `## NASWOT throughput: ${P.cells} NB201 cells spread over the space, batch 128, wall time with start-up`,
      '',
      `${when(P)}.${busyWarning(P, r.machine.cores, 'pool')}`,
      '',
      '| side | cells per minute | seconds for all |',
      '|---|---:|---:|',
      ...Object.entries(P.nasx).map(([b, sec]) => `| \`nasx score\` ${b}, worker pool of ${P.workers} | ${f1((60 * P.cells) / sec)} | ${f1(sec)} |`),
      `| PyTorch, one process, ${P.torchThreads} threads | ${f1((60 * P.cells) / P.torchSeconds)} | ${f1(P.torchSeconds)} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

// ---- main -----------------------------------------------------------------------------------------

const RESULTS = path.join(__dirname, 'vs-torch.results.json');

/** The sections of an earlier run (kept unless this run redoes them), if it was run by this version. */
function earlierSections() {
  try {
    return JSON.parse(fs.readFileSync(RESULTS, 'utf8')).sections ?? {};
  } catch {
    return {};
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.report) {
    if (!fs.existsSync(RESULTS)) fail(`${path.basename(RESULTS)} does not exist yet`, 'run the bench first');
    const md = markdown(JSON.parse(fs.readFileSync(RESULTS, 'utf8')));
    fs.writeFileSync(path.join(__dirname, 'VS-TORCH.md'), md);
    process.stdout.write(md);
    return;
  }
  const cores = os.cpus().length;
  for (const pkg of ['libs/tensor', 'libs/kernel', 'plugins/search-space-nb201', 'plugins/estimator-zero-cost', 'plugins/task-cifar10']) {
    if (!fs.existsSync(dist(pkg))) fail(`${pkg}/dist is missing`, 'build the workspace first: node tools/scripts/build.cjs');
  }
  const { chosen, skipped } = await selectBackends(args.backends);
  const backends = chosen.map((b) => b.name);
  console.error(`vs-torch bench: nasx backends ${backends.join(', ')}${skipped.length ? ` (skipped: ${skipped.map((x) => x.name).join(', ')})` : ''}`);
  const dataDir = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
  if (!fs.existsSync(path.join(dataDir, 'cifar10-sample'))) fail(`no cifar10-sample/ under ${dataDir}`, 'set NASX_DATA to the folder holding cifar10-sample/');

  const torch = prepareTorch({ cores });
  for (const p of torch.problems) console.error(`vs-torch bench: refusing to report: ${p.problem}.\n  Fix: ${p.fix}.`);
  if (torch.problems.length) process.exit(3);
  const blas = torch.info.blas_libraries.find((p) => /blas/.test(path.basename(p)) && !/lapack/.test(p));
  console.error(`vs-torch bench: ${torch.setup}; BLAS ${blas}; 1024² matmul ${torch.info.matmul1024_gflops.toFixed(1)} GFLOP/s`);
  console.error(torch.info.config.trim());

  const cells = args.cells.map((id) => [CELL_IDS[id], ARCHS[CELL_IDS[id]]]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-vs-torch-'));
  const sections = {};
  /** Runs one part of the bench, recording its date and the load average around it. */
  const section = async (name, fn) => {
    if (!args.only.includes(name)) return;
    const before = await waitForQuiet(args.waitIdle, cores, name);
    console.error(`vs-torch bench: ${name} (load average ${before.toFixed(1)})`);
    const out = await fn();
    sections[name] = {
      date: new Date().toISOString().slice(0, 10),
      load: [before, os.loadavg()[0]],
      ...(args.note ? { note: args.note } : {}),
      backends,
      skipped,
      ...out,
    };
    const all = { ...earlierSections(), ...sections };
    const results = {
      machine: machineInfo(),
      torch: { setup: torch.setup, debian: torch.debian, blasLibrary: blas, info: torch.info },
      // The compare part's date and rows also at the top, where onednn.bench.cjs reads PyTorch's times.
      ...(all.compare ? { date: all.compare.date, rows: all.compare.rows } : {}),
      sections: all,
    };
    fs.writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
    fs.writeFileSync(path.join(__dirname, 'VS-TORCH.md'), markdown(results));
  };
  try {
    const data = await dumpSplits(dataDir, tmp);
    await section('compare', () => {
      const rows = [];
      for (const [label, arch] of cells) {
        const row = { label, arch, nasx: {}, torch: runTorch(['bench', arch, String(args.repeats)], { threads: cores }) };
        for (const b of backends) row.nasx[b] = runChild({ mode: 'compare', backend: b, arch, repeats: args.repeats });
        console.error(label, JSON.stringify(row));
        rows.push(row);
      }
      return { repeats: args.repeats, rows };
    });
    await section('epochs', () => {
      const runs = [];
      for (const [label, arch] of cells) {
        const run = { label, arch, nasx: {}, torch: runTorch(['train', tmp, arch, '1', String(BATCH)], { threads: cores }) };
        for (const b of backends) run.nasx[b] = runChild({ mode: 'train', backend: b, arch, epochs: 1, batch: BATCH, dataDir });
        console.error(label, 'epoch', JSON.stringify(run));
        runs.push(run);
      }
      return { data, runs };
    });
    await section('step-memory', () => {
      const rows = [];
      for (const [label, arch] of cells) {
        const bySide = {};
        for (const batch of MEMORY_BATCHES) {
          const t = runTorch(['step-memory', arch, String(batch)], { threads: cores });
          (bySide.PyTorch ??= []).push({ label, side: 'PyTorch', batch, rssPerSample: (t.max_rss - t.rss_before) / batch, raw: t });
          for (const b of backends) {
            const m = runChild({ mode: 'step-memory', backend: b, arch, batch });
            (bySide[`nasx ${b}`] ??= []).push({
              label,
              side: `nasx ${b}`,
              batch,
              tensorPerSample: m.peakTensorBytes / batch,
              heapPerSample: m.after.wasmHeap !== null ? (m.after.wasmHeap - m.before.wasmHeap) / batch : null,
              rssPerSample: (m.maxRss - m.before.rss) / batch,
              raw: m,
            });
          }
        }
        for (const [side, list] of Object.entries(bySide)) {
          const [a, b] = list;
          const marginal = (k) => (a[k] === undefined || a[k] === null ? undefined : (b[k] * b.batch - a[k] * a.batch) / (b.batch - a.batch));
          rows.push(...list, {
            label,
            side,
            batch: 'marginal',
            tensorPerSample: marginal('tensorPerSample'),
            heapPerSample: marginal('heapPerSample'),
            rssPerSample: marginal('rssPerSample'),
          });
        }
      }
      return { batches: MEMORY_BATCHES, rows };
    });
    await section('pool', () => {
      const archsFile = path.join(tmp, 'archs.txt');
      fs.writeFileSync(archsFile, poolCells(POOL_CELLS).join('\n') + '\n');
      const nasx = {};
      for (const b of backends) nasx[b] = nasxScore(b, dataDir, archsFile, tmp);
      const t = runTorch(['naswot-list', archsFile], { threads: cores });
      return { cells: POOL_CELLS, workers: cores, nasx, torchSeconds: t.seconds, torchThreads: t.threads };
    });
    // nasx only: whether its resident set stays flat (PyTorch's per-sample memory is in step-memory).
    await section('memory', () => {
      const runs = {};
      for (const b of backends) runs[b] = runChild({ mode: 'train', backend: b, arch: ARCHS[MEMORY_CELL], epochs: args.epochs, batch: BATCH, dataDir });
      return { epochs: args.epochs, data, runs, growthPercent: Object.fromEntries(Object.entries(runs).map(([b, run]) => [b, rssGrowth(run)?.percent])) };
    });
    process.stdout.write(fs.readFileSync(path.join(__dirname, 'VS-TORCH.md'), 'utf8'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  child(JSON.parse(process.argv[3])).then(
    (out) => process.stdout.write(JSON.stringify(out) + '\n'),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
