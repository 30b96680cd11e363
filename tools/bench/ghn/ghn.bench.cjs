#!/usr/bin/env node
// GHN-2 (Knyazev et al. 2021) through `nasx run` (the product path), in four parts:
//
//   heldout   meta-train on generated DeepNets-style networks, then estimate ≥ 100 unseen ones of the
//             same distribution: accuracy of the predicted parameters (untrained) against the same
//             networks with random parameters. MNIST (embedded) and the CIFAR-10 sample.
//   nb201     GHN meta-trained on NB201 cells (GHN-1 style), then Spearman ρ between its estimate and
//             NB201's CIFAR-10 test accuracy over ≥ 500 cells, beside synflow's and NASWOT's ρ on the
//             same cells (one run: the proxies are named estimators, the table is reported).
//   finetune  fine-tuning curves of held-out networks from predicted and from random parameters
//             (the same SGD steps on the same batches), with the GHN of the heldout part.
//   speed     parameter prediction for NB201 networks: seconds per graph alone, graphs/s batched.
//
//   node tools/bench/ghn/ghn.bench.cjs --part heldout --task mnist [--count 512 --epochs 2 --evals 120]
//   node tools/bench/ghn/ghn.bench.cjs --part nb201 [--cells 500]
//   node tools/bench/ghn/ghn.bench.cjs --part finetune --task mnist [--nets 10 --steps 100]
//   node tools/bench/ghn/ghn.bench.cjs --part speed
//   node tools/bench/ghn/ghn.bench.cjs --report          (GHN.md again from the results file)
//
// Data: NASX_DATA, else the shared data folder beside the repository (cifar10-sample/, nas-bench-201/).
// Results merge into ghn.results.json by part and task; GHN.md is written from it.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT, arg, DATA, CLI } = require('../common.cjs');
const { machineInfo } = require('../machine.cjs');

const RESULTS = path.join(__dirname, 'ghn.results.json');
const PART = arg('--part', 'heldout');
const TASK = arg('--task', 'mnist');
const SEED = Number(arg('--seed', 0));
/** Suffix of a heldout part's key, to keep runs of other schedules beside the default one. */
const TAG = arg('--tag', '');
const stats = () => require(path.join(ROOT, 'libs', 'stats', 'dist', 'index.js'));

/** The meta-training of the heldout and finetune parts (CPU-sized; GHN-2: 10^6 graphs, 300 epochs, meta-batch 8). */
const TRAIN = {
  count: Number(arg('--count', 512)),
  epochs: Number(arg('--epochs', 2)),
  metaBatch: 4,
  batchSize: 32,
  lr: Number(arg('--lr', 0.001)),
  checkpointEvery: 25,
};
/** What the NB201 correlations show (written from the committed results). */
const NB201_NOTE =
  'Cells where synflow is not finite (its product of parameters overflows) or the table has no entry are left out of that row. The GHN ranks positively but far below the two zero-cost proxies at these meta-training budgets (200 and 800 steps on 1,000 images); four times the meta-training lifts ρ only from 0.236 to 0.275 (0.290 by the loss of the predicted parameters, which is less noisy than their accuracy on 500 images). GHN-1 (Zhang et al. 2019) reports higher correlations after meta-training for hours on GPUs.';
/** What the fine-tuning curves show (written from the committed results). */
const FINETUNE_NOTE = {
  mnist:
    "GHN-2 reports faster fine-tuning from predicted parameters (its Sec. 5.2, a GHN trained for days, low-data CIFAR-10). Here it depends on the meta-training budget, and with 4,096 steps it holds at every step measured: the GHN of 4,096 steps (1,024 generated graphs × 16 epochs) starts at 65.5 % and stays ahead of random initialisation through step 100 (69.4 against 27.4 % at step 10, 72.3 against 60.4 % at step 50, 74.0 against 72.5 % at step 100, on the same 12 networks and batches). Shorter meta-training gives parameters that are ahead early and behind late: the GHN of 512 steps is ahead to step 25 (45.5 against 44.1 %) and behind from step 50, the GHN of 1,024 steps ahead to step 50 (61.8 against 60.4 %) and behind at step 100 (66.2 against 72.5 %). The undertrained GHNs' predictions lack diversity (one held-out network under the 512-step GHN: the stem's 32 filters have a mean |cosine| of 0.64 with each other, layers of one shape get nearly the same tensor), which SGD must undo first. GHN-orth, the fix of Knyazev 2022, trades the untrained accuracy (11.2 % at step 0) for diversity: from the 1,024-step GHN it stays ahead of equally orthogonalised random parameters at every step (70.4 against 68.5 % at step 100), but orthogonalisation costs random initialisation more than it gains at this learning rate, so plain random parameters end above it (72.5 %). Keeping the first 7 weight layers as predicted (`fromLayer: 8`, as the reference keeps ResNet-50's first 36) helps a little early (45.3 against 41.4 % at step 10) and not at the end (70.2 %).",
};
const PAPER = {
  cifar10: 'GHN-2 on CIFAR-10 with predicted parameters: ResNet-50 58.6 %, the best DeepNets-1M test architecture 77.1 % (Knyazev et al. 2021)',
};

