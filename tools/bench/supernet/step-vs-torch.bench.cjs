#!/usr/bin/env node
// Supernet training steps of nasx against PyTorch doing the same, side by side in one run (one
// after the other, never at the same time), and the total prepare time of the one-shot
// estimator's default schedule. Parts:
//   steps    single-path (SPOS) steps of the NAS-Bench-201 supernet (every cell edge holds all 5 ops,
//            each step trains one uniformly sampled path: the same path in every cell): batch 64 of
//            random 3×32×32 inputs, 10 classes, Nesterov SGD (momentum 0.9, weight decay 5e-4) on the
//            path's weights only, cosine learning rate from 0.025. Both sides run the same list of
//            paths (drawn here, passed to torch_supernet.py). Two skeletons: the estimator's default
//            CPU-sized one (channels and cells per stage from one-shot.schema.json) and the papers'
//            (16 channels, 5 cells per stage). nasx through trainSupernet on the fastest backend
//            (initTensorBackend's auto choice, or --backend): one thread (OMP_NUM_THREADS=1), 2
//            data-parallel replicas (`replicas: 2`, one thread each), and, on onednn, one replica
//            with oneDNN on every core (what dataParallel 1 does by default). PyTorch: 2 threads
//            (torch.set_num_threads) with an optimised BLAS (the set-up of the vs-torch bench:
//            ../tensor/torch-setup.cjs installs python3-torch and libopenblas0-pthread with apt as
//            root, and the bench refuses to report otherwise). Median ms per step over --steps
//            steps after --warmup steps, and images/s.
//   prepare  nasx only: the one-shot estimator's default schedule (epochs, batch size, learning
//            rates and skeleton from one-shot.schema.json) trained by trainSupernet on a training
//            split the size of the CIFAR-10 sample task's (1,000 images after its train/validation
//            split; random data), in each nasx mode of the steps part: seconds from building the
//            supernet to the trained weights (replica start-up included, checkpoints and evaluation not).
// Every measurement runs in a fresh process and records the 1-minute load average around it; other
// jobs on the machine slow both sides, PyTorch's 2 threads most. --wait-idle M waits up to M
// minutes before each part for the load average to fall below half the cores.
//   node tools/bench/supernet/step-vs-torch.bench.cjs [--only steps,prepare] [--configs default,paper]
//        [--steps 30] [--warmup 3] [--backend onednn] [--prepare-epochs N] [--wait-idle 0] [--note TEXT]
// --only reruns some parts; the others are kept from the last run in step-vs-torch.results.json.
// --prepare-epochs shortens the schedule (a quick check; the report says it is not the default).
// --report only rewrites STEP-VS-TORCH.md from the results. Needs the built workspace
// (node tools/scripts/build.cjs). Writes step-vs-torch.results.json and STEP-VS-TORCH.md beside
// this script.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { machineInfo } = require('../machine.cjs');
const { prepareTorch, runTorch } = require('../tensor/torch-setup.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RESULTS = path.join(__dirname, 'step-vs-torch.results.json');
const REPORT = path.join(__dirname, 'STEP-VS-TORCH.md');
const TORCH_SCRIPT = path.join(__dirname, 'torch_supernet.py');
const SCHEMA = path.join(ROOT, 'plugins', 'estimator-supernet', 'src', 'supernet', 'one-shot.schema.json');
const NAME = 'step-vs-torch bench';
const BATCH = 64;
const CLASSES = 10;
const INPUT = [3, 32, 32];
/** The CIFAR-10 sample task's training split: 2,000 training images, NB201's split trains on half. */
const SAMPLE_TRAIN_SIZE = 1000;
const SECTIONS = ['steps', 'prepare'];
const PAPER_MACRO = { channels: 16, cellsPerStage: 5 };

const dist = (rel) => path.join(ROOT, rel, 'dist', 'index.js');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A mistake of the user's: one paragraph on stderr, no stack trace, exit 2. */
function fail(problem, fix) {
  console.error(`${NAME}: ${problem}.${fix ? `\n  Fix: ${fix}.` : ''}`);
  process.exit(2);
}

/** The one-shot estimator's defaults, read from its options schema (the one source of truth). */
function oneShotDefaults() {
  const props = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')).properties;
  const d = (k) => props[k].default;
  return {
    macro: d('macro'),
    epochs: d('epochs'),
    batchSize: d('batchSize'),
    lr: d('lr'),
    minLr: d('minLr'),
    momentum: d('momentum'),
    nesterov: d('nesterov'),
    weightDecay: d('weightDecay'),
  };
}

function configs(defaults) {
  return {
    default: { label: `default (${defaults.macro.channels} channels, ${defaults.macro.cellsPerStage} cell per stage)`, macro: defaults.macro },
    paper: { label: `paper (${PAPER_MACRO.channels} channels, ${PAPER_MACRO.cellsPerStage} cells per stage)`, macro: PAPER_MACRO },
  };
}

function parseArgs(argv) {
  const out = {
    only: SECTIONS,
    configs: ['default', 'paper'],
    steps: 30,
    warmup: 3,
    backend: 'auto',
    prepareEpochs: undefined,
    waitIdle: 0,
    note: undefined,
    report: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--'))
        fail(`${a} needs a value`, `e.g. ${a === '--only' ? '--only steps' : a === '--configs' ? '--configs default' : `${a} 3`}`);
      return v;
    };
    const list = () =>
      value()
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    if (a === '--only') {
      out.only = list();
      const bad = out.only.filter((x) => !SECTIONS.includes(x));
      if (bad.length || out.only.length === 0) fail(`--only: "${bad.join(',')}" is not a part of the bench`, `name some of ${SECTIONS.join(', ')}`);
    } else if (a === '--configs') {
      out.configs = list();
      const bad = out.configs.filter((x) => !['default', 'paper'].includes(x));
      if (bad.length || out.configs.length === 0) fail(`--configs: "${bad.join(',')}" is not a configuration of the bench`, 'name some of default, paper');
    } else if (a === '--backend') out.backend = value();
    else if (a === '--note') out.note = value();
    else if (a === '--report') out.report = true;
    else if (['--steps', '--warmup', '--prepare-epochs', '--wait-idle'].includes(a)) {
      const v = value();
      const n = Number(v);
      const min = a === '--wait-idle' ? 0 : 1;
      if (!Number.isInteger(n) || n < min) fail(`${a} must be an integer of at least ${min}, got "${v}"`, `e.g. ${a} 3`);
      out[{ '--steps': 'steps', '--warmup': 'warmup', '--prepare-epochs': 'prepareEpochs', '--wait-idle': 'waitIdle' }[a]] = n;
    } else
      fail(
        `unknown option "${a}"`,
        'use --only steps,prepare  --configs default,paper  --steps N  --warmup N  --backend NAME  --prepare-epochs N  --wait-idle MINUTES  --note TEXT  --report',
      );
  }
  return out;
}

