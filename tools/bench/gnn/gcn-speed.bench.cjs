#!/usr/bin/env node
// Full-batch GCN training on Cora, epochs per second: nasx (the gnn space's `gcn` preset, built by
// @nasx/tensor with sparse message passing, trained by trainGraphNetwork) side by side with the same
// network in plain PyTorch with sparse matrices (gcn_torch.py, what PyTorch Geometric's GCNConv
// computes), in one run on this machine. Both: 200 epochs of one Adam step and one evaluation pass,
// dropout 0.5, the first 10 epochs not timed. PyTorch is set up as its users have it (Debian's
// python3-torch with OpenBLAS, all cores; ../tensor/torch-setup.cjs installs and checks it).
//
//   node tools/bench/gnn/gcn-speed.bench.cjs [--graph cora] [--repeats 3] [--backends onednn,wasm]
//
// Writes gcn-speed.results.json and GCN-SPEED.md beside this script. Build first.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, arg, DATA } = require('../common.cjs');
const { machineInfo } = require('../machine.cjs');
const { prepareTorch, runTorch } = require('../tensor/torch-setup.cjs');

const GRAPH = arg('--graph', 'cora');
const REPEATS = Number(arg('--repeats', 3));
const BACKENDS = arg('--backends', 'onednn,wasm').split(',');
const EPOCHS = 200;
const WARMUP = 10;
const FILE = path.join(DATA, 'planetoid', `${GRAPH}.json.gz`);
if (!fs.existsSync(FILE)) {
  console.error(`gcn-speed bench: no ${FILE}; set NASX_DATA`);
  process.exit(2);
}
const median = (x) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];

async function nasxRuns(backend) {
  const T = require(path.join(ROOT, 'libs', 'tensor', 'dist', 'index.js'));
  const { readPlanetoidJson, rowNormalized } = require(path.join(ROOT, 'plugins', 'task-planetoid', 'dist', 'index.js'));
  const { createGnnSearchSpace } = require(path.join(ROOT, 'plugins', 'search-space-gnn', 'dist', 'index.js'));
  const info = await T.initTensorBackend(backend);
  const g = readPlanetoidJson(FILE, GRAPH);
  const tensors = T.graphTensors({ ...g, features: rowNormalized(g.features) });
  const arch = createGnnSearchSpace().parse('gcn');
  const out = [];
  for (let r = 0; r < REPEATS; r++) {
    const net = T.buildGnnNetwork(arch.genotype, { numFeatures: tensors.numFeatures, numClasses: tensors.numClasses, seed: r + 1 });
    const stamps = [];
    const result = await T.trainGraphNetwork(net, tensors, {
      epochs: EPOCHS,
      learningRate: 0.01,
      weightDecay: 5e-4,
      weightDecayScope: 'first-layer',
      dropout: 0.5,
      seed: r,
      onEpoch: () => stamps.push(performance.now()),
    });
    const steady = (stamps[EPOCHS - 1] - stamps[WARMUP - 1]) / 1000;
    out.push({ epochsPerSecond: (EPOCHS - WARMUP) / steady, testAcc: result.test.accuracy });
    net.dispose();
  }
  tensors.dispose();
  return { backend: info.name, runs: out };
}

(async () => {
  const cores = os.cpus().length;
  const torch = prepareTorch({ cores });
  if (torch.problems.length) {
    for (const p of torch.problems) console.error(`gcn-speed bench: ${p.problem}. Fix: ${p.fix}`);
    process.exit(1);
  }
  const torchRuns = [];
  for (let r = 0; r < REPEATS; r++) {
    const t = runTorch(['train', FILE, '--epochs', String(EPOCHS), '--seed', String(r)], { threads: cores, script: path.join(__dirname, 'gcn_torch.py') });
    torchRuns.push({ epochsPerSecond: t.epochs_per_s, testAcc: t.test_acc });
  }
  const nasx = [];
  for (const b of BACKENDS) nasx.push(await nasxRuns(b));
  const result = {
    date: new Date().toISOString().slice(0, 10),
    machine: machineInfo(),
    graph: GRAPH,
    epochs: EPOCHS,
    warmup: WARMUP,
    torch: { setup: torch.setup, runs: torchRuns, median: median(torchRuns.map((x) => x.epochsPerSecond)) },
    nasx: nasx.map((n) => ({ ...n, median: median(n.runs.map((x) => x.epochsPerSecond)) })),
  };
  fs.writeFileSync(path.join(__dirname, 'gcn-speed.results.json'), `${JSON.stringify(result, null, 2)}\n`);
  const m = result.machine;
  const lines = [
    `# Full-batch GCN training on ${GRAPH}: nasx and PyTorch side by side`,
    '',
    `${m.cores} × ${m.cpu}, Node ${m.node}, load ${m.loadAverage1m} at the end, ${result.date}. Made by \`node tools/bench/gnn/gcn-speed.bench.cjs\`. Kipf & Welling's 2-layer GCN (16 hidden units), ${EPOCHS} epochs of one Adam step and one evaluation pass each, dropout 0.5; epochs per second over epochs ${WARMUP + 1}–${EPOCHS}, median of ${REPEATS} runs.`,
    '',
    '| implementation | epochs/s (median) | runs | test accuracy after 200 epochs |',
    '|---|---|---|---|',
    `| PyTorch, torch.sparse (${torch.setup}) | ${result.torch.median.toFixed(1)} | ${torchRuns.map((x) => x.epochsPerSecond.toFixed(1)).join(', ')} | ${torchRuns.map((x) => x.testAcc.toFixed(1)).join(', ')} |`,
    ...result.nasx.map(
      (n) =>
        `| nasx, ${n.backend} backend (one thread for JavaScript kernels) | ${n.median.toFixed(1)} | ${n.runs.map((x) => x.epochsPerSecond.toFixed(1)).join(', ')} | ${n.runs.map((x) => x.testAcc.toFixed(1)).join(', ')} |`,
    ),
    '',
    `nasx / PyTorch: ${result.nasx.map((n) => `${n.backend} ${(n.median / result.torch.median).toFixed(2)}×`).join(', ')} the epochs per second.`,
    '',
  ];
  fs.writeFileSync(path.join(__dirname, 'GCN-SPEED.md'), lines.join('\n'));
  console.log(lines.join('\n'));
})();