const previous = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : { parts: {} };
if (process.argv.includes('--report')) {
  report(previous);
  process.exit(0);
}

function nasx(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) {
    console.error(`ghn bench: nasx ${args.join(' ')} failed:\n${r.stderr}`);
    process.exit(1);
  }
  return r;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-ghn-bench-'));

/** Runs a config; returns the run folder and its evaluated events. */
function run(name, config) {
  const file = path.join(work, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ name, seed: SEED, ...config }));
  const runsDir = path.join(work, `${name}-runs`);
  const t0 = Date.now();
  nasx(['run', file, '--data-dir', DATA, '--runs-dir', runsDir, '-q']);
  const seconds = (Date.now() - t0) / 1000;
  const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
  const lines = fs
    .readFileSync(path.join(runDir, 'events.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return { runDir, seconds, evaluated: lines.filter((e) => e.type === 'evaluated' && e.estimate), events: lines };
}

/** The finished GHN checkpoint of a run folder. */
function ghnCheckpoint(runDir) {
  const base = path.join(runDir, 'state', 'ghn');
  const file = path.join(base, fs.readdirSync(base)[0], 'ghn.json');
  return { file, checkpoint: JSON.parse(fs.readFileSync(file, 'utf8')) };
}

const summary = (x) => {
  const { mean, sampleStd } = stats();
  return { mean: mean(x), std: sampleStd(x), min: Math.min(...x), max: Math.max(...x), n: x.length };
};

function save(key, value) {
  const result = JSON.parse(fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8') : '{"parts":{}}');
  result.parts[key] = { date: new Date().toISOString().slice(0, 10), machine: machineInfo(), ...value };
  fs.writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  report(result);
}

const taskEntry = (task) => (task === 'mnist' ? { use: 'mnist' } : { use: 'cifar10' });

if (PART === 'heldout') {
  const evals = Number(arg('--evals', 120));
  const r = run(`ghn-heldout-${TASK}${TAG}`, {
    task: taskEntry(TASK),
    space: 'deepnets',
    estimator: { use: 'ghn', options: { baseline: true, train: TRAIN } },
    searcher: 'random',
    budget: { evaluations: evals },
  });
  const held = r.evaluated.filter((e) => e.estimate.info.heldOut);
  const { checkpoint } = ghnCheckpoint(r.runDir);
  const ghn = held.map((e) => e.estimate.metrics.ghn_acc);
  const init = held.map((e) => e.estimate.metrics.init_acc);
  const wins = held.filter((e) => e.estimate.metrics.ghn_acc > e.estimate.metrics.init_acc).length;
  save(`heldout-${TASK}${TAG}`, {
    task: TASK,
    train: {
      ...TRAIN,
      steps: checkpoint.totalSteps,
      seconds: checkpoint.seconds,
      firstLoss: checkpoint.history[0].loss,
      lastLoss: checkpoint.history.at(-1).loss,
    },
    heldOut: held.length,
    evaluated: r.evaluated.length,
    valSamples: held[0]?.estimate.info.valSamples,
    ghn: summary(ghn),
    init: summary(init),
    wins,
    chance: 10,
    predictSeconds: summary(held.map((e) => e.estimate.info.predictSeconds)),
    nodes: summary(held.map((e) => e.estimate.info.nodes)),
    runSeconds: r.seconds,
    ghnFile: path.relative(work, ghnCheckpoint(r.runDir).file),
    work,
  });
} else if (PART === 'finetune') {
  const held = previous.parts[`heldout-${TASK}${TAG}`];
  const ghnDir = held && path.join(held.work, path.dirname(held.ghnFile));
  if (!ghnDir || !fs.existsSync(ghnDir)) {
    console.error(`ghn bench: run --part heldout --task ${TASK}${TAG ? ` --tag ${TAG}` : ''} first (its GHN is read from its run folder)`);
    process.exit(2);
  }
  const nets = Number(arg('--nets', 10));
  const steps = Number(arg('--steps', 100));
  const at = [0, 5, 10, 25, 50, 100, 200].filter((s) => s <= steps);
  // GHN-orth (Knyazev 2022): noise and orthogonalisation of both starts before fine-tuning.
  const orth = process.argv.includes('--orth');
  const transform = orth ? { orthogonalize: true, noise: Number(arg('--noise', 0)), fromLayer: Number(arg('--from-layer', 1)) } : {};
  const r = run(`ghn-finetune-${TASK}${TAG}`, {
    seed: SEED + 1,
    task: taskEntry(TASK),
    space: 'deepnets',
    estimator: {
      use: 'ghn',
      options: { load: path.join(ghnDir, 'ghn.json'), baseline: true, fineTune: { steps, at, lr: 0.025, batchSize: 64, ...transform } },
    },
    searcher: 'random',
    workers: 2,
    budget: { evaluations: nets },
  });
  const curves = r.evaluated.filter((e) => e.estimate.info.heldOut).map((e) => e.estimate.info.fineTune);
  const { mean, sampleStd } = stats();
  const col = (k, i) => curves.map((c) => c[k][i]);
  save(`finetune-${TASK}${TAG}${orth ? `-orth${transform.fromLayer > 1 ? `-from${transform.fromLayer}` : ''}` : ''}`, {
    task: TASK,
    ghnSteps: held.train.steps,
    transform,
    nets: curves.length,
    steps: curves[0].steps,
    ghn: curves[0].steps.map((_, i) => ({ mean: mean(col('ghn', i)), std: sampleStd(col('ghn', i)) })),
    init: curves[0].steps.map((_, i) => ({ mean: mean(col('init', i)), std: sampleStd(col('init', i)) })),
    fineTune: { lr: 0.025, momentum: 0.9, batchSize: 64 },
  });
} else if (PART === 'nb201') {
  const cells = Number(arg('--cells', 500));
  const macro = { channels: 8, cellsPerStage: 1 };
  // The heldout part's schedule on the run's own space (GHN-1 style), 400 graphs by default.
  const train = { graphs: 'space', ...TRAIN, count: Number(arg('--count', 400)) };
  const r = run(`ghn-nb201${TAG}`, {
    task: { use: 'cifar10' },
    space: 'nb201',
    estimator: { use: 'ghn', options: { train, macro, valLimit: 500 } },
    estimators: {
      synflow: { use: 'synflow' },
      naswot: { use: 'naswot' },
      table: { use: 'tabular', options: { dataset: 'cifar10', metric: 'test_acc', epochs: 200, report: [] } },
    },
    report: ['synflow', 'naswot', 'table'],
    searcher: 'random',
    budget: { evaluations: cells },
  });
  const { spearman, kendallTau } = stats();
  const rows = r.evaluated.map((e) => e.estimate.metrics);
  const truth = rows.map((m) => m['test_acc@200']);
  const corr = (k, sign = 1) => {
    const x = rows.map((m) => sign * m[k]);
    const ok = x.map((v, i) => Number.isFinite(v) && Number.isFinite(truth[i]));
    const a = x.filter((_, i) => ok[i]);
    const b = truth.filter((_, i) => ok[i]);
    return { spearman: spearman(a, b), kendall: kendallTau(a, b), n: a.length };
  };
  const { checkpoint } = ghnCheckpoint(r.runDir);
  save(`nb201${TAG}`, {
    cells: rows.length,
    macro,
    train: { ...train, steps: checkpoint.totalSteps, seconds: checkpoint.seconds },
    metricsSeen: Object.keys(rows[0]),
    ghn: corr('ghn_acc'),
    ghnLoss: corr('ghn_loss', -1),
    synflow: corr('synflow'),
    naswot: corr('naswot'),
    runSeconds: r.seconds,
  });
} else if (PART === 'speed') {
  const T = require(path.join(ROOT, 'libs', 'tensor', 'dist', 'index.js'));
  (async () => {
    await T.initTensorBackend();
    const backend = T.currentTensorBackend ? T.currentTensorBackend() : T.tf.getBackend();
    let x = 7;
    // A fixed pseudo-random stream: the same cells on every run.
    const ops = () => Array.from({ length: 6 }, () => ((x = (x * 1103515245 + 12345) % 2147483648), Math.floor((x / 2147483648) * 5)));
    const arch = (o) => ({ space: 'nb201', genotype: { ops: o }, key: `nb201:${o.join('')}` });
    const task = { numClasses: 10, inputShape: [3, 32, 32] };
    const ghn = new T.Ghn({ ...T.GHN2_DEFAULTS, numClasses: 10 });
    const out = { backend: typeof backend === 'string' ? backend : backend.name, ghnParams: ghn.paramCount, rows: [] };
    for (const macro of [
      { channels: 16, cellsPerStage: 5 },
      { channels: 8, cellsPerStage: 1 },
    ]) {
      const nets = Array.from({ length: 32 }, () => T.ghnNetwork(arch(ops()), { ...task, macro }));
      const time = (batch, reps) => {
        const t0 = performance.now();
        for (let k = 0; k < reps; k++)
          T.tf.tidy(() => {
            const p = ghn.predict(ghn.prepare(batch.map((n) => n.compute)));
            p.forEach((rec) => Object.values(rec).forEach((t) => t.dataSync()));
          });
        return (performance.now() - t0) / 1000 / reps;
      };
      time(nets.slice(0, 1), 1); // warm-up
      // The same 32 random cells three ways: one at a time, in batches of 8, all at once.
      const one = nets.reduce((s, n) => s + time([n], 1), 0) / nets.length;
      const b8 = [0, 8, 16, 24].reduce((s, k) => s + time(nets.slice(k, k + 8), 1), 0) / 4;
      const b32 = time(nets, 1);
      const avg = (f) => nets.reduce((s, n) => s + f(n), 0) / nets.length;
      out.rows.push({
        macro,
        nodes: avg((n) => n.compute.nodes.length),
        params: avg((n) => n.plan.paramCount),
        secondsPerGraph: one,
        graphsPerSecond: { 1: 1 / one, 8: 8 / b8, 32: 32 / b32 },
      });
      console.error(`speed ${JSON.stringify(macro)}: ${one.toFixed(3)} s/graph; batched 8: ${(8 / b8).toFixed(2)}/s, 32: ${(32 / b32).toFixed(2)}/s`);
    }
    save('speed', out);
  })();
} else {
  console.error(`ghn bench: unknown --part ${PART} (heldout, nb201, finetune, speed)`);
  process.exit(2);
}

function report(result) {
  const p = result.parts;
  const f = (s, d = 1) => `${s.mean.toFixed(d)} ± ${s.std.toFixed(d)}`;
  const lines = ['# GHN-2: parameters predicted for unseen architectures', ''];
  const any = Object.values(p)[0];
  if (any)
    lines.push(
      `${any.machine.cores} × ${any.machine.cpu}, Node ${any.machine.node}. Made by \`node tools/bench/ghn/ghn.bench.cjs\` (each part through \`nasx run\`).`,
      '',
    );
  const held = Object.keys(p)
    .filter((k) => k.startsWith('heldout-'))
    .sort()
    .map((k) => p[k]);
  if (held.length) {
    lines.push(
      '## Held-out networks: predicted against random parameters',
      '',
      'GHN-2 meta-trained on generated DeepNets-style networks (`deepnets` space defaults), then random search draws unseen networks of the same distribution; each is evaluated on the validation split with the parameters the GHN predicts, untrained, and with seeded random parameters (both with batch statistics in batch norm, as GHN-2 evaluates). Networks that happened to be in the training set are left out.',
      '',
      '| task | meta-training | steps (s) | held-out networks | predicted: accuracy % (mean ± sd) | min–max | random init % | predicted > random | chance |',
      '|---|---|---|---|---|---|---|---|---|',
      ...held.map(
        (h) =>
          `| ${h.task} | ${h.train.count} graphs × ${h.train.epochs} epochs, meta-batch ${h.train.metaBatch}, ${h.train.batchSize} images/step, Adam lr ${h.train.lr ?? 0.001} | ${h.train.steps} (${h.train.seconds.toFixed(0)}) | ${h.heldOut} | ${f(h.ghn)} | ${h.ghn.min.toFixed(1)}–${h.ghn.max.toFixed(1)} | ${f(h.init)} | ${h.wins} of ${h.heldOut} | ${h.chance} |`,
      ),
      '',
      `For scale: ${PAPER.cifar10}, after meta-training on 10^6 graphs for 300 epochs on GPUs; here a few hundred graphs for a few hundred steps on 2 CPU cores, and the CIFAR-10 sample has 1,000 training images.`,
      '',
    );
  }
  for (const task of ['mnist', 'cifar10']) {
    const ft = Object.keys(p)
      .filter((k) => k === `finetune-${task}` || k.startsWith(`finetune-${task}-`))
      .map((k) => p[k])
      // As predicted first, then GHN-orth; shorter meta-training first.
      .sort((a, b) => Number(!!a.transform?.orthogonalize) - Number(!!b.transform?.orthogonalize) || (a.ghnSteps ?? 512) - (b.ghnSteps ?? 512));
    if (!ft.length) continue;
    const x0 = ft[0];
    const label = (x) => (x.transform?.orthogonalize ? ` + orth (β ${x.transform.noise}, from layer ${x.transform.fromLayer})` : '');
    // Random rows are the same for parts with the same transform (same networks, seeds and batches).
    const randomRows = new Map(ft.map((x) => [label(x), x]));
    lines.push(
      `## Fine-tuning from predicted parameters (${task})`,
      '',
      `${x0.nets} held-out networks, SGD (lr ${x0.fineTune.lr}, momentum ${x0.fineTune.momentum}, ${x0.fineTune.batchSize} images/step), the same batches from every start; validation accuracy % (mean ± sd). GHN-orth (Knyazev 2022) adds noise to and orthogonalises each convolution and linear weight (but the classifier) before fine-tuning; it is applied to the random start too, so that each pair of rows isolates what the predicted values add.`,
      '',
      `| start | GHN meta-training steps | ${x0.steps.join(' | ')} |`,
      `|---|---|${x0.steps.map(() => '---').join('|')}|`,
      ...ft.map((x) => `| GHN-2${label(x)} | ${x.ghnSteps ?? 512} | ${x.ghn.map((s) => f(s)).join(' | ')} |`),
      ...[...randomRows].map(([l, x]) => `| random init${l} | – | ${x.init.map((s) => f(s)).join(' | ')} |`),
      '',
      FINETUNE_NOTE[task] ?? '',
      '',
    );
  }
  const nb = Object.keys(p)
    .filter((k) => k === 'nb201' || k.startsWith('nb201-'))
    .map((k) => p[k])
    .sort((x, y) => x.train.steps - y.train.steps);
  if (nb.length) {
    const n = nb[0];
    const row = (name, steps, c) => `| ${name} | ${steps} | ${c.spearman.toFixed(3)} | ${c.kendall.toFixed(3)} | ${c.n} |`;
    lines.push(
      '## NB201: rank correlation with the true accuracy',
      '',
      `${n.cells} random NB201 cells (the same in every run: same seed); truth: NB201's CIFAR-10 test accuracy after 200 epochs. The GHN is meta-trained on NB201 cells (GHN-1 style, networks with ${n.macro.channels} channels and ${n.macro.cellsPerStage} cell per stage) on the CIFAR-10 sample, then estimates each cell by the accuracy (or the loss, negated) of its predicted parameters on 500 validation images; synflow and NASWOT on the same cells with their default settings.`,
      '',
      '| estimator | GHN meta-training (graphs × epochs / meta-batch = steps) | Spearman ρ | Kendall τ | cells |',
      '|---|---|---|---|---|',
      ...nb.flatMap((x) => {
        const sched = `${x.train.count} × ${x.train.epochs} / ${x.train.metaBatch} = ${x.train.steps}`;
        return [row('ghn accuracy', sched, x.ghn), ...(x.ghnLoss ? [row('ghn loss (negated)', sched, x.ghnLoss)] : [])];
      }),
      row('synflow', '–', n.synflow),
      row('naswot', '–', n.naswot),
      '',
      NB201_NOTE,
      '',
    );
  }
  if (p.speed) {
    lines.push(
      `## Prediction speed (${p.speed.backend}, GHN-2 of ${p.speed.ghnParams.toLocaleString('en-US')} parameters)`,
      '',
      'The same 32 random NB201 cells, predicted one at a time, in batches of 8 and all at once (node and parameter counts are means over them).',
      '',
      '| NB201 network | nodes | parameters | s per graph | graphs/s batched 8 | graphs/s batched 32 |',
      '|---|---|---|---|---|---|',
      ...p.speed.rows.map(
        (r) =>
          `| C=${r.macro.channels}, N=${r.macro.cellsPerStage} | ${r.nodes.toFixed(0)} | ${Math.round(r.params).toLocaleString('en-US')} | ${r.secondsPerGraph.toFixed(3)} | ${r.graphsPerSecond[8].toFixed(2)} | ${r.graphsPerSecond[32].toFixed(2)} |`,
      ),
      '',
    );
  }
  fs.writeFileSync(path.join(__dirname, 'GHN.md'), lines.join('\n'));
  console.log(lines.join('\n'));
}