/** Waits up to `minutes` for the 1-minute load average to fall below half the cores; returns it. */
async function waitForQuiet(minutes, cores, what) {
  const limit = cores / 2;
  const until = Date.now() + minutes * 60_000;
  let load = os.loadavg()[0];
  if (load >= limit && minutes > 0)
    console.error(`${NAME}: ${what}: waiting up to ${minutes} min for the load average (${load.toFixed(1)}) to fall below ${limit}…`);
  while (load >= limit && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 10_000));
    load = os.loadavg()[0];
  }
  return load;
}

// ---- the nasx side: one fresh process per measurement ------------------------------------------

/** Random NCHW inputs and labels of `size` samples, in fixed order (a 32-bit LCG, seeded). */
function randomSplit(size) {
  const per = INPUT[0] * INPUT[1] * INPUT[2];
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x = Float32Array.from({ length: size * per }, () => next() * 2 - 1);
  const y = Int32Array.from({ length: size }, () => Math.floor(next() * CLASSES));
  return {
    size,
    async *batches({ batchSize }) {
      for (let i = 0; i < size; i += batchSize) {
        const m = Math.min(batchSize, size - i);
        yield {
          x: { data: x.subarray(i * per, (i + m) * per), shape: [m, ...INPUT], dtype: 'float32' },
          y: { data: y.subarray(i, i + m), shape: [m], dtype: 'int32' },
          indices: Int32Array.from({ length: m }, (_, k) => i + k),
        };
      }
    },
  };
}

/**
 * An Rng whose integers are the given ones, in order, whatever it is forked into: trainSupernet's
 * path sampler then draws exactly the listed paths (the split here ignores the order rng).
 */
