#!/usr/bin/env node
// Auto-DeepLab search steps, nasx against PyTorch doing the same, side by side in one run: a
// weight step (forward under α and β, per-pixel cross-entropy, backward, clipping, SGD) and a
// first-order architecture step (forward, gradient of α and β, Adam) of the CamVid example's
// supernet (B = 3, L = 4, F = 4, stem 16, ASPP 16; 8 images of 3×90×120, 11 classes).
//   node tools/bench/autodeeplab/step-vs-torch.bench.cjs [--repeats 5]
// PyTorch: Debian's python3-torch with an optimised BLAS (installed with apt when missing and this
// is root; tools/bench/tensor/torch-setup.cjs says why it refuses to report otherwise), all cores.
// nasx: the default backend (onednn where the addon is built), through adlWeightStep/adlArchGradient.
// Writes step-vs-torch.results.json and STEP-VS-TORCH.md beside this file.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, arg } = require('../common.cjs');
const { machineInfo } = require('../machine.cjs');
const { prepareTorch, runTorch } = require('../tensor/torch-setup.cjs');

const CFG = {
  blocks: 3,
  layers: 4,
  filters: 4,
  stem: 16,
  aspp: 16,
  aspp_rate: 24,
  batch: 8,
  height: 90,
  width: 120,
  classes: 11,
  warmup: 2,
  repeats: Number(arg('--repeats', 5)),
};
const t = require(path.join(ROOT, 'libs', 'tensor', 'dist', 'index.js'));
const tf = t.tf;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function nasxSteps() {
  const info = await t.initTensorBackend();
  const sn = t.buildAdlSupernet({
    inputShape: [3, CFG.height, CFG.width],
    outputShape: [CFG.classes, CFG.height, CFG.width],
    numClasses: CFG.classes,
    blocks: CFG.blocks,
    layers: CFG.layers,
    macro: { filterMultiplier: CFG.filters, stemChannels: CFG.stem, asppChannels: CFG.aspp, asppRate: CFG.aspp_rate },
  });
  const arch = tf.variable(tf.mul(tf.randomNormal([1, sn.archSize], 0, 1, 'float32', 0), 1e-3));
  const sgd = new t.HostSgdOptimizer(sn.parameters, { momentum: 0.9, nesterov: false, weightDecay: 3e-4 });
  const adam = tf.train.adam(0.003, 0.9, 0.999);
  const batch = {
    x: tf.randomNormal([CFG.batch, 3, CFG.height, CFG.width]),
    y: tf.floor(tf.mul(tf.randomUniform([CFG.batch, CFG.height * CFG.width], 0, 1, 'float32', 1), CFG.classes)),
  };
  const timings = { weight: [], arch: [] };
  const time = (fn) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    return [performance.now() - t0, (c.user + c.system) / 1000];
  };
  for (let r = 0; r < CFG.warmup + CFG.repeats; r++) {
    const w = time(() => t.adlWeightStep(sn, arch, batch, 'pixel-cross-entropy', sgd, 0.025, 5));
    const a = time(() => {
      const g = t.adlArchGradient(sn, arch, batch, batch, 'pixel-cross-entropy', { order: 1, xi: 0.025 });
      const d = tf.tidy(() => tf.add(g.grad, tf.mul(arch, 1e-3)));
      adam.applyGradients([{ name: arch.name, tensor: d }]);
      tf.dispose([g.grad, d]);
    });
    if (r >= CFG.warmup) {
      timings.weight.push(w);
      timings.arch.push(a);
    }
  }
  const out = { backend: info.name, ...(info.onednn ? { onednn: info.onednn } : {}), params: sn.paramCount };
  for (const [k, ts] of Object.entries(timings)) out[k] = { wall_ms: median(ts.map((x) => x[0])), cpu_ms: median(ts.map((x) => x[1])) };
  sn.dispose();
  return out;
}

(async () => {
  const cores = os.cpus().length;
  const torch = prepareTorch({ cores });
  if (torch.problems.length > 0) {
    for (const p of torch.problems) console.error(`step-vs-torch: ${p.problem}. Fix: ${p.fix}`);
    process.exit(1);
  }
  const load = [os.loadavg()[0]];
  const nasx = await nasxSteps();
  load.push(os.loadavg()[0]);
  const pt = runTorch(['steps', JSON.stringify(CFG)], { threads: cores, script: path.join(__dirname, 'torch_autodeeplab.py') });
  load.push(os.loadavg()[0]);
  const results = { date: new Date().toISOString().slice(0, 10), machine: machineInfo(), config: CFG, torchSetup: torch.setup, nasx, torch: pt, load };
  fs.writeFileSync(path.join(__dirname, 'step-vs-torch.results.json'), JSON.stringify(results, null, 1) + '\n');
  const row = (name, k) =>
    `| ${name} | ${nasx[k].wall_ms.toFixed(0)} (${nasx[k].cpu_ms.toFixed(0)} CPU) | ${pt[k].wall_ms.toFixed(0)} (${pt[k].cpu_ms.toFixed(0)} CPU) | ${(nasx[k].wall_ms / pt[k].wall_ms).toFixed(2)}× |`;
  const md = [
    '# Auto-DeepLab search steps: nasx vs PyTorch',
    '',
    `\`node tools/bench/autodeeplab/step-vs-torch.bench.cjs\` on ${results.machine.cpu}, ${results.machine.cores} cores, ${results.date}.`,
    '',
    `**PyTorch: ${torch.setup}**. **nasx: the ${nasx.backend} backend**${nasx.onednn ? ` (oneDNN ${nasx.onednn.version}, ${nasx.onednn.isa})` : ''}, through \`adlWeightStep\` / \`adlArchGradient\`.`,
    '',
    `The supernet of \`examples/camvid-autodeeplab.yaml\`: B = ${CFG.blocks}, L = ${CFG.layers}, F = ${CFG.filters}, stem ${CFG.stem}, ASPP ${CFG.aspp}; ${CFG.batch} random images of 3×${CFG.height}×${CFG.width}, ${CFG.classes} classes per pixel. Parameters: nasx ${nasx.params.toLocaleString('en-US')}, PyTorch ${pt.params.toLocaleString('en-US')} (the same network). Median of ${CFG.repeats} steps after ${CFG.warmup} warm-up steps, ms; ratio: nasx / PyTorch (below 1 nasx is faster). Load average around the measurements: ${load.map((l) => l.toFixed(2)).join(', ')}.`,
    '',
    '| step | nasx (ms) | PyTorch (ms) | ratio |',
    '|---|---:|---:|---:|',
    row('weight step (forward, backward, clip, SGD)', 'weight'),
    row('architecture step, first order (forward, ∇α,β, Adam)', 'arch'),
    '',
    `A search epoch of the example (8 steps with architecture steps, 16 images each) is 8 × (weight + architecture step): nasx ${((8 * (nasx.weight.wall_ms + nasx.arch.wall_ms)) / 1000).toFixed(1)} s, PyTorch ${((8 * (pt.weight.wall_ms + pt.arch.wall_ms)) / 1000).toFixed(1)} s (both sides here step on one 8-image batch for each; the searcher's halves are 8 images too).`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'STEP-VS-TORCH.md'), md);
  console.log(md);
})();