function scriptedRng(ints) {
  let i = 0;
  const rng = {
    seed: 0,
    int(n) {
      if (i >= ints.length) throw new Error('scripted rng: more draws than the path list holds');
      const v = ints[i++];
      if (v >= n) throw new Error(`scripted rng: ${v} drawn for a choice of ${n}`);
      return v;
    },
    next: () => {
      throw new Error('scripted rng: only int() is scripted');
    },
    fork: () => rng,
  };
  return rng;
}

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Child: steps (the listed paths, one epoch) or prepare (a whole schedule) through trainSupernet. */
async function child(spec) {
  const T = require(dist('libs/tensor'));
  const info = await T.initTensorBackend(spec.backend);
  const supernetOptions = { numClasses: CLASSES, inputShape: INPUT, seed: 0, macro: spec.macro };
  const t0 = performance.now();
  const supernet = T.buildSupernet('nb201', supernetOptions);
  const common = {
    batchSize: BATCH,
    learningRate: spec.schedule.lr,
    minLearningRate: spec.schedule.minLr,
    momentum: spec.schedule.momentum,
    nesterov: spec.schedule.nesterov,
    weightDecay: spec.schedule.weightDecay,
    replicas: spec.replicas,
    replicaModel: { space: 'nb201', supernet: supernetOptions },
  };
  const backend = { name: info.name, simd: info.simd, ...(info.onednn ? { onednn: info.onednn } : {}) };
  try {
    if (spec.mode === 'prepare') {
      const data = randomSplit(spec.trainSize);
      const { createRng } = require(dist('libs/kernel'));
      const epochs = await T.trainSupernet(supernet, data, { ...common, epochs: spec.schedule.epochs, rng: createRng(0).fork('supernet-schedule') });
      return {
        backend,
        paramCount: supernet.paramCount,
        seconds: (performance.now() - t0) / 1000,
        trainSeconds: epochs.reduce((n, e) => n + e.seconds, 0),
        epochs: epochs.length,
        steps: epochs.reduce((n, e) => n + e.steps, 0),
        lastLoss: epochs[epochs.length - 1].loss,
      };
    }
    // steps: one epoch over as many batches as there are paths, the paths in the listed order.
    const data = randomSplit(spec.paths.length * BATCH);
    const seen = [];
    if (spec.replicas === 1) {
      // Records the paths the single-thread trainer ran, to check they are the listed ones.
      const forward = supernet.forward.bind(supernet);
      supernet.forward = (x, p, o) => (seen.push([...p]), forward(x, p, o));
    }
    const wall = [];
    const cpu = [];
    let last = performance.now();
    let lastCpu = cpuMs();
    const epochs = await T.trainSupernet(supernet, data, {
      ...common,
      epochs: 1,
      rng: scriptedRng(spec.paths.flat()),
      onStep: () => {
        const now = performance.now();
        const c = cpuMs();
        wall.push(now - last);
        cpu.push(c - lastCpu);
        last = now;
        lastCpu = c;
      },
    });
    if (spec.replicas === 1 && JSON.stringify(seen) !== JSON.stringify(spec.paths)) throw new Error('the trainer ran other paths than the listed ones');
    return {
      backend,
      ompThreads: process.env.OMP_NUM_THREADS ?? null,
      paramCount: supernet.paramCount,
      steps: wall.length - spec.warmup,
      step_ms: median(wall.slice(spec.warmup)),
      cpu_ms: median(cpu.slice(spec.warmup)),
      mean_ms: wall.slice(spec.warmup).reduce((n, t) => n + t, 0) / (wall.length - spec.warmup),
      all_ms: wall.map((t) => Math.round(t * 10) / 10),
      pathsChecked: spec.replicas === 1,
      loss: epochs[0].loss,
    };
  } finally {
    supernet.dispose();
  }
}

/** The nasx measurement modes: how many replicas, and the oneDNN threads of the process (OMP_NUM_THREADS). */
const NASX_MODES = {
  thread1: { label: 'nasx 1 thread', replicas: 1, omp: '1' },
  replicas2: { label: 'nasx 2 replicas', replicas: 2, omp: undefined },
  onednn2: { label: 'nasx 1 replica, oneDNN 2 threads', replicas: 1, omp: undefined, onednnOnly: true },
};

function runChild(spec, mode) {
  const env = { ...process.env };
  delete env.OMP_NUM_THREADS;
  if (mode.omp) env.OMP_NUM_THREADS = mode.omp;
  const r = spawnSync(process.execPath, [__filename, '--child', JSON.stringify({ ...spec, replicas: mode.replicas })], {
    encoding: 'utf8',
    env,
    maxBuffer: 64 * 1024 ** 2,
  });
  if (r.status !== 0) throw new Error(`nasx ${spec.mode} (${mode.label}) failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// ---- the report ------------------------------------------------------------------------------------

const fmt = (x, d = 0) => (x === undefined || x === null ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const loadText = (load) => `${load[0].toFixed(1)}→${load[1].toFixed(1)}`;
/** The lowest and highest 1-minute load average around a row's measurements. */
const loadRange = (loads) => {
  const all = loads.filter(Boolean).flat();
  return `${Math.min(...all).toFixed(1)}–${Math.max(...all).toFixed(1)}`;
};

function markdown(results) {
  const { steps, prepare } = results.sections;
  const L = ['# Supernet training: nasx vs PyTorch (NAS-Bench-201, single-path one-shot)', ''];
  L.push(
    `\`node tools/bench/supernet/step-vs-torch.bench.cjs\` on ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memGiB} GiB, Node ${results.machine.node}.`,
    '',
  );
  if (results.torch)
    L.push(
      `**PyTorch: ${results.torch.setup}** (\`torch.set_num_threads(2)\`; oneDNN ${/MKL-DNN v(\S+)/.exec(results.torch.info.config)?.[1] ?? '?'}, CPU capability ${/CPU capability usage: (\S+)/.exec(results.torch.info.config)?.[1] ?? '?'}; BLAS \`${results.torch.blasLibrary}\`, a 1024² float32 matmul at ${results.torch.info.matmul1024_gflops.toFixed(1)} GFLOP/s). ` +
        `**nasx: the ${results.backend.name} backend**${results.backend.onednn ? ` (oneDNN ${results.backend.onednn.version}, ${results.backend.onednn.isa})` : ''}, through \`trainSupernet\`.`,
      '',
    );
  if (steps) {
    L.push(
      `## Training step, batch ${BATCH} (ms, median of ${steps.steps} steps after ${steps.warmup} warm-up steps; images/s in brackets)`,
      '',
      `${steps.date}; ${steps.note ? `${steps.note}; ` : ''}the same ${steps.steps + steps.warmup} uniformly sampled paths on every side, one SGD step (Nesterov 0.9, weight decay 5e-4) on the path's weights only, random 3×32×32 inputs, 10 classes. ` +
        'nasx 1 thread: OMP_NUM_THREADS=1; 2 replicas: data parallel, one oneDNN thread each; ratio: nasx / PyTorch on every core (below 1 nasx is faster). ' +
        "Load: the lowest and highest 1-minute load average around the row's measurements (other jobs slow both sides, PyTorch's 2 threads most).",
      '',
    );
    const modes = Object.keys(NASX_MODES).filter((m) => steps.rows.some((r) => r.nasx[m]));
    const torchThreads = steps.rows[0]?.torch.threads ?? 2;
    L.push(
      `| config | parameters | ${modes.map((m) => NASX_MODES[m].label).join(' | ')} | PyTorch ${torchThreads} threads | PyTorch 1 thread | ratio ${modes.map((m) => NASX_MODES[m].label.replace(/^nasx /, '')).join(' / ')} | load |`,
      `|---|---:|${modes.map(() => '---:|').join('')}---:|---:|---|---|`,
    );
    for (const r of steps.rows) {
      const cell = (x) => (x ? `${fmt(x.step_ms)} (${fmt((BATCH * 1000) / x.step_ms, 1)})` : '–');
      L.push(
        `| ${r.label} | ${fmt(r.torch.params)} | ${modes.map((m) => cell(r.nasx[m])).join(' | ')} | ${cell(r.torch)} | ${cell(r.torch1)} | ${modes
          .map((m) => (r.nasx[m] ? `${(r.nasx[m].step_ms / r.torch.step_ms).toFixed(2)}×` : '–'))
          .join(' / ')} | ${loadRange([...modes.map((m) => r.nasx[m]?.load), r.torch.load, r.torch1?.load])} |`,
      );
    }
    L.push(
      '',
      'CPU time per step (ms, median; all threads of the process), which other jobs change far less than the wall time, and the mean wall time over the same paths:',
      '',
      `| config | ${modes.map((m) => NASX_MODES[m].label).join(' | ')} | PyTorch ${torchThreads} threads | PyTorch 1 thread |`,
      `|---|${modes.map(() => '---:|').join('')}---:|---:|`,
    );
    for (const r of steps.rows) {
      const cell = (x) => (x ? `${fmt(x.cpu_ms)} CPU, ${fmt(x.mean_ms)} mean` : '–');
      L.push(`| ${r.label} | ${modes.map((m) => cell(r.nasx[m])).join(' | ')} | ${cell(r.torch)} | ${cell(r.torch1)} |`);
    }
    L.push('');
  }
  if (prepare) {
    const s = prepare.schedule;
    L.push(
      "## Prepare time of the one-shot estimator's default schedule (nasx)",
      '',
      `${prepare.date}; ${prepare.note ? `${prepare.note}; ` : ''}${s.epochs} epochs${prepare.defaultEpochs ? ' (the default)' : ` (**not the default ${s.defaultEpochs}: a shortened check**)`} of ${prepare.trainSize} random images (the CIFAR-10 sample task's training split), ` +
        `batch ${s.batchSize}, ${Math.ceil(prepare.trainSize / s.batchSize)} steps per epoch, cosine ${s.lr} → ${s.minLr}, skeleton ${s.macro.channels} channels / ${s.macro.cellsPerStage} cell per stage. ` +
        "Seconds from building the supernet to the trained weights (replica start-up included; the estimator's checkpoints and path evaluation are not). " +
        "The estimator's default `dataParallel: 1` is one replica with oneDNN on every core (unless OMP_NUM_THREADS says otherwise).",
      '',
      '| nasx | total s | training s | s per epoch | load |',
      '|---|---:|---:|---:|---|',
    );
    for (const [m, r] of Object.entries(prepare.runs))
      L.push(
        `| ${NASX_MODES[m].label.replace(/^nasx /, '')} | ${fmt(r.seconds, 1)} | ${fmt(r.trainSeconds, 1)} | ${fmt(r.trainSeconds / r.epochs, 2)} | ${loadText(r.load)} |`,
      );
    L.push('');
  }
  return L.join('\n');
}

function earlierResults() {
  try {
    return JSON.parse(fs.readFileSync(RESULTS, 'utf8'));
  } catch {
    return {};
  }
}

/** Writes the results (formatted by the workspace's prettier when it is installed) and the report. */
function write(results) {
  fs.writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
  const prettier = path.join(ROOT, 'node_modules', '.bin', 'prettier');
  if (fs.existsSync(prettier)) spawnSync(prettier, ['--write', RESULTS], { stdio: 'ignore' });
  fs.writeFileSync(REPORT, markdown(results));
}

// ---- main --------------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.report) {
    if (!fs.existsSync(RESULTS)) fail(`${path.basename(RESULTS)} does not exist yet`, 'run the bench first');
    const md = markdown(JSON.parse(fs.readFileSync(RESULTS, 'utf8')));
    fs.writeFileSync(REPORT, md);
    process.stdout.write(md);
    return;
  }
  for (const pkg of ['libs/tensor', 'libs/kernel']) {
    if (!fs.existsSync(dist(pkg))) fail(`${pkg}/dist is missing`, 'build the workspace first: node tools/scripts/build.cjs');
  }
  const cores = os.cpus().length;
  const T = require(dist('libs/tensor'));
  const { createRng } = require(dist('libs/kernel'));
  if (args.backend !== 'auto' && !T.TENSOR_BACKENDS.includes(args.backend))
    fail(`--backend: "${args.backend}" is not a tensor backend`, `name one of ${T.TENSOR_BACKENDS.join(', ')}, or leave --backend out for the fastest`);
  let info;
  try {
    info = await T.initTensorBackend(args.backend);
  } catch (e) {
    fail(`the "${args.backend}" tensor backend is not available here: ${e.message}`, e.fix ?? 'leave --backend out for the fastest available');
  }
  const backend = { name: info.name, simd: info.simd, ...(info.onednn ? { onednn: { version: info.onednn.version, isa: info.onednn.isa } } : {}) };
  const modes = Object.entries(NASX_MODES).filter(([, m]) => !m.onednnOnly || backend.name === 'onednn');
  console.error(`${NAME}: nasx backend ${backend.name}${backend.onednn ? ` (oneDNN ${backend.onednn.version}, ${backend.onednn.isa})` : ''}`);

  const defaults = oneShotDefaults();
  const schedule = { lr: defaults.lr, minLr: defaults.minLr, momentum: defaults.momentum, nesterov: defaults.nesterov, weightDecay: defaults.weightDecay };
  const earlier = earlierResults();
  const results = { machine: machineInfo(), backend, torch: earlier.torch, sections: { ...(earlier.sections ?? {}) } };
  const section = async (name, fn) => {
    if (!args.only.includes(name)) return;
    const before = await waitForQuiet(args.waitIdle, cores, name);
    console.error(`${NAME}: ${name} (load average ${before.toFixed(1)})`);
    const out = await fn();
    results.sections[name] = {
      date: new Date().toISOString().slice(0, 10),
      load: [before, os.loadavg()[0]],
      ...(args.note ? { note: args.note } : {}),
      ...out,
    };
    write(results);
  };
  /** One measurement with the load average around it. */
  const measured = (fn) => {
    const before = os.loadavg()[0];
    const out = fn();
    return { ...out, load: [+before.toFixed(2), +os.loadavg()[0].toFixed(2)] };
  };

  if (args.only.includes('steps')) {
    const torch = prepareTorch({ cores });
    for (const p of torch.problems) console.error(`${NAME}: refusing to report: ${p.problem}.\n  Fix: ${p.fix}.`);
    if (torch.problems.length) process.exit(3);
    const blas = torch.info.blas_libraries.find((p) => /blas/.test(path.basename(p)) && !/lapack/.test(p));
    results.torch = { setup: torch.setup, debian: torch.debian, blasLibrary: blas, info: torch.info };
    console.error(`${NAME}: ${torch.setup}; BLAS ${blas}; 1024² matmul ${torch.info.matmul1024_gflops.toFixed(1)} GFLOP/s`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-step-vs-torch-'));
  try {
    await section('steps', () => {
      const total = args.warmup + args.steps;
      const rows = [];
      for (const id of args.configs) {
        const config = configs(defaults)[id];
        // The paths of the run, drawn as trainSupernet draws them (uniform per edge), the same on every side.
        const rng = createRng(0).fork(`step-vs-torch-${id}`);
        const paths = Array.from({ length: total }, () => T.sampleUniformPath([5, 5, 5, 5, 5, 5], rng));
        const lrs = paths.map((_, k) => T.learningRateAt('cosine', k, total, schedule.lr, schedule.minLr));
        const file = path.join(tmp, `${id}.json`);
        fs.writeFileSync(
          file,
          JSON.stringify({ channels: config.macro.channels, cells_per_stage: config.macro.cellsPerStage, batch: BATCH, warmup: args.warmup, lr: lrs, paths }),
        );
        const row = { config: id, label: config.label, macro: config.macro, paths, nasx: {} };
        row.torch = measured(() => runTorch(['steps', file], { threads: cores, script: TORCH_SCRIPT }));
        console.error(`${config.label}: PyTorch ${cores} threads ${row.torch.step_ms.toFixed(1)} ms/step`);
        // PyTorch on one thread too: the counterpart of nasx's one thread, and far less hurt by other jobs.
        row.torch1 = measured(() => runTorch(['steps', file], { threads: 1, script: TORCH_SCRIPT }));
        console.error(`${config.label}: PyTorch 1 thread ${row.torch1.step_ms.toFixed(1)} ms/step`);
        for (const [key, mode] of modes) {
          row.nasx[key] = measured(() => runChild({ mode: 'steps', backend: backend.name, macro: config.macro, schedule, paths, warmup: args.warmup }, mode));
          console.error(`${config.label}: ${mode.label} ${row.nasx[key].step_ms.toFixed(1)} ms/step`);
          if (row.nasx[key].paramCount !== row.torch.params)
            throw new Error(`${config.label}: nasx's supernet has ${row.nasx[key].paramCount} parameters, PyTorch's ${row.torch.params}: not the same network`);
        }
        rows.push(row);
      }
      return { steps: args.steps, warmup: args.warmup, batch: BATCH, rows };
    });
    await section('prepare', () => {
      const epochs = args.prepareEpochs ?? defaults.epochs;
      const full = { ...schedule, epochs, defaultEpochs: defaults.epochs, batchSize: defaults.batchSize, macro: defaults.macro };
      const runs = {};
      for (const [key, mode] of modes) {
        runs[key] = measured(() =>
          runChild({ mode: 'prepare', backend: backend.name, macro: defaults.macro, schedule: full, trainSize: SAMPLE_TRAIN_SIZE, warmup: 0 }, mode),
        );
        console.error(`prepare, ${mode.label}: ${runs[key].seconds.toFixed(1)} s`);
      }
      return { schedule: full, defaultEpochs: epochs === defaults.epochs, trainSize: SAMPLE_TRAIN_SIZE, runs };
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(fs.readFileSync(REPORT, 'utf8'));
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
